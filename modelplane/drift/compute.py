"""Desired against live: what is missing, what changed, what nobody owns, what is orphaned, which GitOps
applications are out of sync."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass, field

from components import opa
from components.tenants import is_tenant_namespace
from modelplane.cluster.kube import key, ref
from modelplane.drift.desired import ANSIBLE, ARGOCD, PULUMI, REDACTED, Desired, Expected
from modelplane.drift.live import Live
from modelplane.onboarding.compare import differences
from modelplane.onboarding.objects import MANAGED_BY, OFFBOARDED_LABEL, TENANT_LABEL

# the label Argo CD tracks the objects of an Application by (its default tracking method)
ARGOCD_TRACKING_LABEL = "app.kubernetes.io/instance"
NO_OWNER = "no owner"
MISSING, CHANGED, UNMANAGED, ORPHANED, OUT_OF_SYNC = "missing", "changed", "unmanaged", "orphaned", "out-of-sync"
# the kinds where an object nobody owns is reported (access, isolation, quotas and models)
UNMANAGED_KINDS = {("rbac.authorization.k8s.io/v1", "RoleBinding"), ("rbac.authorization.k8s.io/v1", "Role"),
                   ("networking.k8s.io/v1", "NetworkPolicy"), ("v1", "ResourceQuota"),
                   ("machinelearning.seldon.io/v1", "SeldonDeployment")}
LICENSE_CONFIGMAP, LICENSE_ANNOTATION = "seldon-deploy-license", "modelplane.io/license-sha256"


@dataclass
class Finding:
    owner: str
    category: str
    ref: str
    namespace: str  # "" for cluster-scoped objects
    details: list[str] = field(default_factory=list)


def _show(value) -> str:
    return json.dumps(value, sort_keys=True) if value is not None else "(absent)"


def _without(obj: dict, paths: tuple[str, ...]) -> dict:
    obj = copy.deepcopy(obj)
    for path in paths:
        *parents, last = path.split(".")
        node = obj
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return obj


def changes(expected: Expected, live: dict) -> list[str]:
    """`path: desired X, live Y` for every field the owner sets that differs; Secrets by key only."""
    obj = _without(expected.obj, expected.ignore)
    if obj["kind"] == "Secret":
        wanted = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
        details = [f"data.{k}: missing (values are never compared or shown)" for k in sorted(wanted - set(
            live.get("data") or {}))]
        details += [f"data.{k}: holds the placeholder {REDACTED}, not a secret (rendered manifests applied by "
                    "hand? they carry no secret values; pulumi up writes the real ones)"
                    for k, v in sorted((live.get("data") or {}).items()) if k in wanted and _is_placeholder(v)]
        obj = {k: v for k, v in obj.items() if k not in ("data", "stringData")}
    else:
        details = []
    for path, actual, wanted in differences(obj, live, quantities=True):
        if wanted != REDACTED:
            details.append(f"{path}: desired {_show(wanted)}, live {_show(actual)}")
    return details


def _is_placeholder(encoded: str) -> bool:
    try:
        return base64.b64decode(encoded or "") == REDACTED.encode()
    except ValueError:
        return False


def _namespace_of(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    return meta["name"] if obj.get("kind") == "Namespace" else meta.get("namespace") or ""


APPLICATION = ("argoproj.io/v1alpha1", "Application")


def marked(obj: dict, applications: set[str] | None = None) -> bool:
    """Carries an owner's mark: modelplane's, Pulumi's or Helm's label, Helm's release annotation, Argo CD's
    tracking, or an owner reference (a controller made it). With `applications` (the Argo CD Applications
    that exist), Argo CD's tracking counts only when it names one of them."""
    meta = obj.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    return (labels.get("app.kubernetes.io/managed-by") in ("modelplane", "pulumi", "Helm")
            or "meta.helm.sh/release-name" in annotations or bool(meta.get("ownerReferences"))
            or any(_tracked_by(app, applications) for app in _argocd_tracking(labels, annotations)))


def _argocd_tracking(labels: dict, annotations: dict) -> list[str]:
    """The Application names an object's Argo CD tracking gives (label, or annotation `<app>:<group>/<kind>:...`;
    `<namespace>_<app>` for Applications outside Argo CD's namespace)."""
    names = [labels[ARGOCD_TRACKING_LABEL]] if ARGOCD_TRACKING_LABEL in labels else []
    if "argocd.argoproj.io/tracking-id" in annotations:
        names.append(str(annotations["argocd.argoproj.io/tracking-id"]).split(":", 1)[0])
    return names


def _tracked_by(app: str, applications: set[str] | None) -> bool:
    return applications is None or app in applications or app.split("_", 1)[-1] in applications


def _objects(desired: Desired, live: Live) -> list[Finding]:
    found = []
    for expected in desired.objects:
        current = live.objects.get(key(expected.obj))
        where = _namespace_of(expected.obj)
        if current is None:
            found.append(Finding(expected.owner, MISSING, ref(expected.obj), where))
        else:
            details = changes(expected, current)
            if details:
                found.append(Finding(expected.owner, CHANGED, ref(expected.obj), where, details))
    for expected in desired.stale:
        if key(expected.obj) in live.objects:
            found.append(Finding(ANSIBLE, ORPHANED, ref(expected.obj), _namespace_of(expected.obj),
                                 ["the tenants file no longer asks for it; onboard.yml removes it"]))
    return found


def _releases(desired: Desired, live: Live) -> list[Finding]:
    found = []
    for want in desired.releases:
        name = f"HelmRelease {want.namespace}/{want.name}"
        have = live.releases.get((want.namespace, want.name))
        if have is None:
            found.append(Finding(PULUMI, MISSING, name, want.namespace, [f"chart {want.chart} {want.version}"]))
            continue
        details = [f"{label}: desired {a}, live {b}" for label, a, b in (
            ("chart", want.chart, have.chart), ("version", want.version, have.version),
            ("status", "deployed", have.status)) if a != b]
        if details:
            found.append(Finding(PULUMI, CHANGED, f"{name} (revision {have.revision})", want.namespace, details))
    return found


def _destinations(desired: Desired, live: Live) -> list[Finding]:
    """Onboarding adds each GitOps tenant's namespace to the AppProject's destinations (Pulumi ignores that
    list): one taken out by hand makes Argo CD refuse the tenant's Application."""
    found = []
    for (namespace, name), tenants in desired.destinations.items():
        project = live.objects.get(("argoproj.io/v1alpha1", "AppProject", namespace, name))
        if project is None:
            continue  # the project itself is Pulumi's object: reported missing there
        present = {d.get("namespace") for d in (project.get("spec") or {}).get("destinations") or []}
        absent = [ns for ns in tenants if ns not in present]
        if absent:
            found.append(Finding(ANSIBLE, CHANGED, f"AppProject {namespace}/{name}", namespace,
                                 [f"spec.destinations: namespace {ns} missing (onboard.yml adds it)" for ns in absent]))
    return found


def _grants(desired: Desired, live: Live) -> list[Finding]:
    cm = live.objects.get(("v1", "ConfigMap", desired.seldon_namespace, opa.CONFIGMAP))
    name = f"ConfigMap {desired.seldon_namespace}/{opa.CONFIGMAP}"
    wanted = [g for grants in desired.grants.values() for g in grants]
    if cm is None:
        return [Finding(ANSIBLE, MISSING, name, desired.seldon_namespace)] if wanted else []
    data = cm.get("data") or {}
    try:
        document = opa.parse_document(data.get(opa.DATA_KEY))
        owned = opa.parse_owned(data.get(opa.OWNED_KEY))
    except opa.PolicyError as exc:
        return [Finding(ANSIBLE, CHANGED, name, desired.seldon_namespace, [str(exc)])]
    found = []
    absent = [g for g in wanted if {"action": g[2], "resource": g[3]} not in document[g[0]].get(g[1], [])]
    if absent:
        found.append(Finding(ANSIBLE, CHANGED, name, desired.seldon_namespace,
                             [f"grant {' '.join(g)}: missing" for g in absent]))
    gone = sorted(ns for ns in owned if ns not in desired.tenants)
    if gone:
        found.append(Finding(ANSIBLE, ORPHANED, name, desired.seldon_namespace,
                             [f"grants of namespace {ns}, no longer a tenant" for ns in gone]))
    return found


def _ours(obj: dict) -> bool:
    """Carries modelplane's managed-by label (onboarding's objects)."""
    labels = obj["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in MANAGED_BY.items())


def _unmanaged_and_orphaned(desired: Desired, live: Live) -> list[Finding]:
    wanted = {key(e.obj) for e in [*desired.objects, *desired.stale]}
    scope = desired.tenants | desired.system_namespaces
    # Argo CD tracking is checked against the Applications only where they were read
    applications = None if APPLICATION not in live.by_kind or APPLICATION in live.unread else {
        a["metadata"]["name"] for a in live.by_kind[APPLICATION]}
    found = []
    for kind in sorted(UNMANAGED_KINDS):
        for obj in live.by_kind.get(kind, []):
            where = _namespace_of(obj)
            if where not in scope or key(obj) in wanted:
                continue
            if _ours(obj):
                found.append(Finding(ANSIBLE, ORPHANED, ref(obj), where,
                                     ["carries modelplane's label, but no plan, tenants file or GitOps file has it"]))
            elif not marked(obj, applications):
                meta = obj["metadata"]
                tracking = _argocd_tracking(meta.get("labels") or {}, meta.get("annotations") or {})
                found.append(Finding(NO_OWNER, UNMANAGED, ref(obj), where, [
                    f"its Argo CD tracking names Application {', '.join(tracking)}, which does not exist; no other "
                    "owner's mark" if tracking else
                    "no managed-by label, Helm release, Argo CD tracking or owner reference"]))
    # namespaces where modelplane's RoleBindings grant access: an offboarded namespace has none left
    access = {_namespace_of(o) for o in live.by_kind.get(("rbac.authorization.k8s.io/v1", "RoleBinding"), [])
              if _ours(o)}
    for ns in live.by_kind.get(("v1", "Namespace"), []):
        name = ns["metadata"]["name"]
        if not is_tenant_namespace(ns) or name in desired.tenants:
            continue
        if OFFBOARDED_LABEL not in ns["metadata"]["labels"]:
            found.append(Finding(ANSIBLE, ORPHANED, ref(ns), name,
                                 ["a modelplane tenant the tenants file no longer lists (offboard.yml -e tenant=...)"]))
        elif name in access:
            found.append(Finding(ANSIBLE, ORPHANED, ref(ns), name, [
                f"labelled {OFFBOARDED_LABEL}, yet modelplane's RoleBindings still grant access in it (onboarded "
                "again after offboarding?); offboard.yml -e tenant=... removes them"]))
    for app in live.by_kind.get(APPLICATION, []):
        labels = app["metadata"].get("labels") or {}
        tenant = labels.get(TENANT_LABEL)
        if tenant and _ours(app) and tenant not in desired.tenants:
            found.append(Finding(ANSIBLE, ORPHANED, ref(app), tenant,
                                 [f"its tenant {tenant} is not in the tenants file"]))
    return found


def _sync(desired: Desired, live: Live, notes: list[str]) -> list[Finding]:
    found, unreported = [], []
    for app in desired.applications:
        current = live.objects.get(key(app))
        if current is None:
            continue
        status = current.get("status") or {}
        sync = (status.get("sync") or {}).get("status")
        if sync is None:
            unreported.append(app["metadata"]["name"])
        elif sync != "Synced":
            health = (status.get("health") or {}).get("status", "unknown")
            found.append(Finding(ARGOCD, OUT_OF_SYNC, ref(app), app["spec"]["destination"]["namespace"],
                                 [f"status.sync.status: {sync} (health: {health})"]))
    if unreported:
        notes.append(f"{len(unreported)} Argo CD Application(s) have no sync status yet (Argo CD has not "
                     f"reconciled them): {', '.join(sorted(unreported))}")
    return found


def _license(desired: Desired, live: Live, license_sha256: str | None) -> list[Finding]:
    cm = live.objects.get(("v1", "ConfigMap", desired.seldon_namespace, LICENSE_CONFIGMAP))
    name = f"ConfigMap {desired.seldon_namespace}/{LICENSE_CONFIGMAP}"
    if cm is None:
        return [Finding(ANSIBLE, MISSING, name, desired.seldon_namespace)] if license_sha256 else []
    digest = hashlib.sha256(((cm.get("data") or {}).get("license") or "").encode()).hexdigest()
    details = [f"licence sha256: desired {license_sha256[:16]}, live {digest[:16]}"] if (
        license_sha256 and license_sha256 != digest) else []
    for deployment in live.by_kind.get(("apps/v1", "Deployment"), []):
        running = ((deployment["spec"]["template"].get("metadata") or {}).get("annotations") or {}).get(
            LICENSE_ANNOTATION)
        if running and running != digest:
            details.append(f"Deployment {deployment['metadata']['name']} runs licence {running[:16]}, the ConfigMap "
                           f"holds {digest[:16]} (edited outside license.yml?)")
    return [Finding(ANSIBLE, CHANGED, name, desired.seldon_namespace, details)] if details else []


def compare(desired: Desired, live: Live, license_sha256: str | None = None) -> tuple[list[Finding], list[str]]:
    notes = list(live.notes)
    findings = (_objects(desired, live) + _releases(desired, live) + _grants(desired, live)
                + _destinations(desired, live)
                + _unmanaged_and_orphaned(desired, live) + _sync(desired, live, notes)
                + _license(desired, live, license_sha256))
    return findings, notes
