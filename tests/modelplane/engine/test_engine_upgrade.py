"""An upgrade rehearsed by the real engine (issue 28, item 1): `pulumi up` at N (a commit of a scratch clone,
run with that commit's own code, pins and stacks), then `modelplane upgrade-plan --from N` on the clone's
working tree (N+1), then `pulumi up` at N+1. The engine's steps are exactly the predicted ones, and marked
objects (a tenant's volume claim, the metadata Secret, a tenant's SeldonDeployment) keep their uids.
Each case is committed in the clone, and so becomes the next case's N."""

from __future__ import annotations

import re
import subprocess

import pytest
from kubernetes import client
from pulumi import automation as auto

from harness.controlplane import ADMIN, ControlPlane
from harness.standin_charts import write_standin_chart
from modelplane.cluster.crds import load_crds
from modelplane.cluster.kube import Kube
from modelplane.commands.upgrade import plan_upgrade
from modelplane.engine.automation import EXAMPLE_PASSPHRASE
from modelplane.plan.upgrade import UpgradePlan
from tests.conftest import REPO, edit_stack
from tests.modelplane.engine.conftest import DEFAULT_DYNAMIC_PROVIDER, Deployment

pytestmark = pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")

# the engine's operations, as upgrade-plan names them
ENGINE_OPS = {auto.OpType.CREATE: "create", auto.OpType.UPDATE: "update", auto.OpType.DELETE: "delete",
              auto.OpType.REPLACE: "replace", auto.OpType.CREATE_REPLACEMENT: "replace",
              auto.OpType.DELETE_REPLACED: "replace"}
TENANT_CLAIM = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": "team-a-data", "namespace": "team-a"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
MARKED = [("v1", "Secret", "seldon-system", "metadata-postgres"),
          ("machinelearning.seldon.io/v1", "SeldonDeployment", "team-a", "iris"),
          ("acid.zalan.do/v1", "postgresql", "seldon-system", "seldon-metadata")]


def git(repo, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def at_n(tmp_path_factory):
    """The local stack up at N (a clone of this checkout's HEAD), with a tenant's volume claim beside it."""
    base = tmp_path_factory.mktemp("engine-upgrade")
    clone = base / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    for key, value in (("user.email", "test@example.com"), ("user.name", "test")):
        git(clone, "config", key, value)
    plane = ControlPlane(base / "controlplane").start()
    try:
        load_crds(plane.kubeconfig(ADMIN))
        deployment = Deployment.open("local", base, plane.kubeconfig(ADMIN), passphrase=EXAMPLE_PASSPHRASE,
                                     tree=clone)
        deployment.plane = plane
        deployment.run()
        client.CoreV1Api(deployment.api()).create_namespaced_persistent_volume_claim("team-a", TENANT_CLAIM)
        yield deployment
        deployment.close()
    except BaseException:
        plane.stop()
        raise


def uids(kube: Kube) -> dict:
    found = {ref: kube.get(*ref)["metadata"]["uid"] for ref in MARKED}
    claim = client.CoreV1Api(kube.api).read_namespaced_persistent_volume_claim("team-a-data", "team-a")
    return {**found, "team-a/team-a-data": claim.metadata.uid}


def predicted(plan: UpgradePlan) -> set[tuple[str, str]]:
    return {(s.op, s.urn) for s in plan.steps}


def up_at_n_plus_1(deployment: Deployment) -> set[tuple[str, str]]:
    """`pulumi up` of the clone's working tree: the steps the engine took."""
    deployment.follow_tree()
    events: list[auto.EngineEvent] = []
    deployment.engine.up(on_output=deployment.say, on_event=events.append)
    # a default provider is the engine's own (no plan holds it): it may be updated in place on any run
    return {(ENGINE_OPS[e.resource_pre_event.metadata.op], e.resource_pre_event.metadata.urn) for e in events
            if e.resource_pre_event and e.resource_pre_event.metadata.op in ENGINE_OPS
            and not e.resource_pre_event.metadata.urn.endswith(DEFAULT_DYNAMIC_PROVIDER)}


def set_pin(clone, chart: str, old: str, new: str) -> None:
    versions = clone / "components" / "versions.py"
    text, count = re.subn(rf'(ChartPin\(\s*"{chart}",[^)]*?)"{re.escape(old)}"', rf'\1"{new}"',
                          versions.read_text())
    assert count == 1, chart
    versions.write_text(text)


def test_a_chart_patch_bump_is_one_update_and_nothing_at_risk(at_n):
    clone, kube = at_n.tree, Kube(at_n.api())
    before = uids(kube)
    set_pin(clone, "fluent-bit", "0.54.0", "0.54.1")
    write_standin_chart(at_n.charts, "fluent-bit", "0.54.1", "4.1.0", defaults_of="0.54.0")
    plan = plan_upgrade("local", "HEAD", clone)
    assert plan.exit_code == 0 and plan.attention == []
    [step] = plan.steps
    assert (step.op, step.name, step.fields) == ("update", "fluent-bit", ["version: '0.54.0' -> '0.54.1'"])
    assert up_at_n_plus_1(at_n) == predicted(plan)
    assert uids(kube) == before
    git(clone, "commit", "--quiet", "-am", "fluent-bit 0.54.1")


def test_a_metadata_volume_change_is_named_at_risk_and_updated_in_place(at_n):
    clone, kube = at_n.tree, Kube(at_n.api())
    before = uids(kube)
    edit_stack(clone, "local", lambda c: c["modelplane:addons"]["postgres"].update(volumeSize="20Gi"))
    plan = plan_upgrade("local", "HEAD", clone)
    assert plan.exit_code == 2
    [attention] = plan.attention
    assert attention.startswith("update kubernetes:acid.zalan.do/v1:postgresql metadata-postgresql: its volume "
                                "settings change (spec.volume.size)")
    assert up_at_n_plus_1(at_n) == predicted(plan)
    assert uids(kube) == before
    live = kube.get("acid.zalan.do/v1", "postgresql", "seldon-system", "seldon-metadata")
    assert live["spec"]["volume"]["size"] == "20Gi"
    git(clone, "commit", "--quiet", "-am", "a bigger metadata volume")


def test_istio_two_minor_versions_ahead_is_refused(at_n):
    clone = at_n.tree
    for chart in ("base", "cni", "istiod", "gateway"):
        set_pin(clone, chart, "1.29.6", "1.31.0")
    try:
        plan = plan_upgrade("local", "HEAD", clone)
    finally:
        git(clone, "checkout", "--", "components/versions.py")
    assert plan.exit_code == 2
    refused = " ".join(plan.refusals)
    assert len(plan.refusals) == 5 and "1.29.6 -> 1.31.0 skips a minor version" in refused
