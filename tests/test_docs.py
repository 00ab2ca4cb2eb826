"""The project documents its own formats: each commented example in docs/ is valid input (so it cannot go
stale), names every key of its model, and the README points only at files in this repository."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel

from components.models.spec import ModelsFile
from components.stack import load_models_file
from components.tenants import TenantsFile, load_tenants
from modelplane.commands.cli import main

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def example(doc: str) -> str:
    [block] = re.findall(r"```yaml\n(.*?)```", (DOCS / doc).read_text(), re.S)
    return block


def keys_of(model: type[BaseModel], seen: set | None = None) -> set[str]:
    """Every key a user can write in `model`, nested models included."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    out = set()
    for name, field in model.model_fields.items():
        out.add(field.alias or name)
        for arg in [field.annotation, *typing.get_args(field.annotation)]:
            for inner in [arg, *typing.get_args(arg)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    out |= keys_of(inner, seen)
    return out


def written_keys(text: str) -> set[str]:
    return set(re.findall(r"([A-Za-z][A-Za-z0-9]*):", text))


def test_the_tenants_file_example_is_valid_and_shows_every_key(tmp_path):
    path = tmp_path / "tenants.yaml"
    path.write_text(example("tenants-file.md"))
    assert [t.name for t in load_tenants(path).tenants] == ["fraud"]
    assert keys_of(TenantsFile) - written_keys(example("tenants-file.md")) == set()


def test_the_models_file_example_is_valid_and_shows_every_key(tmp_path):
    path = tmp_path / "models.yaml"
    path.write_text(example("models-file.md"))
    assert [m.name for m in load_models_file(path)] == ["iris"]
    assert keys_of(ModelsFile) - written_keys(example("models-file.md")) == set()


def test_the_stack_file_example_renders(tmp_path):
    (tmp_path / "stacks" / "tenants").mkdir(parents=True)
    (tmp_path / "stacks" / "Pulumi.example.yaml").write_text(example("stack-config.md"))
    (tmp_path / "stacks" / "tenants" / "dev.yaml").write_text(yaml.safe_dump({"tenants": [{"name": "fraud"}]}))
    assert main(["render", "--stack", "example", "--root", str(tmp_path), "--out", str(tmp_path / "out")]) == 0


def test_the_readme_points_only_at_files_in_the_repository():
    """Issue 30, item 5: it sent readers to a DESIGN.md and seed documents that are not in the repository."""
    readme = (REPO / "README.md").read_text()
    assert "DESIGN.md" not in readme and not re.search(r"\bseeds?\b", readme, re.I)
    linked = re.findall(r"\]\(([^)#]+)\)", readme) + re.findall(r"`((?:docs|stacks|ansible|components|modelplane|"
                                                                   r"policies|tests|benchmarks|harness)/[^`*<>]+\.(?:md|py|yml|yaml))`",
                                                                   readme)
    assert linked
    missing = sorted({path for path in linked if not (REPO / path).exists()})
    assert missing == []
    for doc in ("tenants-file.md", "models-file.md", "stack-config.md"):
        assert f"docs/{doc}" in readme
