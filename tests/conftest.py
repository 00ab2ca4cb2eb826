"""Shared fixtures: rendered plans of the committed stacks, and the real control plane."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from modelplane.engine.render import render
from modelplane.plan.document import read_plan
from modelplane.plan.report import write_plan

STACKS = ("local", "dev", "staging", "prod")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Each committed stack rendered once, exactly as `modelplane render --stack S --out DIR` does."""
    out = {}
    base = tmp_path_factory.mktemp("rendered")
    for stack in STACKS:
        rendered = render(stack)
        write_plan(base / stack, rendered.plan, rendered.notes, rendered.footprint, rendered.charts)
        out[stack] = base / stack
    return out


@pytest.fixture(scope="session")
def corpus_render(tmp_path_factory) -> Path:
    """The good model corpus (tests/components/models/corpus) rendered once."""
    from tests.components.models.model_corpus import render_corpus

    return render_corpus(tmp_path_factory.mktemp("corpus"))


def edit_stack(root: Path, stack: str, change) -> None:
    """Apply `change` to the `config:` mapping of stacks/Pulumi.<stack>.yaml under `root`."""
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc["config"])
    path.write_text(yaml.safe_dump(doc))


def render_plan(root: Path, stack: str, out: Path) -> dict:
    """`modelplane render --stack STACK --out OUT --root ROOT` through the CLI (exit 0), and its plan. Every
    variant a test renders this way also has its Helm values checked against the pinned charts."""
    from modelplane.commands.cli import main
    from modelplane.plan.charts import ChartStore, check_releases
    from modelplane.plan.document import HELM_RELEASE
    from modelplane.plan.upstream import charts_dir

    assert main(["render", "--stack", stack, "--out", str(out), "--root", str(root)]) == 0
    plan = read_plan(out)
    releases = [r["inputs"] for r in plan["resources"] if r["type"] == HELM_RELEASE]
    problems = [(c.release, str(p)) for c in check_releases(ChartStore(charts_dir()), releases) for p in c.problems]
    assert problems == [], f"{stack} variant: Helm values the pinned charts do not have: {problems}"
    return plan


@pytest.fixture
def stack_tree(tmp_path) -> Path:
    """A copy of stacks/ in a scratch root, for tests that edit stack or tenants files."""
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    return tmp_path


@pytest.fixture(scope="session")
def controlplane(tmp_path_factory):
    """etcd + kube-apiserver + kube-controller-manager at the target Kubernetes version (make toolchain),
    with every shared CRD loaded as shipped."""
    from harness.controlplane import ADMIN, TEST_USERS, ControlPlane
    from modelplane.cluster.crds import load_crds

    plane = ControlPlane(tmp_path_factory.mktemp("controlplane"), users=TEST_USERS).start()
    try:
        plane.crds = load_crds(plane.kubeconfig(ADMIN))
        yield plane
    finally:
        plane.stop()
