"""One onboarding run, as the playbook's `modelplane.platform.onboard` action performs it: tenants' objects,
then the GitOps namespaces in the Argo CD project. Check mode sends no request that writes."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import yaml

from components.tenants import Tenant
from modelplane.cluster.kube import Kube, ref
from modelplane.onboarding import objects as build
from modelplane.onboarding.compare import HIDDEN
from modelplane.onboarding.engine import (
    WORKERS,
    OnboardingError,
    Write,
    desired_state,
    execute,
    plan,
    read_live,
    update_with_retry,
)


@dataclass
class Outcome:
    writes: list[Write] = field(default_factory=list)  # landed, or in check mode the ones that would be
    new_namespaces: list[str] = field(default_factory=list)  # check mode: namespaces that do not exist yet
    destinations_added: list[str] = field(default_factory=list)
    objects: list[dict] = field(default_factory=list)  # every desired object, Secrets excepted

    @property
    def changed(self) -> bool:
        return bool(self.writes or self.destinations_added)

    def report(self, check: bool) -> list[str]:
        """One line per write, `created Kind namespace/name`; in check mode the objects of a namespace that
        does not exist yet are announced with it."""
        lines, announced = [], set()
        for write in self.writes:
            if check and write.namespace in self.new_namespaces:
                if write.namespace not in announced:
                    count = sum(1 for w in self.writes if w.namespace == write.namespace) - 1
                    lines.append(f"would create namespace {write.namespace} and {count} objects in it")
                    announced.add(write.namespace)
                continue
            lines.append(f"would {write.action} {write.ref}" if check else f"{write.past} {write.ref}")
        lines += [f"{'would add' if check else 'added'} {ns} to the Argo CD project's destinations"
                  for ns in self.destinations_added]
        return lines


def _hide_secret(obj: dict, live: dict | None) -> dict:
    if obj.get("kind") != "Secret":
        return obj
    shown = copy.deepcopy(obj)
    before = (live or {}).get("data") or {}
    shown["data"] = {k: HIDDEN if before.get(k) == v else f"{HIDDEN}, differs"
                     for k, v in (obj.get("data") or {}).items()}
    return shown


def _project(live, desired):
    """`live` cut to the fields `desired` sets (what a diff of the two should show)."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {k: _project(live[k], v) for k, v in desired.items() if k in live}
    return live


def diffs(writes: Iterable[Write]) -> list[dict]:
    """Ansible's diff entries (before/after as YAML) for each write; Secret values are never shown."""
    out = []
    for write in writes:
        live = _project(write.live, write.obj) if write.live is not None else None
        if live is not None and write.obj["kind"] == "Secret":
            live = {**live, "data": dict.fromkeys((live.get("data") or {}), HIDDEN)}
        after = "" if write.action == "delete" else yaml.safe_dump(_hide_secret(write.obj, write.live),
                                                                    sort_keys=False)
        out.append({"before_header": ref(write.obj), "after_header": ref(write.obj),
                    "before": yaml.safe_dump(live, sort_keys=False) if live is not None else "", "after": after})
    return out


def project_destinations(kube: Kube, platform: build.PlatformFacts, add: Iterable[str] = (),
                         remove: Iterable[str] = (), check: bool = False) -> tuple[list[str], list[str]]:
    """Add and remove namespaces in the Argo CD AppProject's destinations (Pulumi creates the project and
    ignores this list). Retried from a fresh read on a concurrent edit. Returns (added, removed)."""
    add, remove = list(add), set(remove)
    outcome: dict[str, list[str]] = {"added": [], "removed": []}

    def read() -> dict:
        project = kube.get(build.ARGOCD, "AppProject", platform.argocdNamespace, platform.argocdProject)
        if project is None:
            raise OnboardingError(f"AppProject {platform.argocdNamespace}/{platform.argocdProject} not found: "
                                  "the Pulumi program creates it with Argo CD")
        return project

    def change(project: dict) -> dict | None:
        current = (project.get("spec") or {}).get("destinations") or []
        present = {d.get("namespace") for d in current}
        outcome["added"] = [ns for ns in dict.fromkeys(add) if ns not in present]
        outcome["removed"] = sorted(present & remove)
        if check or not (outcome["added"] or outcome["removed"]):
            return None
        wanted = copy.deepcopy(project)
        wanted["spec"]["destinations"] = [d for d in current if d.get("namespace") not in remove] + [
            {"namespace": ns, "server": build.ARGOCD_SERVER} for ns in outcome["added"]]
        return wanted

    if add or remove:
        update_with_retry(kube, read, change)
    return outcome["added"], outcome["removed"]


def onboard(kube: Kube, tenants: list[Tenant], platform: build.PlatformFacts, options: build.Options, *,
            credentials: dict | None = None, existing_namespaces: Iterable[str] = (), check: bool = False,
            workers: int = WORKERS, done: Callable[[Write], None] | None = None) -> Outcome:
    desired = desired_state(tenants, platform, options, credentials)
    writes = plan(desired, read_live(kube, desired.kinds()))
    outcome = Outcome(objects=[o for o in desired.objects if o["kind"] != "Secret"])
    if check:
        existing = set(existing_namespaces)
        outcome.writes = writes
        outcome.new_namespaces = [t.name for t in tenants if t.name not in existing]
    else:
        outcome.writes = execute(kube, writes, workers, done)
    gitops = [t.name for t in tenants if t.gitops]
    if gitops:
        outcome.destinations_added, _ = project_destinations(kube, platform, add=gitops, check=check)
    return outcome
