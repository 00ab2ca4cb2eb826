"""A SeldonDeployment (machinelearning.seldon.io/v1) from a ModelSpec, applied by Pulumi or handed to
GitOps."""

from __future__ import annotations

from dataclasses import dataclass

from components.models.spec import Explainer, GraphNode, ModelSpec, Predictor, Resources

API_VERSION = "machinelearning.seldon.io/v1"
KIND = "SeldonDeployment"
GPU = "nvidia.com/gpu"


@dataclass(frozen=True)
class GitopsTarget:
    """Where a model of a GitOps namespace goes instead of the cluster (seed 003 §6.5: the tenant's
    Argo CD Application syncs folder `<namespace>` of its repo)."""

    repo: str
    folder: str
    file: str

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.file}"


def gitops_target(spec: ModelSpec, repo: str) -> GitopsTarget:
    return GitopsTarget(repo=repo, folder=spec.namespace, file=f"{spec.name}.yaml")


# the restricted Pod Security profile (policies/rules/pod_security.py): Seldon Core's own server images and the
# executor it injects run as a non-root user (8888), so runAsNonRoot holds without naming a user
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
                        "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def _resources(r: Resources) -> dict:
    requests = {"cpu": str(r.cpu), "memory": str(r.memory)}
    limits = {"cpu": str(r.cpu_limit or r.cpu), "memory": str(r.memory_limit or r.memory)}
    if r.gpu:
        requests[GPU] = limits[GPU] = str(r.gpu)
    return {"requests": requests, "limits": limits}


def _node(node: GraphNode, p: Predictor) -> dict:
    out: dict = {"name": node.name, "type": node.type, "children": [_node(c, p) for c in node.children]}
    if node.implementation:
        out["implementation"] = node.implementation
    if node.model_uri:
        out["modelUri"] = node.model_uri
        if p.env_secret:
            out["envSecretRefName"] = p.env_secret
    if node.parameters:
        out["parameters"] = [{"name": x.name, "type": x.type, "value": str(x.value).lower()
                              if isinstance(x.value, bool) else str(x.value)} for x in node.parameters]
    return out


def _container(node: GraphNode, p: Predictor) -> dict:
    """A container per graph node: the image of a custom node; for a pre-packaged server only its
    resources (Seldon Core fills in the server image). Every one meets the restricted Pod Security profile."""
    out: dict = {"name": node.name, "resources": _resources(node.resources or p.resources),
                 "securityContext": dict(RESTRICTED_CONTAINER)}
    if node.implementation is None:
        out["image"] = p.containers[node.name]
        if p.env_secret:
            out["envFrom"] = [{"secretRef": {"name": p.env_secret}}]
    return out


def _explainer(e: Explainer, p: Predictor) -> dict:
    # without resources the explainer would request nothing: the scheduler would not account for it
    out: dict = {"type": e.type, "replicas": e.replicas,
                 "containerSpec": {"name": "explainer", "resources": _resources(e.resources or p.resources),
                                   "securityContext": dict(RESTRICTED_CONTAINER)}}
    if e.model_uri:
        out["modelUri"] = e.model_uri
    if e.env_secret:
        out["envSecretRefName"] = e.env_secret
    if e.config:
        out["config"] = dict(e.config)
    return out


def _predictor(spec: ModelSpec, p: Predictor) -> dict:
    graph = _node(p.graph, p)
    if spec.logger:
        graph["logger"] = {"mode": spec.logger.mode}
    project = p.project or spec.project
    out: dict = {
        "name": p.name,
        "replicas": p.replicas,
        "graph": graph,
        "componentSpecs": [{"spec": {"securityContext": dict(RESTRICTED_POD),
                                     "containers": [_container(n, p) for n in p.nodes()]}}],
        # seed 003 §7.9.3: the project of every component in the predictor's graph
        "annotations": {f"project.seldon.io/{n.name}": project for n in p.nodes()},
    }
    if p.shadow:
        out["shadow"] = True
    else:
        out["traffic"] = spec.traffic(p)
    if p.explainer:
        out["explainer"] = _explainer(p.explainer, p)
    return out


def seldon_deployment_manifest(spec: ModelSpec) -> dict:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": spec.name, "namespace": spec.namespace,
                     "labels": {"app.kubernetes.io/managed-by": "modelplane"}},
        "spec": {"name": spec.name, "protocol": spec.protocol,
                 "predictors": [_predictor(spec, p) for p in spec.predictors]},
    }
