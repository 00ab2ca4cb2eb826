"""Onboarding 10, 100 and 1,000 tenants with the playbook, against the same objects applied by one
`kubectl apply --server-side` (the bound), in one run on one real control plane.

For each size, on fresh namespaces:
- bound: one `kubectl apply --server-side -f` of every tenant object, built by modelplane.onboarding (the
  code the playbook runs) for a second set of tenants of the same shapes; then the same command again;
- playbook: `ansible-playbook onboard.yml` (validation, objects, OPA grants, Argo CD project): first run,
  no-change re-run, and a re-run after exactly one tenant changed.
Mutating requests are counted in the audit log. Targets (issue 16): first run <= 2.0x the bound, re-run
<= 1.5x the bound's re-run with 0 mutating requests, time per tenant not growing from 100 to 1,000.
A report, not a test: it prints what it measured, targets met or not.
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
from report import save

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from components.tenants import parse_tenants  # noqa: E402
from harness.controlplane import ADMIN, TEST_USERS, ControlPlane  # noqa: E402
from modelplane.cluster.apply import apply_objects, read_manifests  # noqa: E402
from modelplane.cluster.crds import load_crds  # noqa: E402
from modelplane.cluster.kube import Kube  # noqa: E402
from modelplane.engine.render import render  # noqa: E402
from modelplane.onboarding.engine import desired_state  # noqa: E402
from modelplane.onboarding.objects import Options, PlatformFacts  # noqa: E402
from modelplane.plan.report import write_plan  # noqa: E402
from tests.ansible.conftest import generated_tenants  # noqa: E402

SIZES = (10, 100, 1000)


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def bound_objects(kube: Kube, tenants: dict) -> list[dict]:
    """The objects the playbook would write for `tenants`, built by the same code from the same facts."""
    facts = kube.get("v1", "ConfigMap", "seldon-system", "modelplane-platform")["data"]
    desired = desired_state(parse_tenants(tenants).tenants, PlatformFacts.model_validate(facts), Options())
    return sorted(desired.objects, key=lambda o: o["kind"] != "Namespace")


def measure(plane: ControlPlane, work: Path, size: int, env: dict, kubectl: str) -> dict:
    kube = Kube.from_kubeconfig(plane.kubeconfig(ADMIN))
    play_file = work / f"play-{size}.yaml"
    play = generated_tenants(f"p{size}", size)
    play_file.write_text(yaml.safe_dump(play))
    bound_file = work / f"bound-{size}.yaml"
    objects = bound_objects(kube, generated_tenants(f"b{size}", size))
    bound_file.write_text(yaml.safe_dump_all(objects))
    playbook = [str(Path(sys.executable).parent / "ansible-playbook"), "ansible/playbooks/onboard.yml",
                "-e", f"tenants_file={play_file}"]
    ssa = [kubectl, "apply", "--server-side", "--field-manager=bench", "-f", str(bound_file)]
    row = {"tenants": size, "objects": len(objects)}
    row["bound_first"] = timed(ssa, env)
    row["bound_rerun"] = timed(ssa, env)
    for run in ("first", "rerun", "one_changed"):
        if run == "one_changed":
            play["tenants"][size // 2]["users"] = {f"user-{size // 2}": "write"}
            play_file.write_text(yaml.safe_dump(play))
        since = len(plane.audit_events())
        row[f"playbook_{run}"] = timed(playbook, env)
        writes = plane.mutating_requests(ADMIN, since)
        row[f"playbook_{run}_mutating_requests"] = len(writes)
        if run == "one_changed":
            row["one_changed_writes"] = sorted(f"{e['verb']} {e['objectRef']['resource']} "
                                               f"{e['objectRef'].get('namespace', '-')}/{e['objectRef']['name']}"
                                               for e in writes)
    row["ratio_first"] = row["playbook_first"] / row["bound_first"]
    row["ratio_rerun"] = row["playbook_rerun"] / row["bound_rerun"]
    row["ms_per_tenant_first"] = 1000 * row["playbook_first"] / size
    return row


def main() -> int:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("bench_onboard: kubectl not found; the bound cannot be measured, skipped")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench-onboard."))
    plane = ControlPlane(work / "plane", users=TEST_USERS).start()
    rows = []
    try:
        kubeconfig = plane.kubeconfig(ADMIN)
        load_crds(kubeconfig)
        rendered = render("prod")
        write_plan(work / "prod", rendered.plan, rendered.notes)
        platform = [o for o in read_manifests(work / "prod" / "manifests") if o["kind"] != "SeldonDeployment"]
        apply_objects(kubeconfig, platform)
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "ANSIBLE_CONFIG": "ansible/ansible.cfg"}
        rows = [measure(plane, work, size, env, kubectl) for size in SIZES]
    finally:
        plane.stop()
        shutil.rmtree(work, ignore_errors=True)

    print("onboarding with the playbook vs one `kubectl apply --server-side` of the same objects (the bound)\n")
    print("| tenants | objects | bound first (s) | playbook first (s) | ratio | bound re-run (s) | playbook re-run (s) "
          "| ratio | re-run writes | one changed (s) | one changed writes | ms/tenant (first) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['tenants']} | {r['objects']} | {r['bound_first']:.2f} | {r['playbook_first']:.2f} | "
              f"{r['ratio_first']:.2f} | {r['bound_rerun']:.2f} | {r['playbook_rerun']:.2f} | {r['ratio_rerun']:.2f} | "
              f"{r['playbook_rerun_mutating_requests']} | {r['playbook_one_changed']:.2f} | "
              f"{r['playbook_one_changed_mutating_requests']} | {r['ms_per_tenant_first']:.1f} |")
    for r in rows:
        print(f"\n{r['tenants']} tenants, one tenant changed, writes: {', '.join(r['one_changed_writes'])}")
    print("\ntargets: first run <= 2.0x the bound; re-run <= 1.5x the bound's re-run with 0 mutating requests; "
          "ms/tenant not growing from 100 to 1,000")
    save("onboard", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
