"""The pinned charts' own data (Chart.yaml, values.yaml, values.schema.json, subcharts), read from a
directory laid out like ../shared/charts (`<chart>-<version>/`), and the check of a release's values
against it: every key path must exist in that chart version's values.yaml (or lie under a map the chart
leaves open), its value must have the default's type, and the merged values must pass the chart's
values.schema.json. Helm itself silently ignores an unknown key, so a typo never fails an install.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from components.dicts import deep_merge
from components.names import chart_name
from modelplane.plan.upstream import YAML_LOADER

# Istio's charts keep their defaults under this key; templates/zzz_profile.yaml merges user values over it
ISTIO_DEFAULTS = "_internal_defaults_do_not_set"
# Charts that cannot be checked here, and why (a release of one of these is reported as not checked).
UNAVAILABLE = {"seldon-deploy": "licensed, not public: its values follow the Seldon Deploy 1.3 manual"}

RESOURCES = "a Kubernetes ResourceRequirements, passed through whole (its keys are checked: requests, limits)"
RESOURCE_KEYS = {"requests", "limits", "claims"}
# Legacy spellings a chart still reads: values under the alias are checked against the path it copies to.
ALIASES: dict[str, dict[str, str]] = {
    # istiod's templates/zzy_descope_legacy.yaml copies everything under `pilot.` to the top level
    "istiod": {"pilot": ""},
}
# Maps a chart leaves open although its values.yaml has defaults in them: any key is valid below these
# paths. (A default of `{}` or `null` is open by itself: the chart's values.yaml cannot say more.)
OPEN_MAPS: dict[str, dict[str, str]] = {
    "argo-cd": {
        "configs.params": "rendered key by key into argocd-cmd-params-cm; any Argo CD server/controller parameter",
        "configs.cm": "rendered key by key into argocd-cm; any Argo CD setting",
    },
    "istiod": {
        "meshConfig": "Istio's MeshConfig API, passed through whole",
    },
    "gateway": {
        "labels": "labels of the gateway pods, also the Service's selector: any label",
    },
    "opensearch": {
        "config": "file name -> content, each mounted into the OpenSearch config directory",
        "resources": RESOURCES,
        "persistence.storageClass": "read by templates/statefulset.yaml; values.yaml documents it in a comment",
    },
    "opensearch-dashboards": {
        "config": "file name -> content, each mounted into the Dashboards config directory",
    },
    "minio": {
        "environment": "extra environment variables for the MinIO container, any name",
        "resources": RESOURCES,
    },
}


@dataclass(frozen=True)
class Chart:
    name: str
    version: str
    app_version: str | None
    folder: Path
    raw_values: dict
    schema: dict | None
    dependencies: tuple[dict, ...]
    subcharts: dict[str, Chart] = field(default_factory=dict)

    @cached_property
    def defaults(self) -> dict:
        """The chart's defaults as users address them (Istio's lifted out of their internal key)."""
        if ISTIO_DEFAULTS in self.raw_values:
            top = {k: v for k, v in self.raw_values.items() if k != ISTIO_DEFAULTS}
            return deep_merge(self.raw_values[ISTIO_DEFAULTS] or {}, top)
        return self.raw_values

    def sub_defaults(self, key: str) -> dict:
        """A subchart's defaults as this chart installs it: the parent's section for it (which also holds its
        condition) over the subchart's own values.yaml."""
        return deep_merge(self.subcharts[key].defaults, self.defaults.get(key) or {})

    def default_at(self, path: str):
        """The default value at a dotted path (through subcharts), or None."""
        return get(effective_values(self, {}), path)

    @property
    def values_file(self) -> str:
        """Where this chart's defaults are read, as plan.md names it (relative to the chart-data directory)."""
        return f"{self.folder.parent.name}/{self.folder.name}/values.yaml"


def _yaml(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=YAML_LOADER) or {}


def read_chart(folder: Path, version: str | None = None) -> Chart:
    """The chart in `folder`; `version` is the published version where Chart.yaml in git differs (Istio's
    release tooling rewrites 1.0.0 to the release when it publishes the charts)."""
    meta = _yaml(folder / "Chart.yaml")
    schema_file = folder / "values.schema.json"
    subcharts = {}
    for dep in meta.get("dependencies") or []:
        sub = folder / "charts" / dep["name"]
        if (sub / "Chart.yaml").is_file():
            subcharts[dep.get("alias") or dep["name"]] = read_chart(sub)
    return Chart(name=meta["name"], version=version or str(meta["version"]), app_version=meta.get("appVersion"),
                 folder=folder, raw_values=_yaml(folder / "values.yaml"),
                 schema=json.loads(schema_file.read_text()) if schema_file.is_file() else None,
                 dependencies=tuple(meta.get("dependencies") or ()), subcharts=subcharts)


@lru_cache(maxsize=64)
def _read_once(folder: Path, version: str) -> Chart:
    """Chart data is read-only: one parse per process, however many renders and checks use it."""
    return read_chart(folder, version)


class ChartStore:
    """Chart data laid out like ../shared/charts: one `<chart>-<version>` folder per pinned chart."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: dict[tuple[str, str], Chart | None] = {}

    def folder(self, chart: str, version: str) -> Path:
        return self.root / f"{chart}-{version}"

    def get(self, chart: str, version: str) -> Chart | None:
        key = (chart, version)
        if key not in self._cache:
            folder = self.folder(chart, version)
            self._cache[key] = _read_once(folder, version) if (folder / "Chart.yaml").is_file() else None
        return self._cache[key]


def get(values: dict, path: str):
    node: object = values
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def effective_values(chart: Chart, values: dict) -> dict:
    """What the chart's templates see: its defaults (subcharts' included) under the release's values, with
    values under a legacy alias (ALIASES) copied over the top level as the chart's templates do."""
    merged = deep_merge(chart.defaults, values)
    for key in chart.subcharts:
        merged[key] = deep_merge(chart.sub_defaults(key), values.get(key) or {})
    for alias in top_level_aliases(chart.name):
        if isinstance(values.get(alias), dict):
            merged = deep_merge(merged, values[alias])
    return merged


def top_level_aliases(chart_name: str) -> list[str]:
    """Keys whose values a chart copies to its top level (istiod's `pilot`)."""
    return [alias for alias, target in ALIASES.get(chart_name, {}).items() if target == ""]


def release_chart(store: ChartStore | None, release: dict) -> Chart | None:
    """The pinned chart of a release (its plan inputs: chart, version), None without chart data for it."""
    return store.get(chart_name(release), str(release.get("version", ""))) if store else None


def release_values(store: ChartStore | None, release: dict) -> dict:
    """What a release's templates see: its values over its chart's defaults; its values alone without chart
    data (then a default the chart sets is unknown)."""
    values = release.get("values") or {}
    chart = release_chart(store, release)
    return effective_values(chart, values) if chart else values


@dataclass(frozen=True)
class ValuesProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _open_root(chart_name: str, path: str) -> str | None:
    return next((p for p in OPEN_MAPS.get(chart_name, {}) if path == p or path.startswith(p + ".")), None)


def _walk(chart: Chart, defaults: dict, values: dict, prefix: str, problems: list[ValuesProblem],
          shown: str = "") -> None:
    """`prefix` is the path inside `chart` (what OPEN_MAPS names); `shown` goes before it in messages
    (the subchart's key in its parent)."""
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        full = f"{shown}.{path}" if shown else path
        open_root = _open_root(chart.name, path)
        if open_root is not None:
            if OPEN_MAPS[chart.name][open_root] == RESOURCES and path.endswith("resources"):
                problems += [ValuesProblem(f"{full}.{k}", "not a field of a Kubernetes ResourceRequirements")
                             for k in (value or {}) if k not in RESOURCE_KEYS]
            continue
        alias = ALIASES.get(chart.name, {}).get(path)
        if alias is not None and isinstance(value, dict):
            target = chart.defaults if alias == "" else chart.default_at(alias)
            _walk(chart, target or {}, value, alias, problems, f"{shown}.{key}" if shown else str(key))
            continue
        if key not in defaults:
            near = difflib.get_close_matches(str(key), [str(k) for k in defaults], n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(ValuesProblem(full, f"not a value of chart {chart.name} {chart.version}{hint}"))
            continue
        default = defaults[key]
        if default is None or value is None:
            continue
        if _type_name(default) != _type_name(value):
            problems.append(ValuesProblem(full, f"{_type_name(value)} {value!r} where chart {chart.name} "
                                                f"{chart.version} has a {_type_name(default)} ({default!r})"))
        elif isinstance(value, dict) and default:
            _walk(chart, default, value, path, problems, shown)


def values_problems(chart: Chart, values: dict) -> list[ValuesProblem]:
    """Every key path of `values` the chart does not have, every value whose type differs from the
    default's, and every values.schema.json error of the merged values (as Helm validates them)."""
    problems: list[ValuesProblem] = []
    own = {k: v for k, v in values.items() if k not in chart.subcharts}
    _walk(chart, chart.defaults, own, "", problems)
    for key, sub in chart.subcharts.items():
        if isinstance(values.get(key), dict):
            _walk(sub, chart.sub_defaults(key), values[key], "", problems, key)
    if chart.schema is not None:
        problems += _schema_problems(chart, values)
    return problems


def _schema_problems(chart: Chart, values: dict) -> list[ValuesProblem]:
    import jsonschema

    merged = deep_merge(chart.raw_values, values)
    # the charts name draft-less `http://json-schema.org/schema#`; Helm 3 validates them as draft 7
    validator = jsonschema.Draft7Validator(chart.schema)
    return [ValuesProblem(".".join(str(p) for p in error.absolute_path) or "(values)",
                          f"values.schema.json of {chart.name} {chart.version}: {error.message}")
            for error in sorted(validator.iter_errors(merged), key=lambda e: list(map(str, e.absolute_path)))]


@dataclass(frozen=True)
class ReleaseCheck:
    """One Helm release's values against its pinned chart: problems, or why it could not be checked."""

    release: str
    chart: str
    version: str
    problems: tuple[ValuesProblem, ...] = ()
    unchecked: str | None = None


def check_release(store: ChartStore, release: str, chart: str, version: str, values: dict) -> ReleaseCheck:
    if chart in UNAVAILABLE:
        return ReleaseCheck(release, chart, version, unchecked=UNAVAILABLE[chart])
    data = store.get(chart, version)
    if data is None:
        missing = ValuesProblem("(chart)", f"no chart data for {chart} {version} ({store.folder(chart, version)} "
                                           "does not exist): its values cannot be checked")
        return ReleaseCheck(release, chart, version, (missing,))
    return ReleaseCheck(release, chart, version, tuple(values_problems(data, values)))


def check_release_inputs(store: ChartStore, name: str, inputs: dict) -> ReleaseCheck:
    """`inputs`: a kubernetes:helm.sh/v3:Release resource's (chart, version, values)."""
    return check_release(store, name, chart_name(inputs), str(inputs.get("version", "")),
                         inputs.get("values") or {})


def check_releases(store: ChartStore, releases: list[dict]) -> list[ReleaseCheck]:
    """`releases`: the inputs of kubernetes:helm.sh/v3:Release resources (name, chart, version, values)."""
    return [check_release_inputs(store, r.get("name", ""), r) for r in releases]
