"""What a render writes: plan.json, manifests/, gitops/ and plan.md (tables, the wiring diagram, the
footprint) from a plan document."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from modelplane.plan.diagram import diagram_section
from modelplane.plan.document import (
    GITOPS_DIR,
    HELM_RELEASE,
    gitops_models,
    helm_releases,
    is_kubernetes_object,
    manifest,
    manifest_path,
    manifests,
    seldon_deploy_values,
)


def _predictor_summary(sdep: dict) -> str:
    return ", ".join(f"{p['name']} ({'shadow' if p.get('shadow') else str(p.get('traffic', 0)) + '%'}, "
                     f"{p.get('replicas', 1)}x)" for p in sdep["spec"]["predictors"])


def models_table(plan: dict) -> list[str]:
    rows = [[f"{o['metadata']['namespace']}/{o['metadata']['name']}", _predictor_summary(o), "applied by Pulumi"]
            for o in manifests(plan) if o["kind"] == "SeldonDeployment"]
    rows += [[f"{g['manifest']['metadata']['namespace']}/{g['manifest']['metadata']['name']}",
              _predictor_summary(g["manifest"]),
              f"GitOps: not applied; commit `{GITOPS_DIR}/{g['path']}` to {g['repo']} (folder "
              f"`{g['path'].split('/')[0]}`)"] for g in gitops_models(plan)]
    return _table(["model", "predictors (traffic, replicas)", "delivery"], sorted(rows))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def footprint_section(fp) -> list[str]:
    """The per-release, per-workload requests table of a modelplane.plan.footprint.Footprint."""
    out = ["", "## Footprint (requests per workload)", "",
           f"Size preset `{fp.preset}`: {fp.nodes} x {fp.machine_type}, {fp.capacity.cpu:.1f} CPU / "
           f"{fp.capacity.memory:.1f} GiB allocatable. CPU in cores, memory in GiB. Every number comes from the "
           "file named beside it: the pinned chart's values.yaml, a value modelplane or the stack sets, or an "
           "object of this plan.", ""]
    out += _table(["owner", "workload", "replicas", "CPU each", "memory each", "CPU", "memory", "from"], fp.table())
    out += ["", f"Add-ons: **{fp.addons.cpu:.3f} CPU / {fp.addons.memory:.3f} GiB**; models: "
                f"**{fp.models.cpu:.3f} CPU / {fp.models.memory:.3f} GiB**."]
    return out


def plan_markdown(plan: dict, notes: list[str], footprint=None, charts=None) -> str:
    """`footprint`: a modelplane.plan.footprint.Footprint; `charts`: the ChartStore the wiring reads defaults from."""
    resources = plan["resources"]
    counts = Counter(r["type"] for r in resources)
    out = [f"# modelplane plan: stack `{plan['stack']}`", "",
           f"{len(resources)} resources, {sum(1 for r in resources if is_kubernetes_object(r))} Kubernetes "
           f"objects, {counts[HELM_RELEASE]} Helm releases. Secret values are shown as `<redacted>`.", ""]
    out += [f"- {n}" for n in notes] + ([""] if notes else [])
    out += diagram_section(plan, charts)[1:] + [""]
    out += ["## Resources by type", ""] + _table(["type", "count"], [[f"`{t}`", c] for t, c in sorted(counts.items())])
    out += ["", "## Helm releases", ""] + _table(["release", "namespace", "chart", "version", "repository"],
                                                 helm_releases(plan))
    deploy = seldon_deploy_values(plan)
    if deploy is not None:
        out += ["", "## Seldon Deploy values (derived from the other add-ons)", "", "```yaml",
                yaml.safe_dump(deploy, sort_keys=True, default_flow_style=False).rstrip(), "```"]
    cloud = [r for r in resources if r["custom"] and r["type"].split(":")[0] in ("aws", "gcp")]
    if cloud:
        out += ["", "## Cloud resources", ""] + _table(
            ["type", "name", "protected"], [[f"`{r['type']}`", r["name"], r["options"]["protect"]] for r in cloud])
    out += ["", "## Models", ""] + models_table(plan)
    if footprint is not None and footprint.charts:
        out += footprint_section(footprint)
    objects = [manifest(r) for r in resources if is_kubernetes_object(r)]
    out += ["", "## Kubernetes objects", ""] + _table(
        ["kind", "namespace", "name"],
        [[o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]] for o in objects])
    return "\n".join(out) + "\n"


def write_plan(out_dir: Path, plan: dict, notes: list[str], footprint=None, charts=None) -> None:
    """Write the plan into a fresh directory, then swap it in: a failure never leaves half a plan."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (staging / "plan.json").write_text(json.dumps(plan, indent=2, sort_keys=True) + "\n")
        (staging / "plan.md").write_text(plan_markdown(plan, notes, footprint, charts))
        for obj in manifests(plan):
            path = staging / "manifests" / manifest_path(obj)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(obj, sort_keys=True, default_flow_style=False))
        for model in gitops_models(plan):
            path = staging / GITOPS_DIR / model["path"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(model["manifest"], sort_keys=True, default_flow_style=False))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
