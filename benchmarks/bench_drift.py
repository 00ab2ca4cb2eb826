"""`modelplane drift` over 100 onboarded tenants against `kubectl get` of the same kinds across all
namespaces, in one run on one real control plane (issue 17: drift <= 2x kubectl get).

The cluster: the dev plan's objects, Helm's release records for its releases, and dev's tenants plus 97
generated ones onboarded by the engine. Each command runs 3 times; the medians are compared. `drift --plan`
reads the plan `modelplane render` wrote; `drift` alone renders the stack first (what a CI job runs).
A report, not a test.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from report import save

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from components.tenants import parse_tenants  # noqa: E402
from harness.controlplane import ADMIN, STAND_IN_SECRET, ControlPlane  # noqa: E402
from modelplane.cluster.apply import apply_objects, read_manifests  # noqa: E402
from modelplane.cluster.crds import load_crds  # noqa: E402
from modelplane.cluster.kube import RESOURCES, Kube  # noqa: E402
from modelplane.drift.compute import UNMANAGED_KINDS  # noqa: E402
from modelplane.drift.desired import desired  # noqa: E402
from modelplane.engine.render import render  # noqa: E402
from modelplane.onboarding.grants import apply_grants  # noqa: E402
from modelplane.onboarding.objects import PlatformFacts  # noqa: E402
from modelplane.onboarding.role import role_options  # noqa: E402
from modelplane.onboarding.run import onboard  # noqa: E402
from modelplane.plan.document import helm_releases  # noqa: E402
from modelplane.plan.report import write_plan  # noqa: E402
from tests.ansible.conftest import generated_tenants  # noqa: E402
from tests.fakes.helm import release_secret  # noqa: E402

TENANTS = 100
RUNS = 3


def median_time(argv: list[str], env: dict, ok: tuple[int, ...] = (0,)) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in ok:
            raise RuntimeError(f"{' '.join(argv[:4])} exited {proc.returncode}:\n{proc.stdout[-1500:]}"
                               f"{proc.stderr[-1500:]}")
    return statistics.median(times)


def kubectl_resources(kinds: set[tuple[str, str]]) -> str:
    names = []
    for api_version, kind in sorted(kinds):
        plural = RESOURCES[(api_version, kind)][0]
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        names.append(f"{plural}.{group}" if group else plural)
    return ",".join(names)


def main() -> int:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("bench_drift: kubectl not found; the bound cannot be measured, skipped")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-drift."))
    plane = ControlPlane(work / "plane").start()
    try:
        admin = plane.kubeconfig(ADMIN)
        load_crds(admin)
        root = work / "root"
        shutil.copytree(REPO / "stacks", root / "stacks")
        tenants_path = root / "stacks" / "tenants" / "dev.yaml"
        data = yaml.safe_load(tenants_path.read_text())
        data["tenants"] += generated_tenants("t", TENANTS - len(data["tenants"]))["tenants"]
        tenants_path.write_text(yaml.safe_dump(data))
        rendered = render("dev", root)
        write_plan(work / "dev", rendered.plan, rendered.notes)
        objects = read_manifests(work / "dev" / "manifests", fill_redacted=STAND_IN_SECRET)
        apply_objects(admin, [o for o in objects if o["kind"] != "SeldonDeployment"])
        kube = Kube.from_kubeconfig(admin)
        for name, namespace, chart, version, _repo in helm_releases(rendered.plan):
            kube.create(release_secret(name, namespace, chart, version))
        facts = kube.get("v1", "ConfigMap", "seldon-system", "modelplane-platform")["data"]
        tenants = parse_tenants(data)
        onboard(kube, tenants.tenants, PlatformFacts.model_validate(facts), role_options())
        apply_grants(kube, "seldon-system", {t.name: t.opa_grants() for t in tenants.tenants})
        gitops = [yaml.safe_load(p.read_text()) for p in sorted((work / "dev" / "gitops").rglob("*.yaml"))]
        apply_objects(admin, [o for o in objects if o["kind"] == "SeldonDeployment"] + gitops)

        want = desired(rendered.plan, tenants, role_options())
        kinds = {(e.obj["apiVersion"], e.obj["kind"]) for e in want.objects} | UNMANAGED_KINDS
        env = {**os.environ, "KUBECONFIG": str(admin)}
        drift = [str(Path(sys.executable).parent / "modelplane"), "drift", "--stack", "dev", "--root", str(root)]
        results = {"tenants": TENANTS, "objects": sum(len(kube.list(*k)) for k in kinds), "kinds": len(kinds)}
        results["kubectl_get"] = median_time([kubectl, "get", kubectl_resources(kinds), "-A", "-o", "json"], env)
        results["drift_plan"] = median_time([*drift, "--plan", str(work / "dev"), "--format", "json"], env)
        results["drift_render"] = median_time([*drift, "--format", "json"], env)
    finally:
        plane.stop()
        shutil.rmtree(work, ignore_errors=True)

    results["ratio_plan"] = results["drift_plan"] / results["kubectl_get"]
    results["ratio_render"] = results["drift_render"] / results["kubectl_get"]
    print(f"drift over {TENANTS} onboarded tenants ({results['objects']} live objects of {results['kinds']} kinds), "
          f"median of {RUNS}\n")
    print("| command | seconds | / kubectl get |\n|---|---|---|")
    print(f"| kubectl get <the same kinds> -A -o json | {results['kubectl_get']:.2f} | 1.00 |")
    print(f"| modelplane drift --plan DIR (plan rendered before) | {results['drift_plan']:.2f} | "
          f"{results['ratio_plan']:.2f} |")
    print(f"| modelplane drift (renders the stack first) | {results['drift_render']:.2f} | "
          f"{results['ratio_render']:.2f} |")
    print("\ntarget: drift <= 2.0x kubectl get")
    save("drift", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
