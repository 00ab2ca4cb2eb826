"""`pulumi up` of prod in its existing-cluster form, with 0 and 200 models, against `kubectl apply
--server-side` of the same manifests, first run and no-change re-run, measured in one run.

Each side gets a fresh control plane with the upstream CRDs and the models' tenant namespaces (created
plainly beforehand: onboarding is not what is measured, and it needs the platform installed). The
engine also installs the Helm releases (stand-in charts, as in tests/modelplane/engine) and creates the
generated passwords; kubectl applies only the Kubernetes objects `modelplane render` writes (secret values
stood in). No target yet: this is the baseline. A report, not a test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from kubernetes import client
from report import save

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from harness.controlplane import ADMIN, STAND_IN_SECRET  # noqa: E402
from modelplane.cluster.apply import read_manifests  # noqa: E402
from modelplane.plan.report import write_plan  # noqa: E402
from tests.modelplane.engine.conftest import prepare  # noqa: E402

SIZES = (0, 200)


def stacks_with_models(root: Path, count: int) -> Path:
    """stacks/ with prod's models replaced by `count` copies of churn, in its namespace (marketing: Pulumi
    applies its models; credit-risk's and payments' go to their GitOps repos instead)."""
    shutil.copytree(REPO / "stacks", root / "stacks")
    path = root / "stacks" / "Pulumi.prod.yaml"
    doc = yaml.safe_load(path.read_text())
    [template] = [m for m in doc["config"].pop("modelplane:models") if m["namespace"] == "marketing"]
    # a models file, not stack config: Pulumi hands the program its whole config in one environment
    # variable, which Linux caps at 128 KiB (200 models inline exceed it: "argument list too long")
    models = root / "stacks" / "models" / "prod.yaml"
    models.parent.mkdir(exist_ok=True)
    models.write_text(yaml.safe_dump({"models": [{**template, "name": f"model-{i:03d}"} for i in range(count)]}))
    doc["config"]["modelplane:modelsFile"] = "stacks/models/prod.yaml"
    # the footprint rule refuses more models than the ha preset's 6 nodes can hold: grow the node group
    doc["config"]["modelplane:cluster"]["nodeCount"] = 6 + count // 2
    path.write_text(yaml.safe_dump(doc))
    return root / "stacks"


def tenant_namespaces(d, plan: dict) -> None:
    core = client.CoreV1Api(d.api())
    for name in sorted({r["inputs"]["metadata"]["namespace"] for r in plan["resources"]
                        if r["type"].endswith(":SeldonDeployment")}):
        core.create_namespace({"metadata": {"name": name}})


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def engine_side(stacks: Path, work: Path) -> tuple[float, float, dict]:
    d = prepare("prod", work, stacks=stacks)
    try:
        tenant_namespaces(d, d.plan)
        first = timed(lambda: d.engine.up())
        again = timed(lambda: d.engine.up())
        return first, again, d.plan
    finally:
        d.close()


def kubectl_side(stacks: Path, plan: dict, work: Path) -> tuple[float, float, int]:
    d = prepare("prod", work, stacks=stacks)
    try:
        tenant_namespaces(d, plan)
        write_plan(work / "render", plan, [])
        objects = read_manifests(work / "render" / "manifests", fill_redacted=STAND_IN_SECRET)
        objects.sort(key=lambda o: o["kind"] != "Namespace")
        manifests = work / "objects.yaml"
        manifests.write_text(yaml.safe_dump_all(objects))
        argv = ["kubectl", "--kubeconfig", str(d.plane.kubeconfig(ADMIN)), "apply", "--server-side",
                "--field-manager", "bench", "-f", str(manifests)]

        def apply() -> None:
            subprocess.run(argv, check=True, capture_output=True, text=True, env=os.environ)

        return timed(apply), timed(apply), len(objects)
    finally:
        d.close()


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in SIZES:
            base = Path(tmp) / f"models-{count}"
            stacks = stacks_with_models(base, count)
            up_first, up_again, plan = engine_side(stacks, base / "engine")
            kubectl_first, kubectl_again, objects = kubectl_side(stacks, plan, base / "kubectl")
            rows.append({"models": count, "resources": len(plan["resources"]), "objects": objects,
                         "up_first": up_first, "kubectl_first": kubectl_first,
                         "ratio_first": up_first / kubectl_first, "up_again": up_again,
                         "kubectl_again": kubectl_again, "ratio_again": up_again / kubectl_again})
    print("| models | resources (objects) | run | pulumi up s | kubectl apply --server-side s | ratio |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        for run, key in (("first", "first"), ("no-change re-run", "again")):
            print(f"| {r['models']} | {r['resources']} ({r['objects']}) | {run} | {r['up_' + key]:.2f} | "
                  f"{r['kubectl_' + key]:.2f} | {r['ratio_' + key]:.2f}x |")
    save("up", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
