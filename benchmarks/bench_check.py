"""`modelplane check` vs checkov on the same rendered prod manifests, in the same run.

Both run as a user runs them (a fresh process each, median of RUNS). A SeldonDeployment with planted
violations (image `:latest`, a privileged container without limits, hostNetwork) is added to the
manifests, so the coverage table says what each tool actually flags on this platform's objects, not
what its documentation promises. checkov comes from its own virtualenv (CHECKOV, set by `make bench`)."""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import save

from modelplane.check import check_stack
from modelplane.plan import write_plan
from modelplane.render import render
from policies.rules import RULES

REPO = Path(__file__).resolve().parent.parent
RUNS = 3
CHECKOV = os.environ.get("CHECKOV", str(REPO / ".venv-bench" / "bin" / "checkov"))
# checkov's Kubernetes checks that address the same concern as a rule (names checked against checkov 3.3.30)
RELATED = {
    "MP001": ["CKV_K8S_14 Image Tag should be fixed - not latest or blank", "CKV_K8S_43 Image should use digest"],
    "MP002": ["CKV_K8S_10 CPU requests", "CKV_K8S_11 CPU limits", "CKV_K8S_12 Memory requests",
              "CKV_K8S_13 Memory limits"],
    "MP003": ["CKV_K8S_16 privileged", "CKV_K8S_17 hostPID", "CKV_K8S_18 hostIPC", "CKV_K8S_19 hostNetwork"],
}


def planted(plan: dict) -> dict:
    """The prod plan with one more SeldonDeployment that breaks MP001, MP002 and MP003."""
    plan = copy.deepcopy(plan)
    sdep = copy.deepcopy(next(r for r in plan["resources"] if r["type"].endswith(":SeldonDeployment")))
    sdep["name"] = sdep["inputs"]["metadata"]["name"] = "planted"
    sdep["urn"] += "-planted"
    pod = sdep["inputs"]["spec"]["predictors"][0]["componentSpecs"][0]["spec"]
    pod["hostNetwork"] = True
    pod["containers"] = [{"name": "model", "image": "seldonio/mock_classifier:latest",
                          "securityContext": {"privileged": True}}]
    plan["resources"].append(sdep)
    return plan


def median_seconds(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    samples, last = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        last = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), last


def checkov_failures(output: str) -> dict[str, set[str]]:
    """check id -> resources it failed."""
    reports = json.loads(output)
    reports = reports if isinstance(reports, list) else [reports]
    out: dict[str, set[str]] = {}
    for report in reports:
        for failed in (report.get("results") or {}).get("failed_checks", []):
            out.setdefault(failed["check_id"], set()).add(failed["resource"])
    return out


def main() -> int:
    if not Path(CHECKOV).exists():
        print(f"checkov not found at {CHECKOV}; `make bench` installs it into .venv-bench", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rendered = render("prod")
        out = Path(tmp) / "prod"
        write_plan(out, planted(rendered.plan), rendered.notes)
        objects = len(list((out / "manifests").rglob("*.yaml")))
        ours, ours_run = median_seconds([sys.executable, "-m", "modelplane.cli", "check", "--stack", "prod",
                                         "--plan", str(out), "--format", "json"])
        warm = []
        for _ in range(RUNS):
            start = time.perf_counter()
            check_stack("prod", REPO, out)
            warm.append(time.perf_counter() - start)
        in_process = statistics.median(warm)
        theirs, theirs_run = median_seconds([CHECKOV, "-d", str(out / "manifests"), "--framework", "kubernetes",
                                             "--quiet", "--compact", "-o", "json", "--skip-download"])
    findings = json.loads(ours_run.stdout)["findings"]
    ours_rules = {f["rule"] for f in findings if "planted" in f["resource"]}
    failures = checkov_failures(theirs_run.stdout)
    on_planted = {cid for cid, res in failures.items() if any("planted" in r for r in res)}
    ratio = theirs / ours
    print(f"prod plan: {objects} manifests (1 planted SeldonDeployment); median of {RUNS} runs each\n")
    print("| tool | median s | ratio |\n|---|---|---|")
    print(f"| modelplane check | {ours:.2f} | 1.00 |\n| checkov 3.3.30 | {theirs:.2f} | {ratio:.1f}x slower |")
    print(f"| modelplane check in-process (imports excluded) | {in_process:.3f} | "
          f"checkov {theirs / in_process:.0f}x slower |")
    print(f"\ntarget: modelplane check >= 10x faster: {'met' if ratio >= 10 else 'NOT met'}\n")
    print("| rule | title | flags planted | related checkov checks | checkov flags planted |\n|---|---|---|---|---|")
    rows = []
    for rule_id, rule in sorted(RULES.items()):
        related = RELATED.get(rule_id, [])
        hit = sorted(c.split()[0] for c in related if c.split()[0] in on_planted)
        rows.append({"rule": rule_id, "related": related, "checkov_flags_planted": hit})
        print(f"| {rule_id} | {rule.title} | {'yes' if rule_id in ours_rules else '-'} | "
              f"{', '.join(related) or 'none'} | {', '.join(hit) or ('no' if related else '-')} |")
    save("check", {
        "manifests": objects, "modelplane_check_s": ours, "modelplane_check_in_process_s": in_process,
        "checkov_s": theirs, "ratio": ratio,
        "checkov_failed_checks": {k: sorted(v) for k, v in sorted(failures.items())}, "rules": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
