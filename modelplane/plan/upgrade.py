"""An upgrade, read from two plans: the stack at N (a git ref, its pins and config) and at N+1 (the working
tree). Per resource: create, update, replace or delete, with the fields that force a replacement; what
each puts at risk; and what upstream refuses outright. Offline: the plans only, never the cluster.

Replacement: the Kubernetes provider replaces an object whose name or namespace changes, a ConfigMap or
Secret whose data changes, and an object whose immutable fields change (FORCING); Pulumi replaces what a
resource's `replaceOnChanges` names. Data at risk: a replaced or deleted volume, database, search cluster,
bucket or Namespace, a stateful chart's volume settings (Helm cannot change a StatefulSet's claim
templates), and a Zalando cluster's storage class (the operator cannot move the data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from components.chart_crds import CHARTS_WITH_CRDS_FOLDER
from components.names import chart_name
from modelplane.plan.diff import Change, diff_plans
from modelplane.plan.document import HELM_RELEASE, is_kubernetes_object
from modelplane.plan.storage import CHART_VOLUMES

# type -> input paths whose change replaces the resource (immutable in the API, or replaced by the provider)
FORCING: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:ConfigMap": ("data", "binaryData", "immutable"),
    "kubernetes:core/v1:Secret": ("data", "stringData", "type", "immutable"),
    "kubernetes:core/v1:PersistentVolumeClaim": ("spec.storageClassName", "spec.accessModes", "spec.volumeName",
                                                 "spec.selector", "spec.volumeMode"),
    "kubernetes:apps/v1:StatefulSet": ("spec.selector", "spec.volumeClaimTemplates", "spec.serviceName",
                                       "spec.podManagementPolicy"),
    "kubernetes:apps/v1:Deployment": ("spec.selector",),
    "kubernetes:batch/v1:Job": ("spec.template", "spec.selector"),
    "kubernetes:storage.k8s.io/v1:StorageClass": ("parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"),
    HELM_RELEASE: ("name", "namespace"),
    "aws:rds/instance:Instance": ("identifier", "engine", "storageEncrypted", "kmsKeyId", "username",
                                  "dbSubnetGroupName", "availabilityZone"),
    "gcp:sql/databaseInstance:DatabaseInstance": ("name", "region", "databaseVersion"),
    "aws:s3/bucket:Bucket": ("bucket",),
}
KUBERNETES_FORCING = ("metadata.name", "metadata.namespace", "apiVersion", "kind")
ZALANDO = "kubernetes:acid.zalan.do/v1:postgresql"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
# resources whose replacement or deletion loses data
STATEFUL_TYPES = {"kubernetes:core/v1:PersistentVolumeClaim": "its volume", ZALANDO: "the database (Zalando)",
                  "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch": "the request logs (ECK)",
                  "aws:rds/instance:Instance": "the database (RDS)",
                  "gcp:sql/databaseInstance:DatabaseInstance": "the database (Cloud SQL)",
                  "aws:s3/bucket:Bucket": "the bucket's objects", "kubernetes:core/v1:Namespace":
                  "every object in the namespace, tenants' included",
                  CRD: "every object of its kind, tenants' included"}
STATEFUL_CHARTS = {"opensearch": "the request logs", "minio": "the buckets", "kube-prometheus-stack": "the metrics"}
# charts upstream upgrades one minor version at a time
ONE_MINOR_AT_A_TIME = {"base": "Istio", "istiod": "Istio", "gateway": "Istio", "cni": "Istio",
                       "knative-operator": "Knative"}


@dataclass(frozen=True)
class Step:
    op: str  # create | update | replace | delete
    type: str
    name: str
    urn: str
    fields: list[str] = field(default_factory=list)  # for replace: the forcing ones first
    at_risk: str | None = None


@dataclass
class UpgradePlan:
    steps: list[Step]
    refusals: list[str]
    order: list[str] = field(default_factory=list)  # what must happen before what, and why
    notices: list[str] = field(default_factory=list)  # what the engine will not do and the user must

    @property
    def attention(self) -> list[str]:
        return [*self.refusals, *self.notices,
                *(f"{s.op} {s.type} {s.name}: {s.at_risk}" for s in self.steps if s.at_risk)]

    @property
    def exit_code(self) -> int:
        return 2 if self.attention else 0


def _path(field_text: str) -> str:
    return field_text.split(": ", 1)[0]


def _forcing(resource: dict, fields: list[str]) -> list[str]:
    forcing = FORCING.get(resource["type"], ())
    if is_kubernetes_object(resource):
        forcing = (*forcing, *KUBERNETES_FORCING)
    forcing = (*forcing, *((resource.get("options") or {}).get("replaceOnChanges") or []))
    return [f for f in fields if any(_path(f) == p or _path(f).startswith((f"{p}.", f"{p}[")) for p in forcing)]


def _volume_fields(resource: dict, fields: list[str]) -> list[str]:
    """Fields of a stateful chart's release or a Zalando cluster that touch its volume."""
    if resource["type"] == HELM_RELEASE:
        paths = [p for pair in CHART_VOLUMES.get(chart_name(resource["inputs"]), []) for p in pair]
        prefixes = [f"values.{p.rsplit('.', 1)[0]}" for p in paths]
    elif resource["type"] == ZALANDO:
        prefixes = ["spec.volume.storageClass", "spec.volume.size"]
    else:
        return []
    return [f for f in fields if any(_path(f).startswith(p) for p in prefixes)]


def _risk(op: str, resource: dict, fields: list[str], old: dict | None = None) -> str | None:
    kind, options = resource["type"], resource.get("options") or {}
    lost = STATEFUL_TYPES.get(kind)
    if kind == HELM_RELEASE:
        lost = STATEFUL_CHARTS.get(chart_name(resource["inputs"]))
    if kind == "kubernetes:apps/v1:StatefulSet" and (resource["inputs"].get("spec") or {}).get("volumeClaimTemplates"):
        lost = "its pods' volumes"
    if op == "delete" and options.get("retainOnDelete"):
        return None  # the engine forgets it and leaves it in place
    if op in ("replace", "delete") and lost:
        return f"{'replacing' if op == 'replace' else 'deleting'} it loses {lost}"
    if op in ("replace", "delete") and options.get("protect"):
        return "it is protected: the engine refuses until `protect` is lifted"
    if op == "update" and kind == CRD and old is not None:
        dropped = unserved_versions(old["inputs"], resource["inputs"])
        if dropped:
            return (f"N+1 stops serving {', '.join(dropped)} of {resource['inputs']['metadata']['name']}, which the "
                    "cluster may store objects at (status.storedVersions): the API server refuses to drop a stored "
                    "version and objects stored at it become unreadable; migrate them to the storage version and "
                    "trim status.storedVersions first")
    volume = _volume_fields(resource, fields) if op == "update" else []
    if volume:
        return (f"its volume settings change ({', '.join(_path(f) for f in volume)}): the operator or Helm cannot "
                "change a volume in place; migrate the data first")
    return None


def unserved_versions(old: dict, new: dict) -> list[str]:
    """Versions a CRD serves at N and not at N+1: objects may be stored at any version N served."""
    def served(inputs: dict) -> set[str]:
        return {v["name"] for v in (inputs.get("spec") or {}).get("versions") or [] if v.get("served", True)}

    return sorted(served(old) - served(new))


_MINOR = re.compile(r"^v?(\d+)\.(\d+)")


def _minor(version: str) -> tuple[int, int] | None:
    found = _MINOR.match(version or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def refusals(old: dict, new: dict) -> list[str]:
    """Releases that skip more than one minor version where upstream supports one at a time."""
    before = {r["urn"]: r["inputs"] for r in old["resources"] if r["type"] == HELM_RELEASE}
    out = []
    for r in new["resources"]:
        if r["type"] != HELM_RELEASE or r["urn"] not in before:
            continue
        product = ONE_MINOR_AT_A_TIME.get(chart_name(r["inputs"]))
        a, b = _minor(str(before[r["urn"]].get("version"))), _minor(str(r["inputs"].get("version")))
        if product and a and b and (b[0] != a[0] or b[1] - a[1] > 1):
            out.append(f"refused: {r['name']} {before[r['urn']].get('version')} -> {r['inputs'].get('version')} "
                       f"skips a minor version; {product} upgrades one minor version at a time")
    return out


def upgrade_plan(old: dict, new: dict) -> UpgradePlan:
    before = {r["urn"]: r for r in old["resources"]}
    after = {r["urn"]: r for r in new["resources"]}
    steps = [_step(change, before.get(change.urn), after.get(change.urn)) for change in diff_plans(old, new)]
    order = _crds_first(steps, after)
    first = {urn for line, urn in order}
    steps = [*(s for s in steps if s.urn in first), *(s for s in steps if s.urn not in first)]
    lines = [line for line, _ in order] + _operators_first(steps, after)
    return UpgradePlan(steps, refusals(old, new), lines, _unmanaged_crds(old, new))


def _crds_first(steps: list[Step], after: dict[str, dict]) -> list[tuple[str, str]]:
    """CRD steps a changed release waits for: Helm would skip them (crds/ folders), the program applies them."""
    crd_steps = {s.urn: s for s in steps if s.type == CRD and s.op != "delete"}
    order = []
    for step in steps:
        if step.type != HELM_RELEASE or step.op == "delete":
            continue
        for dependency in after[step.urn].get("dependsOn") or []:
            if dependency in crd_steps:
                crd = crd_steps[dependency]
                order.append((f"{crd.op} CRD {after[dependency]['inputs']['metadata']['name']} before release "
                              f"{step.name} (Helm would not upgrade it: it is in the chart's crds/ folder)", crd.urn))
    return order


def _operators_first(steps: list[Step], after: dict[str, dict]) -> list[str]:
    """Changed custom resources that wait for a changed release (their operator): the engine upgrades the release
    first, as the program orders it."""
    releases = {s.urn: s for s in steps if s.type == HELM_RELEASE and s.op != "delete"}
    lines = []
    for step in steps:
        resource = after.get(step.urn) or {}
        if step.op == "delete" or not is_kubernetes_object(resource) or "/" not in resource["inputs"]["apiVersion"]:
            continue
        if step.type == CRD or resource["inputs"]["apiVersion"].split("/")[0].endswith(".k8s.io"):
            continue
        for dependency in resource.get("dependsOn") or []:
            if dependency in releases:
                operator = releases[dependency]
                lines.append(f"{operator.op} release {operator.name} before {resource['inputs']['kind']} {step.name} "
                             "(the operator before the objects it reconciles)")
    return lines


def _unmanaged_crds(old: dict, new: dict) -> list[str]:
    """Releases whose chart keeps CRDs in crds/ move to another version while the plan does not apply them (no
    chart source to read them from): Helm leaves the old CRDs in place."""
    before = {r["urn"]: r["inputs"] for r in old["resources"] if r["type"] == HELM_RELEASE}
    managed = {r.get("parent") for r in new["resources"] if r["type"] == CRD}
    notices = []
    for r in new["resources"]:
        if r["type"] != HELM_RELEASE or r["urn"] not in before:
            continue
        if chart_name(r["inputs"]) not in CHARTS_WITH_CRDS_FOLDER:
            continue
        moved = str(before[r["urn"]].get("version")) != str(r["inputs"].get("version"))
        if moved and r.get("parent") not in managed:
            notices.append(f"release {r['name']}: {chart_name(r['inputs'])} {before[r['urn']].get('version')} -> "
                           f"{r['inputs'].get('version')} keeps CRDs in crds/, which Helm does not upgrade, and no "
                           "chart source lets modelplane apply them: apply the new chart's CRDs (kubectl apply "
                           "--server-side -f <chart>/charts/crds/crds) before `pulumi up`, or set chartSource")
    return notices


def _step(change: Change, old: dict | None, new: dict | None) -> Step:
    if change.action == "delete":
        return Step("delete", change.type, change.name, change.urn, [], _risk("delete", old, []))
    if change.action == "create":
        return Step("create", change.type, change.name, change.urn)
    forcing = _forcing(new, change.fields)
    op = "replace" if forcing else "update"
    fields = [*forcing, *(f for f in change.fields if f not in forcing)]
    return Step(op, change.type, change.name, change.urn, fields, _risk(op, new, change.fields, old))
