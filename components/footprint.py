"""What the enabled add-ons ask the scheduler for, against what the size preset's nodes can give.

Requests are read from the values each release is installed with (modelplane's derived values merged
with the stack's `values` overrides) at the chart's resources path; where neither sets them, the chart's
own default applies (CHART_DEFAULTS, taken from the pinned charts' values.yaml where we read it, marked
estimate otherwise). Seed 003 §3.4 sizes the full stack at 16 vCPU / 60 GB; the rule here is that the
add-ons fit in 60 % of the preset's allocatable capacity, leaving the rest for models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from components.addons import batch, logging, prometheus, seldon_core
from components.base import deep_merge
from components.cluster.presets import PRESETS
from components.quantity import Requests, cpu_cores, memory_gib

if TYPE_CHECKING:
    from components.config import StackConfig

ADDON_SHARE = 0.6

CHART_DEFAULTS = {
    "istiod": Requests.of("500m", "2Gi"),  # istiod chart: pilot.resources.requests
    "istio-gateway": Requests.of("100m", "128Mi"),  # gateway chart: resources.requests
    # estimates: the Knative operator's components summed (activator, autoscaler, controller, webhooks)
    "knative-operator": Requests.of("100m", "100Mi"),
    "knative-serving": Requests.of("750m", "512Mi"),
    "knative-eventing": Requests.of("500m", "512Mi"),
    "seldon-deploy": Requests.of("500m", "1Gi"),  # estimate
    "request-logger": Requests.of("100m", "256Mi"),  # estimate
    "prometheus-operator": Requests.of("100m", "128Mi"),  # estimate, with kube-state-metrics
    "alertmanager": Requests.of("10m", "32Mi"),  # seed 003 Metrics
    "node-exporter": Requests.of("50m", "32Mi"),  # seed 003 Metrics, per node
    "opensearch-dashboards": Requests.of("100m", "512Mi"),  # estimate
    "eck-operator": Requests.of("100m", "150Mi"),  # eck-operator chart: resources.requests
    "kibana": Requests.of("100m", "1Gi"),  # estimate
    "log-collector": Requests.of("100m", "128Mi"),  # estimate, per node
    "postgres-operator": Requests.of("100m", "250Mi"),  # postgres-operator chart: resources.requests
    "argocd": Requests.of("500m", "512Mi"),  # estimate: controller, repo-server, server, redis, appset
    "argo-workflows": Requests.of("200m", "256Mi"),  # estimate: controller and server
}


@dataclass(frozen=True)
class Workload:
    addon: str
    name: str
    replicas: int
    each: Requests

    @property
    def total(self) -> Requests:
        return self.each * self.replicas


def _at(values: dict, path: tuple[str, ...]) -> dict:
    node: object = values
    for key in path:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def declared(values: dict, path: tuple[str, ...], default: Requests) -> Requests:
    """`resources.requests` at `path` in a release's values, each of cpu/memory falling back to default."""
    req = _at(values, (*path, "resources", "requests"))
    return Requests(cpu_cores(req["cpu"]) if "cpu" in req else default.cpu,
                    memory_gib(req["memory"]) if "memory" in req else default.memory)


def addon_workloads(config: StackConfig, nodes: int) -> list[Workload]:
    a = config.addons
    out: list[Workload] = []
    if a.istio.enabled:
        out.append(Workload("istio", "istiod", 1, declared(a.istio.values, ("pilot",), CHART_DEFAULTS["istiod"])))
        out.append(Workload("istio", "gateways", 2, CHART_DEFAULTS["istio-gateway"]))
    if a.knative.enabled:
        out += [Workload("knative", name, 1, CHART_DEFAULTS[name])
                for name in ("knative-operator", "knative-serving", "knative-eventing")]
    if a.seldon_core.enabled:
        out.append(Workload("seldonCore", "operator", 1, seldon_core.manager_requests(a.seldon_core.values)))
    if a.seldon_deploy.enabled:
        out.append(Workload("seldonDeploy", "seldon-deploy", 1, CHART_DEFAULTS["seldon-deploy"]))
    if a.logging.enabled:
        out += _logging(config, nodes)
    if a.prometheus.enabled:
        values = deep_merge(prometheus.prometheus_values(a.prometheus), a.prometheus.values)
        out += [Workload("prometheus", "prometheus", 1, declared(values, ("prometheus", "prometheusSpec"),
                                                                 Requests())),
                Workload("prometheus", "operator", 1, CHART_DEFAULTS["prometheus-operator"]),
                Workload("prometheus", "alertmanager", 1, CHART_DEFAULTS["alertmanager"]),
                Workload("prometheus", "node-exporter", nodes, CHART_DEFAULTS["node-exporter"])]
    if a.postgres.enabled:
        out.append(Workload("postgres", "operator", 1, CHART_DEFAULTS["postgres-operator"]))
    if a.argocd.enabled:
        out.append(Workload("argocd", "argocd", 1, CHART_DEFAULTS["argocd"]))
    if a.minio.enabled:
        values = deep_merge(batch.minio_values(), a.minio.values)
        out.append(Workload("minio", "minio", 1, declared(values, (), Requests())))
    if a.argo_workflows.enabled:
        out.append(Workload("argoWorkflows", "argo-workflows", 1, CHART_DEFAULTS["argo-workflows"]))
    return out


def _logging(config: StackConfig, nodes: int) -> list[Workload]:
    cfg = config.addons.logging
    out = [Workload("logging", "request-logger", 1, CHART_DEFAULTS["request-logger"])]
    if cfg.flavor == "opensearch":
        values = deep_merge(logging.opensearch_values(cfg), cfg.values)
        out.append(Workload("logging", "opensearch", int(values.get("replicas", cfg.replicas)),
                            declared(values, (), Requests())))
        out.append(Workload("logging", "dashboards", 1, CHART_DEFAULTS["opensearch-dashboards"]))
    else:
        out.append(Workload("logging", "eck-operator", 1, CHART_DEFAULTS["eck-operator"]))
        out.append(Workload("logging", "elasticsearch", cfg.replicas, logging.SEARCH_NODE_REQUESTS))
        out.append(Workload("logging", "kibana", 1, CHART_DEFAULTS["kibana"]))
    return out


def model_workloads(config: StackConfig) -> list[Workload]:
    """Every predictor replica: its graph's containers plus Seldon's executor sidecar."""
    executor = seldon_core.executor_requests(config.addons.seldon_core.values)
    out = []
    for model in config.models:
        for p in model.predictors:
            each = executor
            for node in p.nodes():
                r = node.resources or p.resources
                each = each + Requests.of(r.cpu, r.memory)
            out.append(Workload("models", f"{model.namespace}/{model.name}/{p.name}", p.replicas, each))
            if p.explainer:
                out.append(Workload("models", f"{model.namespace}/{model.name}/{p.name}-explainer",
                                    p.explainer.replicas, Requests.of(p.resources.cpu, p.resources.memory)))
    return out


def _sum(workloads: list[Workload]) -> Requests:
    total = Requests()
    for w in workloads:
        total = total + w.total
    return total


@dataclass(frozen=True)
class Footprint:
    preset: str
    cloud: str
    machine_type: str
    nodes: int
    capacity: Requests
    addons: Requests
    models: Requests

    @property
    def addon_share(self) -> tuple[float, float]:
        return self.addons.cpu / self.capacity.cpu, self.addons.memory / self.capacity.memory

    def line(self) -> str:
        cpu, mem = self.addon_share
        return (f"footprint: add-ons request {self.addons.cpu:.1f} CPU / {self.addons.memory:.1f} GiB of size "
                f"preset `{self.preset}` ({self.nodes} x {self.machine_type}: {self.capacity.cpu:.1f} CPU / "
                f"{self.capacity.memory:.1f} GiB allocatable) = {cpu:.0%} CPU, {mem:.0%} memory "
                f"(limit {ADDON_SHARE:.0%}); models request {self.models.cpu:.1f} CPU / {self.models.memory:.1f} GiB")

    def problems(self) -> list[str]:
        cpu, mem = self.addon_share
        out = []
        if cpu > ADDON_SHARE or mem > ADDON_SHARE:
            out.append(f"cluster.size: preset {self.preset!r} is too small for the enabled add-ons: they request "
                       f"{self.addons.cpu:.1f} CPU / {self.addons.memory:.1f} GiB, {cpu:.0%} CPU and {mem:.0%} "
                       f"memory of its {self.capacity.cpu:.1f} CPU / {self.capacity.memory:.1f} GiB allocatable "
                       f"(at most {ADDON_SHARE:.0%}); choose a larger preset or disable add-ons")
        total = self.addons + self.models
        if total.cpu > self.capacity.cpu or total.memory > self.capacity.memory:
            out.append(f"cluster.size: preset {self.preset!r} cannot schedule add-ons and models together: "
                       f"{total.cpu:.1f} CPU / {total.memory:.1f} GiB requested, {self.capacity.cpu:.1f} CPU / "
                       f"{self.capacity.memory:.1f} GiB allocatable")
        return out


def footprint(config: StackConfig) -> Footprint:
    preset = PRESETS[config.cluster.size]
    shape = preset.shape(config.cluster.cloud, config.cluster.node_count)
    cpu, memory = preset.capacity(config.cluster.cloud, config.cluster.node_count)
    return Footprint(config.cluster.size, config.cluster.cloud, shape.machine_type, shape.count,
                     Requests(cpu, memory), _sum(addon_workloads(config, shape.count)),
                     _sum(model_workloads(config)))
