"""How each single-pod workload on a volume rolls out on an upgrade. A Deployment's default strategy,
RollingUpdate, starts the new pod before the old one stops: with one ReadWriteOnce volume the new pod cannot
attach it on another node (the rollout, and Helm's wait, fail and the release rolls back), and on the same
node two processes share one data directory. Such a workload needs `Recreate`. A StatefulSet's pods each
own their claim and stop before their successor starts: they are not listed.

Releases: where a chart's templates take the workload's shape from (CHART_ROLLOUTS), over the chart's own
defaults when chart data is given; without it an unset access mode reads as ReadWriteOnce and an unset
strategy as RollingUpdate (the Kubernetes default). Objects: every Deployment of the plan with one replica
that mounts a claim the plan declares ReadWriteOnce.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.names import chart_name
from modelplane.plan.charts import ChartStore, get, release_values

RWO = "ReadWriteOnce"


@dataclass(frozen=True)
class ChartRollout:
    """A chart's single-pod Deployment on a claim: when it is one (`single`: values path and value), and the
    values paths of its volume switch, access mode and strategy type."""

    single: tuple[str, object]
    volume: str
    access_mode: str
    strategy: str


CHART_ROLLOUTS = {
    "minio": ChartRollout(("mode", "standalone"), "persistence.enabled", "persistence.accessMode",
                          "deploymentUpdate.type"),
}


@dataclass(frozen=True)
class Rollout:
    workload: str  # "release minio", "Deployment ns/name"
    where: str  # the values path or field of the strategy
    strategy: str


def release_rollouts(store: ChartStore | None, release: dict) -> list[Rollout]:
    shape = CHART_ROLLOUTS.get(chart_name(release))
    if shape is None:
        return []
    values = release_values(store, release)
    if get(values, shape.single[0]) != shape.single[1] or get(values, shape.volume) is False:
        return []
    if (get(values, shape.access_mode) or RWO) != RWO:
        return []
    return [Rollout(f"release {release.get('name', '')}", f"values.{shape.strategy}",
                    get(values, shape.strategy) or "RollingUpdate")]


def _rwo_claims(objects: list[dict]) -> set[tuple[str, str]]:
    return {((o.get("metadata") or {}).get("namespace", ""), (o.get("metadata") or {}).get("name", ""))
            for o in objects if o.get("kind") == "PersistentVolumeClaim"
            and RWO in ((o.get("spec") or {}).get("accessModes") or [])}


def object_rollouts(objects: list[dict]) -> list[Rollout]:
    claims = _rwo_claims(objects)
    out = []
    for o in objects:
        spec, meta = o.get("spec") or {}, o.get("metadata") or {}
        if o.get("kind") != "Deployment" or spec.get("replicas", 1) != 1:
            continue
        volumes = ((spec.get("template") or {}).get("spec") or {}).get("volumes") or []
        if any((meta.get("namespace", ""), (v.get("persistentVolumeClaim") or {}).get("claimName")) in claims
               for v in volumes):
            out.append(Rollout(f"Deployment {meta.get('namespace')}/{meta.get('name')}", "spec.strategy.type",
                               (spec.get("strategy") or {}).get("type") or "RollingUpdate"))
    return out
