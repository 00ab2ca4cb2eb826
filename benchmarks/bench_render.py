"""How building the full prod program under mocks grows with the number of models.

The baseline is the committed prod stack (2 models), measured in the same run; each row is the median
of 3 runs and its ratio to the baseline. No thresholds: a report, not a test."""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from report import save

from modelplane.engine.render import render

REPO = Path(__file__).resolve().parent.parent
SIZES = (10, 50, 200)
RUNS = 3


def tree_with_models(root: Path, count: int) -> Path:
    shutil.copytree(REPO / "stacks", root / "stacks")
    path = root / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(path.read_text())
    template = doc["config"]["modelplane:models"][0]
    doc["config"]["modelplane:models"] = [
        {**template, "name": f"model-{i:03d}"} for i in range(count)]
    # the footprint rule refuses more models than the ha preset's 6 nodes can hold: grow the node group
    doc["config"]["modelplane:cluster"]["nodeCount"] = 6 + count // 2
    path.write_text(yaml.safe_dump(doc))
    return root


def timed(root: Path) -> tuple[float, int]:
    samples, resources = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = render("prod", root).plan
        samples.append(time.perf_counter() - start)
        resources = len(plan["resources"])
    return statistics.median(samples), resources


def main() -> int:
    base_time, base_resources = timed(REPO)
    rows = [{"models": "prod as committed (2)", "resources": base_resources, "seconds": base_time, "ratio": 1.0}]
    for count in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, resources = timed(tree_with_models(Path(tmp), count))
        rows.append({"models": count, "resources": resources, "seconds": seconds, "ratio": seconds / base_time})
    print("| models | resources | median s | ratio to baseline |\n|---|---|---|---|")
    for r in rows:
        print(f"| {r['models']} | {r['resources']} | {r['seconds']:.2f} | {r['ratio']:.2f} |")
    save("render", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
