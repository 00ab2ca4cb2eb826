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
    REDACTED_SUFFIX,
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
           f"{fp.capacity.memory:.1f} GiB allocatable. CPU in cores. Every number comes from the "
           "file named beside it: the pinned chart's values.yaml, a value modelplane or the stack sets, or an "
           "object of this plan.", ""]
    out += _table(["owner", "workload", "replicas", "CPU each", "memory each", "CPU", "memory", "from"], fp.table())
    out += ["", f"Add-ons: **{fp.addons.cpu:.3f} CPU / {fp.addons.memory:.3f} GiB**; models: "
                f"**{fp.models.cpu:.3f} CPU / {fp.models.memory:.3f} GiB**."]
    if fp.requesting_nothing:
        out += ["", f"**Lower bounds:** {fp.lower_bound_note()}: "
                    f"{', '.join(f'{w.owner} {w.name}' for w in fp.requesting_nothing)}."]
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


REDACTED_HEADER = ("# Not applicable as it is: <redacted> stands for secret values that only pulumi up writes.\n"
                   "# Review it here; kubectl apply -f manifests/ -R leaves this file out.\n")
# written into every render output: the mark of a directory render may replace
MARKER = ".modelplane-render"
# what a render writes, and all a directory it replaces may hold
RENDER_ENTRIES = {MARKER, "plan.json", "plan.md", "manifests", GITOPS_DIR}


def _rendered_before(where: Path) -> bool:
    """Marked, or (written before the marker existed) holding a plan.json that is a render's plan."""
    if (where / MARKER).is_file():
        return True
    try:
        plan = json.loads((where / "plan.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(plan, dict) and {"stack", "resources"} <= set(plan)


def check_output_dir(out_dir: Path) -> None:
    """Refuse (ConfigError) an output directory whose replacement would delete anything render did not
    write: a directory with other files, a file, or the current directory or one that contains it."""
    from components.errors import ConfigError

    where = Path(out_dir).resolve()
    here = Path.cwd().resolve()
    problem = None
    if where == here or where in here.parents:
        problem = "it is the current directory or contains it; name a directory below it (e.g. build/dev)"
    elif where.exists() and not where.is_dir():
        problem = "it is a file, not a directory"
    elif where.is_dir() and any(where.iterdir()):
        foreign = sorted(e.name for e in where.iterdir() if e.name not in RENDER_ENTRIES)
        if foreign or not _rendered_before(where):
            named = f" ({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''})" if foreign else ""
            problem = (f"it holds files modelplane render did not write{named}; render replaces only an empty "
                       f"directory or its own earlier output (marked by {MARKER}): choose another directory")
    if problem:
        raise ConfigError(str(out_dir), [f"--out: {problem}; nothing was written or deleted"])


def write_plan(out_dir: Path, plan: dict, notes: list[str], footprint=None, charts=None) -> None:
    """Write the plan into a fresh directory, then swap it in: a failure never leaves half a plan. Only an
    empty directory or an earlier render's output is replaced (check_output_dir)."""
    check_output_dir(out_dir)
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (staging / MARKER).write_text(json.dumps({"stack": plan["stack"], "writer": "modelplane render"}) + "\n")
        (staging / "plan.json").write_text(json.dumps(plan, indent=2, sort_keys=True) + "\n")
        (staging / "plan.md").write_text(plan_markdown(plan, notes, footprint, charts))
        for obj in manifests(plan):
            path = staging / "manifests" / manifest_path(obj)
            path.parent.mkdir(parents=True, exist_ok=True)
            head = REDACTED_HEADER if path.name.endswith(REDACTED_SUFFIX) else ""
            path.write_text(head + yaml.safe_dump(obj, sort_keys=True, default_flow_style=False))
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
