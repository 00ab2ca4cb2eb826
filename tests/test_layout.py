"""The fixed layout: pulumi/ and ansible/ must never shadow the installed packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_no_init_in_shadowing_directories():
    for name in ("pulumi", "ansible"):
        assert (REPO / name).is_dir()
        assert not (REPO / name / "__init__.py").exists(), f"{name}/__init__.py would shadow the package"


def test_imports_resolve_to_installed_packages_with_repo_root_on_path():
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); import pulumi, ansible; "
            "print(pulumi.__file__); print(ansible.__file__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    for path in out.stdout.split():
        assert "site-packages" in path, path


def test_pulumi_project_file():
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["name"] == "modelplane"
    assert project["runtime"]["name"] == "python"
    assert project["main"] == "pulumi/"
    assert project["stackConfigDir"] == "stacks"


def test_program_entry_point_is_the_shared_main():
    text = (REPO / "pulumi" / "__main__.py").read_text()
    assert "from components.program import main" in text and "main()" in text
