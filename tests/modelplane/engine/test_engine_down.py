"""`modelplane down` by the real engine on a control plane of its own (a purge deletes the CRDs): the keep-list
survives with its uids, the rest is gone in the reverse of install order (the audit log records each delete
as it happens), a second up adopts what was kept, a purge removes it all, and prod refuses without
--confirm prod."""

from __future__ import annotations

import pytest
from kubernetes import client

from components.kinds import RESOURCES
from harness.controlplane import ADMIN
from harness.standin_charts import RECORD_SUFFIX
from modelplane.cluster.kube import Kube
from modelplane.commands.down import down
from modelplane.engine.teardown import TeardownRefused
from modelplane.plan.document import HELM_RELEASE
from modelplane.plan.teardown import PHASES, teardown_plan
from tests.modelplane.engine.conftest import prepare

HELM_STORAGE = "sh.helm.release.v1."


def live_refs(resource: dict) -> list[tuple[str, str, str]]:
    """(plural, namespace, name) of the objects a state resource stands for: a release's are its storage Secret
    and what its stand-in chart templates."""
    outputs = resource.get("outputs") or {}
    if resource["type"] == HELM_RELEASE:
        namespace, name = outputs.get("namespace") or "", outputs.get("name")
        return [("secrets", namespace, f"{HELM_STORAGE}{name}.v"), ("configmaps", namespace, f"{name}{RECORD_SUFFIX}")]
    found = live_ref(resource)
    return [found] if found else []


def live_ref(resource: dict) -> tuple[str, str, str] | None:
    outputs = resource.get("outputs") or {}
    if (outputs.get("apiVersion"), outputs.get("kind")) not in RESOURCES:
        return None
    meta = outputs.get("metadata") or {}
    plural, _ = RESOURCES[(outputs["apiVersion"], outputs["kind"])]
    return plural, meta.get("namespace") or "", meta["name"]


def uid(kube: Kube, resource: dict) -> str | None:
    outputs = resource["outputs"]
    meta = outputs["metadata"]
    live = kube.get(outputs["apiVersion"], outputs["kind"], meta.get("namespace"), meta["name"])
    return live["metadata"]["uid"] if live and not live["metadata"].get("deletionTimestamp") else None


def deletions(plane, since: int) -> list[tuple[str, str, str]]:
    """(plural, namespace, name) of every delete the engine (the admin) sent, in the order they happened."""
    refs = [e["objectRef"] for e in plane.mutating_requests(ADMIN, since) if e["verb"] == "delete"]
    # the audit log names a Namespace's namespace as itself
    return [(ref.get("resource"), "" if ref.get("resource") == "namespaces" else ref.get("namespace") or "",
             ref.get("name") or "") for ref in refs]


def phase_of_deletion(deleted: tuple[str, str, str], refs: dict[tuple[str, str, str], str]) -> str | None:
    plural, namespace, name = deleted
    if plural == "secrets" and name.startswith(HELM_STORAGE):
        name = name.rsplit(".v", 1)[0] + ".v"
    return refs.get((plural, namespace, name))


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    deployment = prepare("local", tmp_path_factory.mktemp("engine-down"))
    try:
        deployment.run()
        yield deployment
    finally:
        deployment.close()


def test_down_keeps_the_data_in_order_then_up_adopts_it_then_purge_removes_it(local):
    kube = Kube(local.api())
    before = local.export()["resources"]
    plan = teardown_plan(before)
    kept = {k.urn for k in plan.kept}
    objects = [r for r in before if live_ref(r)]
    crds = {r["urn"] for r in before if r["type"].endswith(":CustomResourceDefinition")}  # of charts' crds/
    assert crds and crds <= kept
    kept_uids = {r["urn"]: uid(kube, r) for r in objects if r["urn"] in kept}
    assert all(kept_uids.values()) and len(kept_uids) >= 10
    extensions = client.ApiextensionsV1Api(local.api())
    crd_uids = {c.metadata.name: c.metadata.uid for c in extensions.list_custom_resource_definition().items}
    tenants = {n: kube.get("v1", "Namespace", None, n)["metadata"]["uid"] for n in ("team-a", "sandbox")}
    since = len(local.plane.audit_events())

    report = down("local", local.project, purge=False, confirm=None, env=local.env, say=local.say)

    # the keep-list: same objects, same uids; CRDs and tenant namespaces untouched
    assert {urn: uid(kube, r) for r, urn in ((r, r["urn"]) for r in objects) if urn in kept} == kept_uids
    assert {c.metadata.name: c.metadata.uid for c in extensions.list_custom_resource_definition().items} == crd_uids
    assert {n: kube.get("v1", "Namespace", None, n)["metadata"]["uid"] for n in tenants} == tenants
    # the rest is gone, and the state holds exactly the kept resources and what holds them
    gone = [r for r in objects if r["urn"] not in kept]
    assert gone and all(uid(kube, r) is None for r in gone)
    remaining = {r["urn"] for r in local.export()["resources"]}
    assert kept <= remaining and not remaining & {r["urn"] for r in gone}
    # every delete the engine sent belongs to a phase no earlier than the one before it
    phases = plan.phase_of()
    refs = {ref: phases[r["urn"]] for r in before if r["urn"] in phases for ref in live_refs(r)}
    order = [phase_of_deletion(d, refs) for d in deletions(local.plane, since)]
    assert None not in order, [d for d, p in zip(deletions(local.plane, since), order, strict=True) if p is None]
    assert [PHASES.index(p) for p in order] == sorted(PHASES.index(p) for p in order)
    assert set(order) == set(PHASES)
    assert "kept (still in the stack's state" in report and "make down STACK=local PURGE=1 CONFIRM=local" in report

    # a second up adopts what was kept: the same objects, never created again, nothing duplicated
    local.events.clear()
    local.run()
    assert {urn: uid(kube, r) for r, urn in ((r, r["urn"]) for r in objects) if urn in kept} == kept_uids
    created = {e.resource_pre_event.metadata.urn for e in local.events
               if e.resource_pre_event and e.resource_pre_event.metadata.op.value in ("create", "replace")}
    assert not created & kept and created
    assert [p["metadata"]["name"] for p in kube.list("acid.zalan.do/v1", "postgresql", namespace="seldon-system")] \
        == ["seldon-metadata"]
    assert local.drift() == 0

    # the purge takes the rest: the state is empty, tenant namespaces and the stack's CRDs are deleted
    since = len(local.plane.audit_events())
    down("local", local.project, purge=True, confirm="local", env=local.env, say=local.say)
    assert [r["type"] for r in local.export()["resources"]] == ["pulumi:pulumi:Stack"]
    assert all(uid(kube, r) is None for r in objects)
    assert all((kube.get("v1", "Namespace", None, n) or {}).get("metadata", {}).get("deletionTimestamp")
               or kube.get("v1", "Namespace", None, n) is None for n in tenants)
    left = {c.spec.group for c in extensions.list_custom_resource_definition().items}
    assert not left & set(plan.crd_groups) and "machinelearning.seldon.io" in plan.crd_groups
    assert ("customresourcedefinitions", "", "seldondeployments.machinelearning.seldon.io") in deletions(
        local.plane, since)


def test_prod_is_not_torn_down_without_confirm_prod(deployed):
    prod = deployed("prod")
    state = prod.export()["resources"]
    since = len(prod.plane.audit_events())
    for purge, confirm in ((False, None), (True, None), (True, "local"), (False, "staging")):
        with pytest.raises(TeardownRefused, match="nothing was changed"):
            down("prod", prod.project, purge=purge, confirm=confirm, env=prod.env, say=prod.say)
    assert prod.plane.mutating_requests(ADMIN, since) == []
    assert prod.export()["resources"] == state
