"""Every volume a plan asks for — PVC templates of releases and StatefulSets, storage of custom resources —
and the StorageClass each names. On EKS nothing is default: a volume that names no class, or a class that
neither the plan creates nor the cluster provides, stays Pending and its release times out."""

from __future__ import annotations

from dataclasses import dataclass

from components.names import FACTS_CONFIGMAP
from modelplane.plan.charts import ChartStore, get, release_values
from modelplane.plan.diagram import Node, nodes

EKS_CLUSTER = "aws:eks/cluster:Cluster"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
# where each chart puts its volume claim: (values path of the switch or spec, path of the class name)
CHART_VOLUMES = {
    "opensearch": [("persistence.enabled", "persistence.storageClass")],
    "minio": [("persistence.enabled", "persistence.storageClass")],
    "kube-prometheus-stack": [
        ("prometheus.prometheusSpec.storageSpec.volumeClaimTemplate",
         "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName"),
        ("alertmanager.alertmanagerSpec.storage.volumeClaimTemplate",
         "alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName")],
}


@dataclass(frozen=True)
class Volume:
    owner: str
    where: str
    storage_class: str | None  # None: the cluster's default class
    urn: str = ""  # the owner's


def _release_volumes(node: Node, store: ChartStore | None) -> list[Volume]:
    merged = release_values(store, node.inputs)
    out = []
    for switch, path in CHART_VOLUMES.get(node.inputs.get("chart", ""), []):
        if get(merged, switch):
            out.append(Volume(node.label, f"values.{path}", get(merged, path) or None, node.urn))
    return out


def volumes(plan: dict, store: ChartStore | None = None) -> list[Volume]:
    out = []
    for node in nodes(plan):
        spec = node.inputs.get("spec") or {}
        if node.kind == "release":
            out += _release_volumes(node, store)
        elif node.kind == "StatefulSet":
            out += [Volume(node.label, f"spec.volumeClaimTemplates[{i}].spec.storageClassName",
                           (t.get("spec") or {}).get("storageClassName"), node.urn)
                    for i, t in enumerate(spec.get("volumeClaimTemplates") or [])]
        elif node.kind == "Elasticsearch":
            out += [Volume(node.label, f"spec.nodeSets[{i}].volumeClaimTemplates[{j}].spec.storageClassName",
                           (t.get("spec") or {}).get("storageClassName"), node.urn)
                    for i, ns in enumerate(spec.get("nodeSets") or [])
                    for j, t in enumerate(ns.get("volumeClaimTemplates") or [])]
        elif node.kind == "postgresql":
            out.append(Volume(node.label, "spec.volume.storageClass", (spec.get("volume") or {}).get("storageClass"),
                              node.urn))
    return out


def available_classes(plan: dict) -> set[str]:
    """Classes the plan creates, and the one the stack says its cluster provides (platform facts)."""
    graph = nodes(plan)
    names = {(n.inputs.get("metadata") or {}).get("name") for n in graph if n.kind == "StorageClass"}
    facts = next((n.inputs.get("data") or {} for n in graph if n.kind == "ConfigMap"
                  and (n.inputs.get("metadata") or {}).get("name") == FACTS_CONFIGMAP), {})
    return {n for n in names | {facts.get("storageClass")} if n}


def unbound_volumes(plan: dict, store: ChartStore | None = None) -> list[tuple[Volume, str]]:
    """(volume, why it would not bind) for every volume whose class the cluster would not have."""
    eks = any(r["type"] == EKS_CLUSTER for r in plan["resources"])
    classes = available_classes(plan)
    problems = []
    for v in volumes(plan, store):
        if v.storage_class is None and eks:
            problems.append((v, f"{v.where} names no StorageClass, and EKS has no default class"))
        elif v.storage_class is not None and v.storage_class not in classes:
            known = ", ".join(sorted(classes)) or "none"
            problems.append((v, f"{v.where} names StorageClass {v.storage_class!r}, which neither the plan "
                                f"creates nor the stack names as its cluster's (known: {known})"))
    return problems


def unordered_volumes(plan: dict, store: ChartStore | None = None) -> list[tuple[Volume, str]]:
    """(volume, the StorageClass it may race) for every volume whose class the plan creates (on EKS, with the
    CSI driver that provisions it) while its owner does not wait for it (depends on it, or on what does)."""
    classes = {(r["inputs"].get("metadata") or {}).get("name"): r["urn"] for r in plan["resources"]
               if r["type"] == STORAGE_CLASS}
    depends = {r["urn"]: set(r.get("dependsOn") or []) for r in plan["resources"]}

    def waits_for(urn: str, target: str, seen: set[str]) -> bool:
        if urn in seen:
            return False
        seen.add(urn)
        return target in depends.get(urn, ()) or any(waits_for(d, target, seen) for d in depends.get(urn, ()))

    return [(v, name) for v in volumes(plan, store) for name in [v.storage_class]
            if name in classes and not waits_for(v.urn, classes[name], set())]


def storage_problems(plan: dict, store: ChartStore | None = None) -> list[str]:
    return [f"{v.owner}: {why}" for v, why in unbound_volumes(plan, store)]
