"""The hand-written model corpus (corpus/*.yaml, each with `# expect:` lines), run through the same path
as `modelplane render`: a stack whose `modelsFile` is a corpus file and whose tenants are the corpus's."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from modelplane.commands.cli import main
from tests.conftest import edit_stack

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).resolve().parents[3]
GOOD = sorted(p for p in CORPUS.glob("good-*.yaml"))
BAD = sorted(p for p in CORPUS.glob("bad-*.yaml"))


def expectations(path: Path) -> list[str]:
    return [line.removeprefix("# expect:").strip() for line in path.read_text().splitlines()
            if line.startswith("# expect:")]


def corpus_stack(root: Path, models_file: Path) -> Path:
    """A copy of stacks/ where the dev stack's models come only from `models_file`."""
    def change(config: dict) -> None:
        config.pop("modelplane:models")
        config["modelplane:modelsFile"] = str(models_file)
        config["modelplane:tenantsFile"] = str(CORPUS / "tenants.yaml")
        # all 11 good specs at once request more than the dev cluster holds (the footprint rule says so)
        config["modelplane:cluster"]["size"] = "ha"

    shutil.copytree(REPO / "stacks", root / "stacks")
    edit_stack(root, "dev", change)
    return root


def render_corpus(base: Path) -> Path:
    """Every good corpus model in one models file, rendered into base/out."""
    models = [m for p in GOOD for m in yaml.safe_load(p.read_text())["models"]]
    combined = base / "models.yaml"
    combined.write_text(yaml.safe_dump({"models": models}))
    out = base / "out"
    assert main(["render", "--stack", "dev", "--out", str(out), "--root", str(corpus_stack(base, combined))]) == 0
    return out
