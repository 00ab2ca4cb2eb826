"""The offline part of `modelplane charts`: a packaged chart becomes exactly the locked data files."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import yaml

from modelplane.commands.cli import main
from modelplane.plan import upstream


def package(source: Path, name: str, out: Path) -> Path:
    """A chart archive as `helm package` lays it out: <name>/ with templates, subcharts as nested archives."""
    def add(tar: tarfile.TarFile, arcname: str, data: bytes) -> None:
        info = tarfile.TarInfo(arcname)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    archive = out / f"{name}.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for f in ("Chart.yaml", "values.yaml", "values.schema.json"):
            if (source / f).is_file():
                add(tar, f"{name}/{f}", (source / f).read_bytes())
        add(tar, f"{name}/templates/deployment.yaml", b"kind: Deployment  # templates never leave the archive\n")
        for sub in sorted((source / "charts").iterdir()) if (source / "charts").is_dir() else []:
            nested = package(sub, sub.name, out)
            add(tar, f"{name}/charts/{sub.name}-1.0.0.tgz", nested.read_bytes())
    return archive


def test_extract_keeps_exactly_the_locked_data_files(tmp_path):
    source = upstream.charts_dir() / "kube-prometheus-stack-77.0.0"
    archive = package(source, "kube-prometheus-stack", tmp_path)
    into = tmp_path / "charts"
    assert main(["charts", "extract", str(archive), "--into", str(into)]) == 0
    folder = into / "kube-prometheus-stack-77.0.0"
    lock = upstream.read_lock()["charts"]["kube-prometheus-stack-77.0.0"]["files"]
    assert upstream.upstream_files(folder) == lock
    assert not list(folder.rglob("templates"))


def test_extract_names_the_folder_after_the_pin_and_refuses_a_non_chart(tmp_path, capsys):
    from modelplane.commands.charts import extract

    source = upstream.charts_dir() / "knative-operator-v1.22.2"
    archive = package(source, "knative-operator", tmp_path)
    folder = extract(archive, tmp_path / "charts", folder="knative-operator-v1.22.2")
    assert yaml.safe_load((folder / "Chart.yaml").read_text())["version"] == "1.22.2"
    bogus = tmp_path / "bogus.tgz"
    with tarfile.open(bogus, "w:gz") as tar:
        info = tarfile.TarInfo("a/readme.txt")
        tar.addfile(info, io.BytesIO(b""))
    assert main(["charts", "extract", str(bogus), "--into", str(tmp_path / "c")]) == 2
    assert "no a/Chart.yaml in the archive" in capsys.readouterr().err


def test_pull_without_helm_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["charts", "pull", str(tmp_path / "charts")]) == 2
    assert "helm is not installed" in capsys.readouterr().err
