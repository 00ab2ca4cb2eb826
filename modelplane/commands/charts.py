"""Filling a chart-data directory (laid out like ../shared/charts) from the pinned charts upstream.

    modelplane charts pull DIR              # `helm pull` every pin of components/versions.py, keep its data
    modelplane charts extract TGZ... --into DIR   # the same for chart archives you already have

Only the data files are kept — Chart.yaml, values.yaml, values.schema.json — for the chart and each subchart
(charts/<name>/, from the nested archives a packaged chart carries); templates never leave the archive. Then
`MODELPLANE_CHARTS=DIR python -m modelplane.plan.upstream verify` proves the bytes against upstream.lock.yaml.
The lock pins what the chart's git tag holds; for Istio's three charts the published archives differ (Istio's
release tooling writes the release into Chart.yaml and image settings into values.yaml), so take those three
from the git tag the lock names.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import yaml

DATA_FILES = ("Chart.yaml", "values.yaml", "values.schema.json")


class ChartArchiveError(ValueError):
    pass


def _members(tar: tarfile.TarFile) -> dict[PurePosixPath, tarfile.TarInfo]:
    return {PurePosixPath(m.name): m for m in tar.getmembers() if m.isfile()}


def _write_chart(tar: tarfile.TarFile, root: PurePosixPath, into: Path) -> str:
    """Write the data files of the chart at `root` inside `tar` (and its subcharts) into `into`; its name."""
    members = _members(tar)
    chart_yaml = members.get(root / "Chart.yaml")
    if chart_yaml is None:
        raise ChartArchiveError(f"no {root}/Chart.yaml in the archive")
    into.mkdir(parents=True, exist_ok=True)
    for name in DATA_FILES:
        member = members.get(root / name)
        if member is not None:
            (into / name).write_bytes(tar.extractfile(member).read())
    for path, member in members.items():
        if path.parent == root / "charts" and path.name.endswith(".tgz"):
            with tarfile.open(fileobj=io.BytesIO(tar.extractfile(member).read())) as nested:
                top = _top(nested)
                _write_chart(nested, top, into / "charts" / _chart_meta(nested, top)["name"])
    subfolders = {p.parts[len(root.parts) + 1] for p in members
                  if len(p.parts) > len(root.parts) + 2 and p.parts[len(root.parts)] == "charts"}
    for sub in sorted(subfolders):
        if root / "charts" / sub / "Chart.yaml" in members:
            _write_chart(tar, root / "charts" / sub, into / "charts" / sub)
    return yaml.safe_load(tar.extractfile(chart_yaml).read())["name"]


def _top(tar: tarfile.TarFile) -> PurePosixPath:
    tops = {PurePosixPath(m.name).parts[0] for m in tar.getmembers()}
    if len(tops) != 1:
        raise ChartArchiveError(f"a chart archive has one top folder, this one has {sorted(tops)}")
    return PurePosixPath(tops.pop())


def _chart_meta(tar: tarfile.TarFile, top: PurePosixPath) -> dict:
    member = _members(tar).get(top / "Chart.yaml")
    if member is None:
        raise ChartArchiveError(f"no {top}/Chart.yaml in the archive")
    return yaml.safe_load(tar.extractfile(member).read())


def extract(archive: Path, into: Path, folder: str | None = None) -> Path:
    """A packaged chart (what `helm pull` downloads) as `into/<chart>-<version>/` (or `into/<folder>`)."""
    with tarfile.open(archive) as tar:
        top = _top(tar)
        meta = _chart_meta(tar, top)
        target = into / (folder or f"{meta['name']}-{meta['version']}")
        if target.exists():
            shutil.rmtree(target)
        _write_chart(tar, top, target)
    return target


def pull(into: Path, helm: str = "helm") -> list[Path]:
    """`helm pull` each pinned chart (Seldon Deploy's is licensed: not pulled) and extract its data."""
    from components.versions import CHARTS
    from modelplane.plan.charts import UNAVAILABLE

    if shutil.which(helm) is None:
        raise ChartArchiveError(f"{helm} is not installed: pull needs Helm 3 (or use `modelplane charts extract`)")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for pin in {(p.chart, p.repository, p.version) for p in CHARTS.values() if p.chart not in UNAVAILABLE}:
            chart, repository, version = pin
            subprocess.run([helm, "pull", chart, "--repo", repository, "--version", version, "--destination", tmp],
                           check=True)
            archive = next(Path(tmp).glob(f"{chart}-*.tgz"))
            out.append(extract(archive, into, folder=f"{chart}-{version}"))
            archive.unlink()
    return sorted(out)
