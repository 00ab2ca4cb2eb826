"""`modelplane down`: a stack torn down by the engine in the order of modelplane.plan.teardown, one targeted
`pulumi destroy` per phase, keeping the data unless a purge is confirmed.

A purge also lifts `protect`, deletes what Pulumi retains on delete (production Namespaces), offboards every
tenant of the tenants file with its namespace (Ansible's playbook, as a user would), and deletes the CRDs the
stack's charts install. Refusals (production without --confirm, a purge without it) come before any write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pulumi import automation as auto

from modelplane.cluster.kube import Kube
from modelplane.cluster.playbooks import run_playbook
from modelplane.engine.automation import stored_state
from modelplane.plan.teardown import TeardownPlan, is_custom, kind_of, name_of, teardown_plan


class TeardownRefused(Exception):
    """What the user must add before anything is deleted."""


def refusal(stack: str, *, production: bool, purge: bool, confirm: str | None) -> str | None:
    if confirm is not None and confirm != stack:
        return f"--confirm {confirm} does not name the stack being torn down ({stack}); nothing was changed"
    if production and confirm != stack:
        return (f"stack {stack} is production: `modelplane down --stack {stack} --confirm {stack}` (make down "
                f"STACK={stack} CONFIRM={stack}) tears it down; nothing was changed")
    if purge and confirm != stack:
        return (f"--purge deletes the data too (volumes, databases, buckets, CRDs with every object of their kinds, "
                f"tenant namespaces): add --confirm {stack} (make down STACK={stack} PURGE=1 CONFIRM={stack}); "
                "nothing was changed")
    return None


@dataclass
class Teardown:
    plan: TeardownPlan
    purge: bool
    deleted: list[tuple[str, str]] = field(default_factory=list)  # (phase, URN) as the engine deleted them
    crds_deleted: list[str] = field(default_factory=list)
    tenants_purged: list[str] = field(default_factory=list)
    retained_deleted: list[str] = field(default_factory=list)


def tear_down(engine: auto.Stack, *, purge: bool, kubeconfig: Path | None, tenants: list[str],
              say: Callable[[str], None] = print) -> Teardown:
    plan = teardown_plan(stored_state(engine)["resources"], purge=purge)
    done = Teardown(plan, purge)
    if purge:
        say(f"== {engine.name}: pulumi state unprotect --all (the purge is confirmed)")
        workspace = engine.workspace
        workspace.pulumi_command.run(["state", "unprotect", "--all", "--yes", "--stack", engine.name],
                                     workspace.work_dir, workspace.env_vars)
    for phase, urns in plan.phases:
        if purge and phase != "models" and done.tenants_purged != tenants:
            # the tenants' namespaces go after the models and before the platform their playbook reads
            done.tenants_purged = _offboard(tenants, kubeconfig, say)
        say(f"== {engine.name}: pulumi destroy, phase {phase!r} ({len(urns)} resources)")

        def record(event: auto.EngineEvent, phase: str = phase) -> None:
            outputs = event.res_outputs_event
            if outputs and outputs.metadata.op == auto.OpType.DELETE:
                done.deleted.append((phase, outputs.metadata.urn))

        engine.destroy(target=urns, on_output=say, on_event=record)
    if purge:
        kube = Kube.from_kubeconfig(kubeconfig)
        done.retained_deleted = _delete_retained(kube, plan, say)
        if done.tenants_purged != tenants:
            done.tenants_purged = _offboard(tenants, kubeconfig, say)
        done.crds_deleted = _delete_crds(kube, plan.crd_groups, say)
    return done


def _delete_retained(kube: Kube, plan: TeardownPlan, say: Callable[[str], None]) -> list[str]:
    """What `retainOnDelete` left in the cluster when the engine deleted it from the state."""
    deleted = []
    for resource in plan.retained:
        outputs = resource.get("outputs") or {}
        if (outputs.get("apiVersion"), outputs.get("kind")) == CRD:
            continue  # deleted with the rest of their groups, then waited for (_delete_crds)
        obj = {"apiVersion": outputs.get("apiVersion"), "kind": outputs.get("kind"),
               "metadata": {k: v for k, v in (outputs.get("metadata") or {}).items() if k in ("name", "namespace")}}
        if kube.delete(obj):
            say(f"deleted {obj['kind']} {name_of(resource['urn'])} (Pulumi retains it on delete)")
            deleted.append(resource["urn"])
    return deleted


def _offboard(tenants: list[str], kubeconfig: Path | None, say: Callable[[str], None]) -> list[str]:
    """Ansible's offboarding of each tenant, with its namespace and data (the purge is confirmed)."""
    for tenant in tenants:
        extra = [f"tenant={tenant}", "purge=true", f"confirm={tenant}"]
        say(f"== ansible-playbook ansible/playbooks/offboard.yml -e {' -e '.join(extra)}")
        run_playbook("offboard.yml", extra, kubeconfig, say, timeout=600)
    return list(tenants)


CRD = ("apiextensions.k8s.io/v1", "CustomResourceDefinition")


def _delete_crds(kube: Kube, groups: list[str], say: Callable[[str], None], timeout: float = 120) -> list[str]:
    """Delete the CRDs of `groups` and wait until the server has deleted every object of their kinds."""
    import time

    def present() -> list[dict]:
        return [c for c in kube.list(*CRD) if c["spec"]["group"] in groups]

    deleted = []
    for crd in present():
        kube.delete(crd)
        say(f"deleted CustomResourceDefinition {crd['metadata']['name']} and every object of its kind")
        deleted.append(crd["metadata"]["name"])
    deadline = time.monotonic() + timeout
    while (left := present()) and time.monotonic() < deadline:
        time.sleep(1)
    if left:
        raise RuntimeError(f"CRDs still terminating after {timeout:.0f} s (their objects' finalizers wait for an "
                           f"operator that is gone?): {', '.join(c['metadata']['name'] for c in left)}")
    return deleted


def report(stack: str, done: Teardown, tenants: list[str]) -> str:
    lines = [f"{stack} is down: {len(done.deleted)} resources deleted, in this order:"]
    for phase, _ in done.plan.phases:
        names = [f"{kind_of(urn)} {name_of(urn)}" for p, urn in done.deleted if p == phase and is_custom(urn)]
        lines.append(f"  {phase}: {', '.join(names) if names else '(nothing)'}")
    if done.purge:
        lines.append(f"purged: {len(done.tenants_purged)} tenant namespace(s), {len(done.crds_deleted)} CRD(s), "
                     f"{len(done.retained_deleted)} object(s) Pulumi retains on delete")
        return "\n".join(lines) + "\n"
    if done.plan.retained:
        lines.append("left in the cluster, no longer in the state (Pulumi retains them on delete; the next `make up` "
                     "adopts them):")
        lines += [f"  {kind_of(r['urn'])} {name_of(r['urn'])}" for r in done.plan.retained]
    lines.append("kept (still in the stack's state: the next `make up` finds them unchanged):")
    lines += [f"  {k.type} {k.name}: {k.reason}" for k in done.plan.kept]
    lines.append("kept outside the state:")
    lines.append(f"  CRDs of groups {', '.join(done.plan.crd_groups) or '(none)'}: deleting one deletes every object "
                 "of its kind, tenants' models included")
    lines.append(f"  tenant namespaces (Ansible's): {', '.join(tenants) or '(none)'}")
    lines.append("to delete them too:")
    lines.append(f"  make down STACK={stack} PURGE=1 CONFIRM={stack}   (modelplane down --stack {stack} --purge "
                 f"--confirm {stack})")
    lines.append("  or one tenant: ansible-playbook ansible/playbooks/offboard.yml -e tenant=NAME -e purge=true "
                 "-e confirm=NAME")
    return "\n".join(lines) + "\n"
