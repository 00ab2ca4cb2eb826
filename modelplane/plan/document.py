"""The offline plan as data: plan.json (every resource `pulumi up` would create, with its inputs) and the
Kubernetes objects, Helm releases and GitOps models it holds. Read without the Pulumi SDK."""

from __future__ import annotations

import json
from pathlib import Path

from components.names import COMPONENT_TYPE, REDACTED, chart_name

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
GITOPS_DIR = "gitops"
# Kubernetes types that are not objects in the cluster
NOT_OBJECTS = {HELM_RELEASE, "pulumi:providers:kubernetes"}


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


# the suffix of a manifest holding redacted values: no `kubectl apply -f DIR -R` reads it, so the placeholder
# never reaches a cluster as if it were a secret
REDACTED_SUFFIX = ".yaml.redacted"


def holds_redacted(obj: dict) -> bool:
    return f'"{REDACTED}"' in json.dumps(obj)


def manifest_path(obj: dict) -> str:
    meta = obj["metadata"]
    suffix = REDACTED_SUFFIX if holds_redacted(obj) else ".yaml"
    return f"{meta.get('namespace', '_cluster')}/{obj['kind']}.{meta['name']}{suffix}"


def helm_releases(plan: dict) -> list[list[str]]:
    """[release, namespace, chart, version, repository] of every Helm release, in install-graph order of
    the plan (sorted by URN)."""
    return [[r["inputs"].get("name", r["name"]), r["inputs"].get("namespace", ""), chart_name(r["inputs"]),
             r["inputs"].get("version", "(unpinned)"), r["inputs"].get("repositoryOpts", {}).get("repo", "")]
            for r in plan["resources"] if r["type"] == HELM_RELEASE]


def seldon_deploy_values(plan: dict) -> dict | None:
    """The values of the Seldon Deploy release as the plan has them (secret leaves `<redacted>`)."""
    for r in plan["resources"]:
        if r["type"] == HELM_RELEASE and chart_name(r["inputs"]) == "seldon-deploy":
            return r["inputs"].get("values", {})
    return None


