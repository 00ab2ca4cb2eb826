"""`modelplane check --plan` vs checkov on the same rendered manifests, in the same run: the prod plan, and
prod with 200 and 1,000 models (as bench_render sizes them).

Both run as a user runs them (a fresh process each, median of RUNS), from bytecode: checkov's comes with its
`pip install`; modelplane's editable checkout is compiled the same way first (where PYTHONDONTWRITEBYTECODE
is set, as on this machine, each process would otherwise compile modelplane's modules from source). Planted
in every plan:
- a SeldonDeployment breaking MP001-MP003 (image `:latest`, a privileged container without limits,
  hostNetwork);
- for every Pod Security control (MP023-MP033), a SeldonDeployment and a Deployment in a tenant namespace
  that break exactly that control, and a clean pair meeting the restricted profile.
The coverage tables say what each tool flags on this platform's objects: for checkov, the checks that fail
on a broken object and not on its clean twin. checkov comes from its own virtualenv (CHECKOV, set by
`make bench`). A report, not a test."""

from __future__ import annotations

import compileall
import copy
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_render import tree_with_models
from report import save

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from modelplane.commands.check import check_stack  # noqa: E402
from modelplane.engine.render import render  # noqa: E402
from modelplane.plan.report import write_plan  # noqa: E402
from policies.rules import RULES  # noqa: E402
from tests.policies.test_pod_security import CONTROLS, template  # noqa: E402

RUNS = 3
SIZES = (200, 1000)
TENANT = "marketing"  # a prod tenant: its namespace must meet the restricted profile
CHECKOV = os.environ.get("CHECKOV", str(REPO / ".venv-bench" / "bin" / "checkov"))
# checkov's Kubernetes checks that address the same concern as a rule (names checked against checkov 3.3.30)
RELATED = {
    "MP001": ["CKV_K8S_14 Image Tag should be fixed - not latest or blank", "CKV_K8S_43 Image should use digest"],
    "MP002": ["CKV_K8S_10 CPU requests", "CKV_K8S_11 CPU limits", "CKV_K8S_12 Memory requests",
              "CKV_K8S_13 Memory limits"],
    "MP003": ["CKV_K8S_16 privileged", "CKV_K8S_17 hostPID", "CKV_K8S_18 hostIPC", "CKV_K8S_19 hostNetwork"],
}


def _resource(kind: str, name: str, inputs: dict) -> dict:
    return {"type": f"kubernetes:{inputs['apiVersion']}:{kind}", "name": name,
            "urn": f"urn:pulumi:prod::modelplane::bench:{kind}::{name}", "parent": None, "custom": True,
            "provider": "", "inputs": inputs, "dependsOn": [], "options": {}}


def pss_pair(name: str, pod: dict) -> list[dict]:
    sdep = {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
            "metadata": {"name": name, "namespace": TENANT},
            "spec": {"predictors": [{"name": "default", "traffic": 100, "replicas": 2,
                                     "graph": {"name": "m", "type": "MODEL"}, "componentSpecs": [pod]}]}}
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": f"{name}-deploy", "namespace": TENANT},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                       "template": {**copy.deepcopy(pod), "metadata": {
                           **pod.get("metadata", {}), "labels": {"app": name}}}}}
    return [_resource("SeldonDeployment", name, sdep), _resource("Deployment", f"{name}-deploy", deploy)]


def planted(plan: dict) -> dict:
    plan = copy.deepcopy(plan)
    legacy = template("pod", {"hostNetwork": True, "containers": [
        {"name": "model", "image": "seldonio/mock_classifier:latest", "securityContext": {"privileged": True}}]})
    plan["resources"] += pss_pair("planted", legacy)[:1]
    plan["resources"] += pss_pair("pss-clean", template())
    for rule_id, (where, change, _) in CONTROLS.items():
        plan["resources"] += pss_pair(f"pss-{rule_id.lower()}", template(where, change))
    return plan


def median_seconds(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    samples, last = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        last = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), last


def checkov_failures(output: str) -> dict[str, set[str]]:
    """resource -> the check ids that failed on it."""
    reports, decoder, at = [], json.JSONDecoder(), 0
    while output[at:].strip():  # one JSON document per directory given with -d
        at = len(output) - len(output[at:].lstrip())
        document, at = decoder.raw_decode(output, at)
        reports += document if isinstance(document, list) else [document]
    out: dict[str, set[str]] = {}
    for report in reports:
        for failed in (report.get("results") or {}).get("failed_checks", []):
            out.setdefault(failed["resource"], set()).add(f"{failed['check_id']}")
    return out


def failed_on(failures: dict[str, set[str]], kind: str, name: str) -> set[str]:
    return {c for resource, checks in failures.items() if resource.startswith(f"{kind}.")
            and resource.endswith(f".{name}") for c in checks}


def import_times(cmd: list[str]) -> dict[str, float]:
    """Top-level imports of one run, as `python -X importtime` reports them: module -> cumulative ms."""
    stderr = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True,
                            cwd=REPO).stderr
    out = {}
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cumulative, name = line.split("|")
            if name.startswith(" ") and not name.startswith("  ") and cumulative.strip().isdigit():
                out[name.strip()] = int(cumulative) / 1000
    return out


def measure(root: Path, plan: dict, out: Path) -> dict:
    write_plan(out, planted(plan), [])
    objects = sum(len(list((out / d).rglob("*.yaml"))) for d in ("manifests", "gitops"))
    check = ["-m", "modelplane.commands.cli", "check", "--stack", "prod", "--root", str(root), "--plan", str(out),
             "--format", "json"]
    ours, ours_run = median_seconds([sys.executable, *check])
    imports = import_times(check)
    warm = []
    for _ in range(RUNS):
        gc.collect()  # the previous run's garbage is not this run's time
        start = time.perf_counter()
        check_stack("prod", root, out)
        warm.append(time.perf_counter() - start)
    # the same objects for both: the applied manifests and the GitOps files (models of GitOps tenants)
    dirs = [arg for d in ("manifests", "gitops") if (out / d).is_dir() for arg in ("-d", str(out / d))]
    theirs, theirs_run = median_seconds([CHECKOV, *dirs, "--framework", "kubernetes", "--quiet", "--compact",
                                         "-o", "json", "--skip-download"])
    return {"objects": objects, "ours": ours, "in_process": statistics.median(warm), "checkov": theirs,
            "ratio": theirs / ours, "findings": json.loads(ours_run.stdout)["findings"],
            "failures": checkov_failures(theirs_run.stdout), "imports": imports}


def main() -> int:
    if not Path(CHECKOV).exists():
        print(f"checkov not found at {CHECKOV}; `make bench` installs it into .venv-bench", file=sys.stderr)
        return 1
    for package in ("modelplane", "components", "policies"):
        compileall.compile_dir(REPO / package, quiet=1)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        rows["prod"] = measure(REPO, render("prod").plan, Path(tmp) / "prod")
        for count in SIZES:
            root = tree_with_models(Path(tmp) / f"tree-{count}", count)
            rows[f"{count} models"] = measure(root, render("prod", root).plan, Path(tmp) / f"plan-{count}")

    print(f"modelplane check --plan vs checkov 3.3.30 on the same manifests, median of {RUNS} process runs each\n")
    print("| plan | manifests | modelplane check (s) | checkov (s) | checkov / check | in-process evaluation (s) "
          "| ms per manifest |\n|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['objects']} | {r['ours']:.2f} | {r['checkov']:.2f} | {r['ratio']:.1f}x | "
              f"{r['in_process']:.3f} | {1000 * r['in_process'] / r['objects']:.2f} |")
    met = all(r["ratio"] >= 10 for r in rows.values())
    print(f"\ntarget: modelplane check >= 10x faster than checkov on every plan: {'met' if met else 'NOT met'}\n")
    imports = rows["prod"]["imports"]
    heavy = sorted({"pulumi", "pulumi_kubernetes", "pydantic", "pydantic_core", "hvac", "kubernetes"} & set(imports))
    top = sorted(imports.items(), key=lambda item: -item[1])[:5]
    print(f"imports of one `check --plan` on prod (python -X importtime, top level): {sum(imports.values()):.0f} ms "
          f"in all; largest: {', '.join(f'{name} {ms:.0f} ms' for name, ms in top)}; Pulumi SDK, pydantic, hvac, "
          f"kubernetes: {', '.join(heavy) or 'none imported'}\n")

    prod = rows["prod"]
    ours_on = {f["rule"] for f in prod["findings"] if "planted" in f["resource"]}
    on_planted = failed_on(prod["failures"], "SeldonDeployment", "planted")
    print("| rule | title | flags planted | related checkov checks | checkov flags planted |\n|---|---|---|---|---|")
    coverage = []
    for rule_id in ("MP001", "MP002", "MP003"):
        related = RELATED[rule_id]
        hit = sorted(c.split()[0] for c in related if c.split()[0] in on_planted)
        coverage.append({"rule": rule_id, "related": related, "checkov_flags_planted": hit})
        print(f"| {rule_id} | {RULES[rule_id].title} | {'yes' if rule_id in ours_on else '-'} | "
              f"{', '.join(related)} | {', '.join(hit) or 'no'} |")

    print("\nPod Security controls, one planted object per control and kind (checkov: checks failing on the broken "
          "object and not on its clean twin)\n")
    print("| rule | control | modelplane on the SeldonDeployment | checkov on it | modelplane on the Deployment "
          "| checkov on it |\n|---|---|---|---|---|---|")
    clean = {kind: failed_on(prod["failures"], kind, name)
             for kind, name in (("SeldonDeployment", "pss-clean"), ("Deployment", "pss-clean-deploy"))}
    for rule_id in sorted(CONTROLS):
        row = {"rule": rule_id}
        cells = []
        planted_pair = (("SeldonDeployment", f"pss-{rule_id.lower()}"), ("Deployment", f"pss-{rule_id.lower()}-deploy"))
        for kind, name in planted_pair:
            ours = [f["message"] for f in prod["findings"] if f["rule"] == rule_id and f"/{name}" in f["resource"]
                    and f"{name}-deploy" not in f["resource"]]
            theirs = sorted(failed_on(prod["failures"], kind, name) - clean[kind])
            row[kind] = {"modelplane": ours, "checkov": theirs}
            cells += ["; ".join(ours) or "NOT flagged", ", ".join(theirs) or "nothing"]
        coverage.append(row)
        print(f"| {rule_id} | {RULES[rule_id].title.removeprefix('Pod Security: ')} | " + " | ".join(cells) + " |")
    save("check", {"plans": {k: {x: v for x, v in r.items() if x not in ("findings", "failures")}
                             for k, r in rows.items()}, "coverage": coverage})
    return 0


if __name__ == "__main__":
    sys.exit(main())
