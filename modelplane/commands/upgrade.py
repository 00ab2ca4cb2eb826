"""`modelplane upgrade-plan --stack S --from REF`: the stack at git ref REF (N: that commit's code, pins and
stack files, rendered by that commit's own `modelplane render`) against the working tree (N+1). Nothing
touches a cluster or the checkout: REF is read with `git archive` into a scratch directory."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from modelplane.plan.upgrade import UpgradePlan, upgrade_plan
from modelplane.plan.upstream import charts_dir, crds_dir

EXIT_ERROR = 1


class UpgradeInputError(Exception):
    """A ref, stack or render at N that cannot be used: exit 1 with this message, nothing touched."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)


def render_at(root: Path, ref: str, stack: str, scratch: Path) -> dict:
    """The plan of `stack` at commit `ref` of the repository at `root`, rendered by that commit's code."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise UpgradeInputError(f"--from {ref}: not a commit of {root}")
    sha = commit.stdout.decode().strip()
    if _git(root, "cat-file", "-e", f"{sha}:stacks/Pulumi.{stack}.yaml").returncode != 0:
        raise UpgradeInputError(f"--from {ref}: stack {stack!r} does not exist there (no stacks/Pulumi.{stack}.yaml "
                                f"at {sha[:12]})")
    archive = _git(root, "archive", "--format=tar", sha)
    if archive.returncode != 0:
        raise UpgradeInputError(f"--from {ref}: git archive failed: {archive.stderr.decode().strip()}")
    tree = scratch / "tree"
    tree.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as opened:
        opened.extractall(tree, filter="data")
    return render_tree(tree, stack, scratch / "render", f"--from {ref}: stack {stack!r} does not render at {sha[:12]}")


def render_tree(tree: Path, stack: str, out: Path, failure: str, root: Path | None = None) -> dict:
    """The plan of `stack` in the checkout at `tree` (or its stacks under `root`), rendered by that checkout's
    own code (a subprocess with the tree first on the path), with this run's CRD and chart data."""
    env = {**os.environ, "PYTHONPATH": str(tree), "MODELPLANE_CRDS": str(crds_dir())}
    charts = charts_dir()
    if charts:
        env["MODELPLANE_CHARTS"] = str(charts)
    run = subprocess.run([sys.executable, "-c", "import sys; from modelplane.commands.cli import main; "
                          "sys.exit(main(sys.argv[1:]))", "render", "--stack", stack, "--out", str(out),
                          "--root", str(root or tree)], cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise UpgradeInputError(f"{failure} (exit {run.returncode}):\n{(run.stderr or run.stdout).strip()[-3000:]}")
    return json.loads((out / "plan.json").read_text())


def plan_upgrade(stack: str, ref: str, root: Path) -> UpgradePlan:
    """REF's plan against the working tree at `root`, each rendered by its own code; refused when the working
    tree's pins break a compatibility rule (components.versions, as the working tree's code states them)."""
    with tempfile.TemporaryDirectory(prefix="modelplane-upgrade.") as scratch:
        old = render_at(root, ref, stack, Path(scratch))
        new = render_tree(root, stack, Path(scratch) / "render-working-tree",
                          f"the working tree: stack {stack!r} does not render")
    plan = upgrade_plan(old, new)
    plan.refusals += [f"refused: N+1 breaks a compatibility rule: {p}" for p in compatibility_of(root)]
    return plan


def compatibility_of(tree: Path) -> list[str]:
    """components.versions.compatibility_problems() of the checkout at `tree`, by its own code."""
    run = subprocess.run([sys.executable, "-c", "import json; from components.versions import "
                          "compatibility_problems; print(json.dumps(compatibility_problems()))"],
                         cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
                         timeout=120)
    if run.returncode != 0:
        raise UpgradeInputError(f"the working tree's pins cannot be read:\n{run.stderr.strip()[-2000:]}")
    return json.loads(run.stdout)


def text_report(stack: str, ref: str, plan: UpgradePlan) -> str:
    lines = [f"upgrade of stack {stack}: {ref} (N) -> working tree (N+1)"]
    counts = {op: sum(1 for s in plan.steps if s.op == op) for op in ("create", "update", "replace", "delete")}
    lines.append("  " + "  ".join(f"{op} {n}" for op, n in counts.items()))
    for step in plan.steps:
        lines.append(f"{step.op:<8} {step.type} {step.name}")
        lines += [f"           {f}" for f in step.fields]
        if step.at_risk:
            lines.append(f"           AT RISK: {step.at_risk}")
    if plan.order:
        lines.append("order:")
        lines += [f"  {line}" for line in plan.order]
    lines += plan.refusals
    lines += [f"NOTICE: {n}" for n in plan.notices]
    verdict = "nothing at risk (exit 0)" if plan.exit_code == 0 else \
        f"{len(plan.attention)} item(s) need attention (exit 2)"
    return "\n".join([*lines, verdict]) + "\n"


def json_report(stack: str, ref: str, plan: UpgradePlan) -> str:
    return json.dumps({"stack": stack, "from": ref, "exitCode": plan.exit_code, "refusals": plan.refusals,
                       "order": plan.order, "notices": plan.notices, "attention": plan.attention,
                       "steps": [{"op": s.op, "type": s.type, "name": s.name, "urn": s.urn, "fields": s.fields,
                                  "atRisk": s.at_risk} for s in plan.steps]}, indent=2) + "\n"
