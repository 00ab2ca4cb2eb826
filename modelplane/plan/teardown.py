"""A teardown, read from a stack's state (`pulumi stack export`): what `modelplane down` deletes, in which
phase, and what it keeps. Offline: the state only, never the cluster.

Phases are the reverse of install order: the models, Seldon Deploy, Seldon Core, Knative, Istio, then the
rest. A resource moves to a later phase when something deleted later depends on it, since the engine
refuses to delete what a remaining resource depends on.

Kept by default, and left in the state so that the next `up` finds them unchanged: the data (volume
claims, databases, search clusters, buckets), the generated credentials that open it and the Secrets
made from them (a new password would not open the old database), the Namespaces that hold data
(deleting a Namespace deletes every volume claim in it), the CRDs the program applies (deleting one
deletes every object of its kind), protected resources, and everything those depend on. The CRDs Helm
installs and the tenant namespaces are not in the state at all: a teardown never deletes them unless
purged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from components.names import chart_name
from modelplane.plan.document import HELM_RELEASE
from modelplane.plan.upgrade import CRD, STATEFUL_CHARTS, STATEFUL_TYPES

PHASES = ("models", "Seldon Deploy", "Seldon Core", "Knative", "Istio", "the rest")
# the component (by type, or HelmAddon by name) whose subtree a phase deletes
PHASE_OF_COMPONENT = {"modelplane:models:SeldonModel": "models", "modelplane:addons:Knative": "Knative",
                      "modelplane:addons:Istio": "Istio"}
PHASE_OF_ADDON = {"seldon-deploy": "Seldon Deploy", "seldon-core": "Seldon Core"}
HELM_ADDON = "modelplane:addons:HelmAddon"
NAMESPACE = "kubernetes:core/v1:Namespace"
SECRET = "kubernetes:core/v1:Secret"
STACK_TYPE = "pulumi:pulumi:Stack"
DATA_TYPES = {t: what for t, what in STATEFUL_TYPES.items() if t != NAMESPACE}
CREDENTIAL_TYPES = ("pulumi-python:dynamic/modelplane:GeneratedPassword",
                    "pulumi-python:dynamic/modelplane:GeneratedCertificate")
# the CRD groups each chart installs (with ../shared/crds, checked by tests/modelplane/plan/test_teardown.py):
# never deleted by a teardown, since deleting a CRD deletes every object of its kind, tenants' included
CRD_GROUPS = {
    "seldon-core-operator": ("machinelearning.seldon.io",),
    "base": ("networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"),
    "knative-operator": ("operator.knative.dev", "serving.knative.dev", "eventing.knative.dev",
                         "messaging.knative.dev", "sources.knative.dev", "flows.knative.dev"),
    "kube-prometheus-stack": ("monitoring.coreos.com",),
    "argo-cd": ("argoproj.io",),
    "argo-workflows": ("argoproj.io",),
    "postgres-operator": ("acid.zalan.do",),
    "eck-operator": ("elasticsearch.k8s.elastic.co", "kibana.k8s.elastic.co"),
}


@dataclass(frozen=True)
class Kept:
    urn: str
    type: str
    name: str
    reason: str


@dataclass
class TeardownPlan:
    phases: list[tuple[str, list[str]]]  # (phase, URNs deleted in it), in order, empty phases left out
    kept: list[Kept] = field(default_factory=list)  # resources (not components or providers) that stay
    crd_groups: list[str] = field(default_factory=list)
    retained: list[dict] = field(default_factory=list)  # deleted from the state, left in the cluster by Pulumi

    def phase_of(self) -> dict[str, str]:
        return {urn: phase for phase, urns in self.phases for urn in urns}


def name_of(urn: str) -> str:
    return urn.split("::")[-1]


def kind_of(urn: str) -> str:
    """The last part of a URN's type: `Release`, `Namespace`, `SeldonModel` ..."""
    return urn.split("::")[2].split("$")[-1].rsplit(":", 1)[-1]


def is_custom(urn: str) -> bool:
    """A resource of a provider (not a component, not a provider itself)."""
    kind = urn.split("::")[2].split("$")[-1]
    return not kind.startswith(("modelplane:", "pulumi:"))


def _provider_urn(reference: str) -> str:
    return reference.rsplit("::", 1)[0]


def dependencies(resource: dict) -> set[str]:
    """Everything the engine will not delete while `resource` remains: its parent, provider and dependencies."""
    found = set(resource.get("dependencies") or [])
    for urns in (resource.get("propertyDependencies") or {}).values():
        found.update(urns)
    if resource.get("parent"):
        found.add(resource["parent"])
    if resource.get("provider"):
        found.add(_provider_urn(resource["provider"]))
    if resource.get("deletedWith"):
        found.add(resource["deletedWith"])
    return found


def _namespace(resource: dict) -> str | None:
    if resource["type"] == NAMESPACE:
        return resource.get("id")
    identifier = resource.get("id") or ""
    return identifier.split("/", 1)[0] if resource["type"].startswith("kubernetes:") and "/" in identifier else None


def _keep_reasons(resources: list[dict]) -> dict[str, str]:
    """The resources kept for their own sake (before closing over what they depend on)."""
    reasons: dict[str, str] = {}
    credentials = {r["urn"] for r in resources if r["type"] in CREDENTIAL_TYPES}
    for r in resources:
        if r["type"] == CRD:
            reasons[r["urn"]] = "a CRD: deleting it deletes every object of its kind, tenants' included"
        elif r["type"] in DATA_TYPES:
            reasons[r["urn"]] = f"data: {DATA_TYPES[r['type']]}"
        elif r["urn"] in credentials:
            reasons[r["urn"]] = "a generated credential of the kept data (a new one would not open it)"
        elif r["type"] == SECRET and dependencies(r) & credentials:
            reasons[r["urn"]] = "holds a generated credential of the kept data"
        elif r.get("protect"):
            reasons[r["urn"]] = "protected (production)"
    data_namespaces: dict[str, str] = {}
    for r in resources:
        namespace = _namespace(r)
        if r["urn"] in reasons and r["type"] in DATA_TYPES and namespace:
            data_namespaces.setdefault(namespace, f"holds {r['type'].rsplit(':', 1)[-1]} {name_of(r['urn'])}")
        if r["type"] == HELM_RELEASE and chart_name(r.get("inputs") or {}) in STATEFUL_CHARTS and namespace:
            data_namespaces.setdefault(namespace, f"holds the volumes of release {name_of(r['urn'])} "
                                                  f"({STATEFUL_CHARTS[chart_name(r['inputs'])]})")
    for r in resources:
        if r["type"] == NAMESPACE and r.get("id") in data_namespaces and r["urn"] not in reasons:
            reasons[r["urn"]] = f"{data_namespaces[r['id']]}: deleting the Namespace deletes its volume claims"
    return reasons


def _closure(by_urn: dict[str, dict], reasons: dict[str, str]) -> dict[str, str]:
    kept = dict(reasons)
    pending = list(reasons)
    while pending:
        urn = pending.pop()
        for dependency in dependencies(by_urn[urn]):
            if dependency in by_urn and dependency not in kept:
                kept[dependency] = f"kept {name_of(urn)} depends on it"
                pending.append(dependency)
    return kept


def _base_phase(resource: dict, by_urn: dict[str, dict]) -> int:
    node: dict | None = resource
    while node is not None:
        phase = PHASE_OF_COMPONENT.get(node["type"])
        if node["type"] == HELM_ADDON:
            phase = PHASE_OF_ADDON.get(name_of(node["urn"]))
        if phase:
            return PHASES.index(phase)
        node = by_urn.get(node.get("parent") or "")
    return len(PHASES) - 1


def _phases(deleted: list[dict], by_urn: dict[str, dict]) -> dict[str, int]:
    """Each deleted resource's phase: its component's, or later when a resource deleted later depends on it."""
    phase = {r["urn"]: _base_phase(r, by_urn) for r in deleted}
    dependents: dict[str, list[str]] = {}
    for r in deleted:
        for dependency in dependencies(r):
            dependents.setdefault(dependency, []).append(r["urn"])
    changed = True
    while changed:
        changed = False
        for urn in phase:
            latest = max((phase[d] for d in dependents.get(urn, []) if d in phase), default=phase[urn])
            if latest > phase[urn]:
                phase[urn], changed = latest, True
    return phase


def crd_groups(resources: Iterable[dict]) -> list[str]:
    charts = {chart_name(r.get("inputs") or {}) for r in resources if r["type"] == HELM_RELEASE}
    return sorted({g for chart in charts for g in CRD_GROUPS.get(chart, ())})


def teardown_plan(resources: list[dict], *, purge: bool = False) -> TeardownPlan:
    """The teardown of a stack whose state holds `resources` (the `resources` of `pulumi stack export`)."""
    by_urn = {r["urn"]: r for r in resources}
    kept = {} if purge else _closure(by_urn, _keep_reasons(resources))
    deleted = [r for r in resources if r["urn"] not in kept and r["type"] != STACK_TYPE]
    phase = _phases(deleted, by_urn)
    phases = [(name, [r["urn"] for r in deleted if phase[r["urn"]] == i]) for i, name in enumerate(PHASES)]
    listed = [Kept(urn, by_urn[urn]["type"], name_of(urn), reason) for urn, reason in kept.items()
              if by_urn[urn].get("custom") and not by_urn[urn]["type"].startswith("pulumi:providers:")]
    retained = [r for r in deleted if r.get("retainOnDelete") and r["type"].startswith("kubernetes:")]
    return TeardownPlan([(n, urns) for n, urns in phases if urns], sorted(listed, key=lambda k: (k.type, k.name)),
                        crd_groups(resources), retained)
