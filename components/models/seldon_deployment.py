"""A SeldonDeployment (machinelearning.seldon.io/v1) from a ModelSpec."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.models.spec import GraphNode, ModelSpec, Predictor


def _graph(node: GraphNode) -> dict:
    out: dict = {"name": node.name, "type": node.type, "children": [_graph(c) for c in node.children]}
    if node.implementation:
        out["implementation"] = node.implementation
        out["modelUri"] = node.model_uri
    return out


def _resources(p: Predictor) -> dict:
    r = p.resources
    return {"requests": {"cpu": str(r.cpu), "memory": str(r.memory)},
            "limits": {"cpu": str(r.cpu_limit or r.cpu), "memory": str(r.memory_limit or r.memory)}}


def _predictor(spec: ModelSpec, p: Predictor) -> dict:
    containers = [{"name": name, "image": image, "resources": _resources(p)}
                  for name, image in sorted(p.containers.items())]
    if p.env_secret:
        for c in containers:
            c["envFrom"] = [{"secretRef": {"name": p.env_secret}}]
    out: dict = {
        "name": p.name,
        "replicas": p.replicas,
        "graph": _graph(p.graph),
        "componentSpecs": [{"spec": {"containers": containers}}] if containers else [],
        # seed 003 §7.9.3: the project a predictor belongs to
        "annotations": {f"project.seldon.io/{p.name}": spec.project},
    }
    if p.shadow:
        out["shadow"] = True
    else:
        out["traffic"] = p.traffic
    if spec.logger:
        out["graph"]["logger"] = {"mode": spec.logger}
    return out


def seldon_deployment_manifest(spec: ModelSpec) -> dict:
    return {
        "apiVersion": "machinelearning.seldon.io/v1",
        "kind": "SeldonDeployment",
        "metadata": {"name": spec.name, "namespace": spec.namespace,
                     "labels": {"app.kubernetes.io/managed-by": "modelplane"}},
        "spec": {"name": spec.name, "protocol": "seldon",
                 "predictors": [_predictor(spec, p) for p in spec.predictors]},
    }


class SeldonModel(pulumi.ComponentResource):
    def __init__(self, name: str, spec: ModelSpec, *, depends_on: list[pulumi.Resource],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:models:SeldonModel", name, None, opts)
        manifest = seldon_deployment_manifest(spec)
        self.deployment = k8s.apiextensions.CustomResource(
            name, api_version=manifest["apiVersion"], kind=manifest["kind"], metadata=manifest["metadata"],
            spec=manifest["spec"], opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on))
        self.register_outputs({})
