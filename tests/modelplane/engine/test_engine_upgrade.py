"""An upgrade rehearsed by the real engine (issue 28, item 1): `pulumi up` at N (a commit of a scratch clone,
run with that commit's own code, pins and stacks), then `modelplane upgrade-plan --from N` on the clone's
working tree (N+1), then `pulumi up` at N+1. The engine's steps are exactly the predicted ones, and marked
objects (a tenant's volume claim, the metadata Secret, a tenant's SeldonDeployment) keep their uids.
Each case is committed in the clone, and so becomes the next case's N."""

from __future__ import annotations

import copy
import re
import subprocess

import pytest
from kubernetes import client
from pulumi import automation as auto

from components.config import CHART_SOURCE_ENV
from harness.controlplane import ADMIN, ControlPlane
from harness.rehearsal import environment
from harness.standin_charts import upstream_folder_crds, write_standin_chart
from modelplane.cluster.crds import load_crds
from modelplane.cluster.kube import Kube
from modelplane.commands.upgrade import plan_upgrade
from modelplane.engine.automation import EXAMPLE_PASSPHRASE
from modelplane.plan.document import HELM_RELEASE
from modelplane.plan.upgrade import UpgradePlan
from tests.conftest import REPO, edit_stack
from tests.modelplane.engine.conftest import DEFAULT_DYNAMIC_PROVIDER, Deployment

pytestmark = pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")

PODMONITORS = "podmonitors.monitoring.coreos.com"
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
    return engine_steps(events)


def engine_steps(events: list[auto.EngineEvent]) -> set[tuple[str, str]]:
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


def prometheus_crds(change) -> list[dict]:
    crds = upstream_folder_crds("kube-prometheus-stack")
    [podmonitors] = [c for c in crds if c["metadata"]["name"] == PODMONITORS]
    change(podmonitors["spec"]["versions"])
    return crds


def bump_prometheus(at_n, old: str, new: str, change) -> UpgradePlan:
    """kube-prometheus-stack `old` -> `new`, whose crds/ folder has the PodMonitor CRD changed by `change`."""
    set_pin(at_n.tree, "kube-prometheus-stack", old, new)
    write_standin_chart(at_n.charts, "kube-prometheus-stack", new, "3.5.0", defaults_of="77.0.0",
                        crds=prometheus_crds(change))
    with environment(**{CHART_SOURCE_ENV: str(at_n.charts)}):
        return plan_upgrade("local", "HEAD", at_n.tree)


def test_new_crds_helm_would_skip_are_applied_first_and_shown_first(at_n):
    def add_v1alpha1(versions):
        versions.append({**copy.deepcopy(versions[0]), "name": "v1alpha1", "storage": False})

    plan = bump_prometheus(at_n, "77.0.0", "77.0.1", add_v1alpha1)
    assert plan.exit_code == 0
    assert plan.order == [f"update CRD {PODMONITORS} before release prometheus (Helm would not upgrade it: it is in "
                          "the chart's crds/ folder)"]
    assert [(s.op, s.name) for s in plan.steps] == [("update", f"prometheus-{PODMONITORS}"), ("update", "prometheus")]
    events: list[auto.EngineEvent] = []
    at_n.follow_tree()
    at_n.engine.up(on_output=at_n.say, on_event=events.append)
    done = [e.res_outputs_event.metadata.urn for e in events if e.res_outputs_event]
    started = [e.resource_pre_event.metadata.urn for e in events if e.resource_pre_event]
    crd, release = plan.steps[0].urn, plan.steps[1].urn
    assert done.index(crd) < done.index(release) and started.index(release) > 0
    assert engine_steps(events) == predicted(plan)
    served = client.ApiextensionsV1Api(at_n.api()).read_custom_resource_definition(PODMONITORS).spec.versions
    assert [v.name for v in served] == ["v1", "v1alpha1"]
    git(at_n.tree, "commit", "--quiet", "-am", "kube-prometheus-stack 77.0.1")


def test_a_crd_that_drops_a_stored_version_is_named_and_the_server_refuses_it(at_n):
    def keep_only_v1alpha1(versions):
        versions[:] = [{**copy.deepcopy(versions[0]), "name": "v1alpha1", "storage": True}]

    plan = bump_prometheus(at_n, "77.0.1", "77.0.2", keep_only_v1alpha1)
    assert plan.exit_code == 2
    [attention] = plan.attention
    assert f"N+1 stops serving v1 of {PODMONITORS}, which the cluster may store objects at" in attention
    at_n.follow_tree()
    try:
        with pytest.raises(auto.CommandError) as raised:
            at_n.engine.up(on_output=at_n.say)
    finally:
        git(at_n.tree, "checkout", "--", ".")
    # the server's own refusal, as the prediction said; the release waited for its CRDs and stayed at 77.0.1
    assert 'Invalid value: "v1": missing from spec.versions; v1 was previously a storage version' in str(raised.value)
    [release] = [r for r in at_n.export()["resources"] if r["type"] == HELM_RELEASE and r["urn"].endswith("prometheus")]
    assert release["outputs"]["version"] == "77.0.1"
    stored = client.ApiextensionsV1Api(at_n.api()).read_custom_resource_definition(PODMONITORS).status.stored_versions
    assert stored == ["v1"]
