"""The repo carries no upstream file: it records where each comes from and its digest, and proves them."""

from __future__ import annotations

import shutil

import pytest

from modelplane.plan import upstream
from tests.conftest import REPO


@pytest.mark.parametrize("kind", upstream.KINDS)
def test_shared_files_are_exactly_the_locked_upstream_bytes(kind):
    assert upstream.verify(kind, upstream.directory(kind)) == []


def test_every_locked_file_names_its_upstream_source():
    lock = upstream.read_lock()
    sources = [e["source"] for e in lock["crds"].values()] + [e["source"] for e in lock["charts"].values()]
    assert sources and all("github.com/" in s for s in sources)
    assert all(s.startswith("helm: https://") for s in (e["source"] for e in lock["charts"].values()))


def test_a_changed_missing_or_unlocked_file_is_named(tmp_path):
    charts = tmp_path / "charts"
    shutil.copytree(upstream.charts_dir(), charts)
    (charts / "minio-5.4.0" / "values.yaml").write_text("mode: distributed\n")
    (charts / "argo-workflows-0.45.0" / "Chart.yaml").unlink()
    (charts / "argo-workflows-0.45.0" / "values.schema.json").write_text("{}")
    problems = upstream.verify("charts", charts)
    assert len(problems) == 3
    assert any(p.startswith("charts/minio-5.4.0/values.yaml: sha256") for p in problems)
    assert any(p.startswith("charts/argo-workflows-0.45.0/Chart.yaml: missing (upstream: helm: ") for p in problems)
    assert "charts/argo-workflows-0.45.0/values.schema.json: not in upstream.lock.yaml" in problems


def test_no_upstream_file_is_carried_in_the_repo():
    shipped = {p.name for p in REPO.rglob("*.yaml") if ".venv" not in p.parts and ".git" not in p.parts}
    assert not shipped & {p.name for p in upstream.crds_dir().glob("*.yaml")}
    assert not (REPO / "tests" / "crds").exists()


def test_help_is_help_and_an_unknown_command_is_refused(capsys):
    """Issue 30, item 8: `python -m modelplane.plan.upstream --help` ran verify."""
    for argv, code in ((["--help"], 0), (["lokc"], 2)):
        with pytest.raises(SystemExit) as exited:
            upstream.main(argv)
        assert exited.value.code == code
    out = capsys.readouterr()
    assert "verify (default)" in out.out and "invalid choice: 'lokc'" in out.err
