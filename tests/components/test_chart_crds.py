"""The CRDs of a chart archive's crds/ folders (its own and its subcharts'), which Helm never upgrades and
the program applies itself; templated CRDs are Helm's and left out."""

from __future__ import annotations

import io
import tarfile

import yaml

from components.chart_crds import crds_in_archive


def crd(name: str) -> dict:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": name},
            "spec": {"group": "example.com", "versions": [{"name": "v1", "served": True, "storage": True}]}}


def archive(path, files: dict[str, str]) -> None:
    with tarfile.open(path, "w:gz") as opened:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            opened.addfile(info, io.BytesIO(text.encode()))


def test_the_crds_folders_of_the_chart_and_its_subcharts_are_read_and_templates_are_not(tmp_path):
    path = tmp_path / "kube-prometheus-stack-77.0.0.tgz"
    archive(path, {
        "kube-prometheus-stack/Chart.yaml": "name: kube-prometheus-stack\n",
        "kube-prometheus-stack/charts/crds/crds/crd-podmonitors.yaml": yaml.safe_dump(crd("podmonitors.example.com")),
        "kube-prometheus-stack/crds/two.yaml": yaml.safe_dump_all([crd("a.example.com"), {"kind": "ConfigMap"},
                                                                    crd("b.example.com")]),
        "kube-prometheus-stack/templates/crd.yaml": yaml.safe_dump(crd("templated.example.com")),
        "kube-prometheus-stack/charts/crds/crds/README.md": "not yaml",
    })
    assert [c["metadata"]["name"] for c in crds_in_archive(path)] == [
        "podmonitors.example.com", "a.example.com", "b.example.com"]


def test_no_archive_no_crds(tmp_path):
    assert crds_in_archive(tmp_path / "missing.tgz") == []
