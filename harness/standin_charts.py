"""Stand-in Helm charts, for the engine tests and `make up CLUSTER=controlplane` (harness/rehearsal.py): no
chart repository is reachable here, and no pod runs on the loopback control plane. Each carries a pinned
chart's name, version and appVersion, the chart's own values.yaml where the shared chart data has it (so
Helm merges the release's values over the real defaults, nulls and all), and one template of ours: a
ConfigMap `<release>-values` in the release's namespace holding the values the templates saw (base64 of
their JSON). The chart templates themselves are not exercised."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from pathlib import Path

import yaml

from components.names import chart_archive
from components.versions import CHARTS
from modelplane.plan.charts import ChartStore
from modelplane.plan.upstream import YAML_LOADER, charts_dir, crds_dir

RECORD_SUFFIX = "-values"
# chart -> (the stand-in's crds/ folder, the ../shared/crds files the real chart keeps in one, as their README
# says: kube-prometheus-stack's subchart charts/crds/crds/; a stand-in subchart would add its values to the
# record, so the stand-in keeps them in its own crds/, which Helm treats the same way)
CRDS_FOLDER_FILES = {"kube-prometheus-stack": (
    "crds", ("prometheus-podmonitors.yaml", "prometheus-prometheusrules.yaml", "prometheus-servicemonitors.yaml"))}
RECORD_LABEL = "modelplane.io/stand-in-chart"


def _record_template() -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "{{ .Release.Name }}" + RECORD_SUFFIX, "namespace": "{{ .Release.Namespace }}",
                         "labels": {RECORD_LABEL: "{{ .Chart.Name }}-{{ .Chart.Version }}"}},
            "data": {"values.b64": "{{ toJson .Values | b64enc }}"}}


def _add(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    archive.addfile(info, io.BytesIO(data))


def _store() -> ChartStore | None:
    chart_data = charts_dir()
    return ChartStore(chart_data) if chart_data else None


def write_standin_charts(dest: Path) -> Path:
    """`<chart>-<version>.tgz` in `dest` for every pinned chart: a chart source directory."""
    for pin in CHARTS.values():
        write_standin_chart(dest, pin.chart, pin.version, pin.app_version)
    return dest


def write_standin_chart(dest: Path, chart: str, version: str, app_version: str,
                        defaults_of: str | None = None, crds: list[dict] | None = None) -> Path:
    """One stand-in chart; its values.yaml is the chart data's of `version` (or of `defaults_of`, the version an
    upgrade test moves from, when the chart data has no folder for `version`), its crds/ folder the CRDs the
    real chart keeps there (`crds`, default: the upstream CRD files of CRDS_FOLDER_FILES)."""
    dest.mkdir(parents=True, exist_ok=True)
    store = _store()
    defaults = store.folder(chart, defaults_of or version) / "values.yaml" if store else None
    meta = {"apiVersion": "v2", "name": chart, "version": version, "appVersion": app_version,
            "description": "modelplane test stand-in: records the values Helm received"}
    folder, _ = CRDS_FOLDER_FILES.get(chart, ("crds", ()))
    path = Path(chart_archive(str(dest), chart, version))
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, f"{chart}/Chart.yaml", yaml.safe_dump(meta))
        _add(archive, f"{chart}/templates/values-record.yaml", yaml.safe_dump(_record_template()))
        if defaults and defaults.is_file():
            _add(archive, f"{chart}/values.yaml", defaults.read_text())
        for crd in upstream_folder_crds(chart) if crds is None else crds:
            _add(archive, f"{chart}/{folder}/{crd['metadata']['name']}.yaml", yaml.safe_dump(crd, sort_keys=False))
    return path


def upstream_folder_crds(chart: str) -> list[dict]:
    """The upstream CRDs (../shared/crds) the pinned chart keeps in a crds/ folder."""
    _, files = CRDS_FOLDER_FILES.get(chart, ("", ()))
    return [d for name in files for d in yaml.load_all((crds_dir() / name).read_text(), Loader=YAML_LOADER)
            if d and d.get("kind") == "CustomResourceDefinition"]


def helm_coalesce(defaults: dict, values: dict) -> dict:
    """What a chart's templates see, by Helm's rules: the release's values over the chart's defaults, maps
    merged, anything else replaced, and a null deleting the key."""
    out = dict(defaults)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = helm_coalesce(out[key], value)
        else:
            out[key] = value
    return out


def chart_defaults(chart: str, version: str) -> dict:
    """The chart's values.yaml as Helm reads it (the stand-in carries the same file); {} without chart data."""
    store = _store()
    found = store.get(chart, version) if store else None
    return found.raw_values if found else {}


def recorded_values(config_map: dict) -> dict:
    """The values a stand-in release recorded, from its ConfigMap as the API returns it."""
    return json.loads(base64.b64decode(config_map["data"]["values.b64"]))
