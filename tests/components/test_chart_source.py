"""modelplane:chartSource / MODELPLANE_CHART_SOURCE: every Helm release installs from a directory of chart
archives instead of its repository (air-gapped clusters; the engine tests). The rules, the footprint and
drift still know each release's chart by name."""

from __future__ import annotations

import io
import tarfile

from components.names import chart_name
from components.versions import CHARTS
from modelplane.cluster.preflight import chart_source_checks
from modelplane.commands.cli import main
from modelplane.plan.document import HELM_RELEASE, helm_releases
from tests.conftest import edit_stack, render_plan

PINNED = {(p.chart, p.version) for p in CHARTS.values()}


def _releases(plan: dict) -> list[dict]:
    return [r["inputs"] for r in plan["resources"] if r["type"] == HELM_RELEASE]


def test_a_stack_chart_source_points_every_release_at_its_archive(stack_tree, tmp_path, monkeypatch):
    monkeypatch.delenv("MODELPLANE_CHART_SOURCE", raising=False)
    source = tmp_path / "charts"
    edit_stack(stack_tree, "prod", lambda c: c.update({"modelplane:chartSource": str(source)}))
    plan = render_plan(stack_tree, "prod", tmp_path / "o")  # also checks every values path against the charts
    releases = _releases(plan)
    assert len(releases) == 16
    for inputs in releases:
        assert inputs["chart"] == f"{source}/{chart_name(inputs)}-{inputs['version']}.tgz"
        assert "repositoryOpts" not in inputs
        assert (chart_name(inputs), inputs["version"]) in PINNED
    assert {row[2] for row in helm_releases(plan)} == {chart_name(r) for r in releases}


def test_the_environment_is_the_default_and_the_stack_wins(stack_tree, tmp_path, monkeypatch):
    monkeypatch.setenv("MODELPLANE_CHART_SOURCE", str(tmp_path / "from-env"))
    plan = render_plan(stack_tree, "dev", tmp_path / "a")
    assert all(r["chart"].startswith(f"{tmp_path / 'from-env'}/") for r in _releases(plan))
    edit_stack(stack_tree, "dev", lambda c: c.update({"modelplane:chartSource": str(tmp_path / "stack")}))
    plan = render_plan(stack_tree, "dev", tmp_path / "b")
    assert all(r["chart"].startswith(f"{tmp_path / 'stack'}/") for r in _releases(plan))


def test_unset_installs_from_the_upstream_repositories(rendered, monkeypatch):
    from modelplane.plan.document import read_plan

    for inputs in _releases(read_plan(rendered["prod"])):
        assert inputs["chart"] == chart_name(inputs) and inputs["repositoryOpts"]["repo"].startswith("https://")


def _archive(path, chart: str, version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        data = f"apiVersion: v2\nname: {chart}\nversion: {version}\n".encode()
        info = tarfile.TarInfo(f"{chart}/Chart.yaml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def test_preflight_names_the_archives_a_chart_source_lacks(stack_tree, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MODELPLANE_CHART_SOURCE", raising=False)
    source = tmp_path / "charts"
    edit_stack(stack_tree, "local", lambda c: c.update({"modelplane:chartSource": str(source)}))
    assert main(["preflight", "--stack", "local", "--root", str(stack_tree)]) == 1
    assert "[failed] chart-source: chartSource: " in capsys.readouterr().out
    plan = render_plan(stack_tree, "local", tmp_path / "o")
    for inputs in _releases(plan):
        _archive(source / f"{chart_name(inputs)}-{inputs['version']}.tgz", chart_name(inputs), inputs["version"])
    assert chart_source_checks(_releases(plan))[0].status == "ok"
    assert main(["preflight", "--stack", "local", "--root", str(stack_tree)]) == 0
