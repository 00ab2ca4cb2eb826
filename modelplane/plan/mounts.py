"""The Secrets and ConfigMaps a release's values make its pods read: what must exist before the pods can
start. Kubernetes does not start a container whose non-optional Secret or ConfigMap is missing, so Helm's
wait runs out (900 s) and an atomic release rolls back.

Two sources, both in the values the release is installed with (never the chart's defaults, which name
nothing that exists):
- pod-spec shapes charts pass through verbatim (extraEnvs, extraVolumes, envFrom, env): `secretKeyRef`,
  `configMapKeyRef`, a volume's `secret.secretName` or `configMap.name`, `secretRef`/`configMapRef`, each
  unless marked `optional: true`;
- keys that a chart's templates turn into a mount (CHART_MOUNTS; read from each chart's templates).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from modelplane.plan.charts import get

SECRET, CONFIG_MAP = "Secret", "ConfigMap"
# chart -> (values path of a name, or of a list with `[]` and the key of each item's name, kind)
CHART_MOUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "opensearch": (("secretMounts[].secretName", SECRET), ("securityConfig.internalUsersSecret", SECRET),
                   ("securityConfig.actionGroupsSecret", SECRET), ("securityConfig.configSecret", SECRET),
                   ("securityConfig.rolesSecret", SECRET), ("securityConfig.rolesMappingSecret", SECRET),
                   ("securityConfig.tenantsSecret", SECRET)),
    "opensearch-dashboards": (("secretMounts[].secretName", SECRET),),
    "minio": (("existingSecret", SECRET), ("users[].existingSecret", SECRET)),
}
# pod-spec reference shapes: (the key holding the reference, the key of the name in it, kind)
POD_SPEC_REFERENCES = (("secretKeyRef", "name", SECRET), ("configMapKeyRef", "name", CONFIG_MAP),
                       ("secretRef", "name", SECRET), ("configMapRef", "name", CONFIG_MAP),
                       ("secret", "secretName", SECRET), ("configMap", "name", CONFIG_MAP))


@dataclass(frozen=True)
class Mount:
    kind: str  # Secret | ConfigMap
    name: str
    path: str  # where in the release's values

    def label(self, namespace: str) -> str:
        return f"{self.kind} {namespace}/{self.name}"


def _pod_spec_references(values: object, path: str = "") -> Iterator[Mount]:
    if isinstance(values, list):
        for i, item in enumerate(values):
            yield from _pod_spec_references(item, f"{path}[{i}]")
    elif isinstance(values, dict):
        for key, value in values.items():
            where = f"{path}.{key}" if path else str(key)
            shape = next(((k, kind) for ref, k, kind in POD_SPEC_REFERENCES if ref == key), None)
            if shape and isinstance(value, dict) and isinstance(value.get(shape[0]), str) \
                    and value.get("optional") is not True:
                yield Mount(shape[1], value[shape[0]], f"{where}.{shape[0]}")
            else:
                yield from _pod_spec_references(value, where)


def _chart_mounts(chart: str, values: dict) -> Iterator[Mount]:
    for path, kind in CHART_MOUNTS.get(chart, ()):
        if "[]." in path:
            items_path, key = path.split("[].", 1)
            for i, item in enumerate(get(values, items_path) or []):
                if isinstance(item, dict) and isinstance(item.get(key), str) and item[key]:
                    yield Mount(kind, item[key], f"{items_path}[{i}].{key}")
        elif isinstance(get(values, path), str) and get(values, path):
            yield Mount(kind, get(values, path), path)


def release_mounts(chart: str, values: dict) -> list[Mount]:
    """Every Secret and ConfigMap the release's pods read, by the values path that names it."""
    found = {(m.kind, m.name, m.path): m for m in [*_chart_mounts(chart, values), *_pod_spec_references(values)]}
    return list(found.values())
