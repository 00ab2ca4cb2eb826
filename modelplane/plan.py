
"""The offline plan: plan.json (every resource), manifests/ (every Kubernetes object) and plan.md."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from components.names import COMPONENT_TYPE

if TYPE_CHECKING:  # the plan is read without the Pulumi SDK; only rendering (modelplane.mocks) needs it
    from modelplane.mocks import Registration

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
GITOPS_DIR = "gitops"
# Kubernetes types that are not objects in the cluster
NOT_OBJECTS = {HELM_RELEASE, "pulumi:providers:kubernetes"}


def plan_document(stack: str, registrations: list[Registration]) -> dict:
    resources = [
        {"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent, "custom": r.custom,
         "provider": r.provider, "inputs": r.inputs, "dependsOn": r.depends_on, "options": r.options}
        for r in sorted(registrations, key=lambda r: r.urn)
    ]
    return {"stack": stack, "resources": resources}


def is_kubernetes_object(resource: dict) -> bool:
    return resource["type"].startswith("kubernetes:") and resource["type"] not in NOT_OBJECTS


def manifest(resource: dict) -> dict:
    inputs = resource["inputs"]
    head = {"apiVersion": inputs["apiVersion"], "kind": inputs["kind"], "metadata": inputs.get("metadata", {})}
    return {**head, **{k: v for k, v in inputs.items() if k not in head}}


def manifests(plan: dict) -> list[dict]:
    return [manifest(r) for r in plan["resources"] if is_kubernetes_object(r)]


def read_plan(out_dir: Path) -> dict:
    """The plan.json of a `modelplane render` output; ConfigError naming the directory otherwise."""
    from components.errors import ConfigError

    path = Path(out_dir) / "plan.json"
    if not path.is_file():
        raise ConfigError(str(out_dir), [f"(dir): {path} does not exist; run modelplane render --out {out_dir}"])
    return json.loads(path.read_text())


def gitops_models(plan: dict) -> list[dict]:
    """Models of GitOps namespaces: {repo, path, manifest} to commit instead of applying."""
    return [r["inputs"]["gitops"] for r in plan["resources"]
            if r["type"] == COMPONENT_TYPE and "gitops" in r["inputs"]]


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


def manifest_path(obj: dict) -> str:
    meta = obj["metadata"]
    return f"{meta.get('namespace', '_cluster')}/{obj['kind']}.{meta['name']}.yaml"


def helm_releases(plan: dict) -> list[list[str]]:
    """[release, namespace, chart, version, repository] of every Helm release, in install-graph order of
    the plan (sorted by URN)."""
    return [[r["inputs"].get("name", r["name"]), r["inputs"].get("namespace", ""), r["inputs"]["chart"],
             r["inputs"].get("version", "(unpinned)"), r["inputs"].get("repositoryOpts", {}).get("repo", "")]
            for r in plan["resources"] if r["type"] == HELM_RELEASE]


def seldon_deploy_values(plan: dict) -> dict | None:
    """The values of the Seldon Deploy release as the plan has them (secret leaves `<redacted>`)."""
    for r in plan["resources"]:
        if r["type"] == HELM_RELEASE and r["inputs"]["chart"] == "seldon-deploy":
            return r["inputs"].get("values", {})
    return None


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def footprint_section(fp) -> list[str]:
    """The per-release, per-workload requests table of a modelplane.footprint.Footprint."""
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
    """`footprint`: a modelplane.footprint.Footprint; `charts`: the ChartStore the wiring reads defaults from."""
    from modelplane.diagram import diagram_section

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
