"""What the platform asks the scheduler for, read from the plan — never re-derived from config, never
estimated.

- Helm releases: each chart's workloads (CHART_WORKLOADS, where its templates take resources and replica
  counts from) with the chart's own defaults (../shared/charts) merged with the values the release is
  installed with. A workload whose requests neither sets is listed as requesting nothing; a chart whose
  data is unavailable (Seldon Deploy) is listed as unknown.
- Objects the plan declares: Deployments/StatefulSets/DaemonSets, the Knative operator's components
  (spec.workloads), ECK Elasticsearch/Kibana, Zalando clusters (their pods take the operator's defaults
  unless the cluster sets resources) and SeldonDeployments (their containers plus Seldon Core's executor
  sidecar, from the seldon-core release).

Seed 003 §3.4 sizes the full stack at 16 vCPU / 60 GB; the rule is that the add-ons fit in 60 % of the size
preset's allocatable capacity, leaving the rest for models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from components.cluster.presets import PRESETS
from components.names import chart_name
from components.quantity import Requests, cpu_cores, memory_gib
from modelplane.plan.charts import (
    UNAVAILABLE,
    Chart,
    ChartStore,
    effective_values,
    get,
    release_chart,
    top_level_aliases,
)
from modelplane.plan.document import HELM_RELEASE, gitops_models, manifests

ADDON_SHARE = 0.6
MODELS = "models"


@dataclass(frozen=True)
class ChartWorkload:
    """Where one workload of a chart takes its resources and replica count from (its templates)."""

    name: str
    resources: str  # values path of a ResourceRequirements (`flat`: of cpuRequest/memoryRequest keys)
    replicas: str | int = 1  # values path, or a fixed count
    enabled: str | None = None  # values path of the switch that installs it
    autoscaling: str | None = None  # values path of {enabled, minReplicas}: the floor the scheduler must fit
    per_node: bool = False  # a DaemonSet: one pod per node
    flat: bool = False
    single: tuple[str, object] | None = None  # (values path, value) with which the chart runs one pod


W = ChartWorkload
CHART_WORKLOADS: dict[str, tuple[ChartWorkload, ...]] = {
    "base": (),
    "istiod": (W("istiod", "resources", "replicaCount", autoscaling="autoscaleEnabled"),),
    "gateway": (W("gateway", "resources", "replicaCount", autoscaling="autoscaling"),),
    "knative-operator": (W("operator", "knative_operator.knative_operator.resources"),
                         W("operator-webhook", "knative_operator.operator_webhook.resources")),
    "seldon-core-operator": (W("manager", "manager", flat=True),),
    "kube-prometheus-stack": (
        W("prometheus", "prometheus.prometheusSpec.resources", "prometheus.prometheusSpec.replicas",
          enabled="prometheus.enabled"),
        W("prometheus config-reloader", "prometheusOperator.prometheusConfigReloader.resources",
          "prometheus.prometheusSpec.replicas", enabled="prometheus.enabled"),
        W("alertmanager", "alertmanager.alertmanagerSpec.resources", "alertmanager.alertmanagerSpec.replicas",
          enabled="alertmanager.enabled"),
        W("alertmanager config-reloader", "prometheusOperator.prometheusConfigReloader.resources",
          "alertmanager.alertmanagerSpec.replicas", enabled="alertmanager.enabled"),
        W("operator", "prometheusOperator.resources", enabled="prometheusOperator.enabled"),
        W("kube-state-metrics", "kube-state-metrics.resources", "kube-state-metrics.replicas",
          enabled="kubeStateMetrics.enabled"),
        W("node-exporter", "prometheus-node-exporter.resources", per_node=True, enabled="nodeExporter.enabled"),
        W("grafana", "grafana.resources", "grafana.replicas", enabled="grafana.enabled"),
    ),
    "opensearch": (W("opensearch", "resources", "replicas", single=("singleNode", True)),),
    "opensearch-dashboards": (W("dashboards", "resources", "replicaCount", autoscaling="autoscaling"),),
    "eck-operator": (W("operator", "resources", "replicaCount"),),
    "fluent-bit": (W("fluent-bit", "resources", per_node=True),),
    "argo-cd": (
        W("application-controller", "controller.resources", "controller.replicas"),
        W("server", "server.resources", "server.replicas", autoscaling="server.autoscaling"),
        W("repo-server", "repoServer.resources", "repoServer.replicas", autoscaling="repoServer.autoscaling"),
        W("applicationset-controller", "applicationSet.resources", "applicationSet.replicas"),
        W("notifications-controller", "notifications.resources", enabled="notifications.enabled"),
        W("redis", "redis.resources", enabled="redis.enabled"),
        W("dex", "dex.resources", enabled="dex.enabled"),
    ),
    "postgres-operator": (W("operator", "resources"),),
    "minio": (W("minio", "resources", "replicas", single=("mode", "standalone")),),
    "argo-workflows": (
        W("workflow-controller", "controller.resources", "controller.replicas"),
        W("server", "server.resources", "server.replicas", enabled="server.enabled"),
    ),
}


@dataclass(frozen=True)
class Workload:
    owner: str  # "release prometheus", "KnativeServing knative-serving/knative-serving", "models"
    name: str
    replicas: int
    each: Requests
    source: str  # the file (and path) every number comes from
    per_node: bool = False
    unknown: str | None = None  # why nothing is counted

    @property
    def total(self) -> Requests:
        return self.each * self.replicas


def _requests(resources: dict | None, flat: bool) -> Requests:
    """A container's requests; an unset request is its limit, as Kubernetes defaults it."""
    r = resources or {}
    if flat:
        cpu, memory = r.get("cpuRequest") or r.get("cpuLimit"), r.get("memoryRequest") or r.get("memoryLimit")
    else:
        requests, limits = r.get("requests") or {}, r.get("limits") or {}
        cpu, memory = requests.get("cpu") or limits.get("cpu"), requests.get("memory") or limits.get("memory")
    return Requests(cpu_cores(cpu) if cpu else 0.0, memory_gib(memory) if memory else 0.0)


def _replicas(w: ChartWorkload, values: dict, nodes: int) -> int:
    if w.per_node:
        return nodes
    scaling = get(values, w.autoscaling) if w.autoscaling else None
    if scaling is True or (isinstance(scaling, dict) and scaling.get("enabled")):
        floor = scaling.get("minReplicas") if isinstance(scaling, dict) else get(values, "autoscaleMin")
        return int(floor or 1)
    if w.single and get(values, w.single[0]) == w.single[1]:
        return 1
    count = w.replicas if isinstance(w.replicas, int) else get(values, w.replicas)
    return int(count) if count is not None else 1


StackValues = list[tuple[str, dict]]  # (where in the stack file, the addon's `values`)


def _source(chart: Chart, release_values: dict, path: str, stack_values: StackValues) -> str:
    """The file a workload's resources come from: the stack file's override, modelplane's derived values, or
    the chart's values.yaml."""
    # a value under an alias the chart copies to its top level (istiod's `pilot.`) wins, as in effective_values
    for p in [*(f"{alias}.{path}" for alias in top_level_aliases(chart.name)), path]:
        value = get(release_values, p)
        if value is None:
            continue
        stack = next((where for where, values in stack_values if get(values, p) == value), None)
        return f"stack value `{p}` ({stack})" if stack else f"modelplane value `{p}` (components/addons)"
    return f"chart default `{path}` ({chart.values_file})"


def release_workloads(store: ChartStore | None, release: dict, nodes: int,
                      stack_values: StackValues = ()) -> list[Workload]:
    name, named = release.get("name", ""), chart_name(release)
    owner = f"release {name}"
    values = release.get("values") or {}
    if named in UNAVAILABLE:
        return [Workload(owner, named, 0, Requests(), "-", unknown=UNAVAILABLE[named])]
    chart = release_chart(store, release)
    if chart is None:
        why = "no chart data" if store is None else f"no chart data for {named} {release.get('version')}"
        return [Workload(owner, named, 0, Requests(), "-", unknown=why)]
    merged = effective_values(chart, values)
    out = []
    for w in CHART_WORKLOADS.get(chart.name, ()):
        if w.enabled and get(merged, w.enabled) is False:
            continue
        each = _requests(get(merged, w.resources), w.flat)
        source = _source(chart, values, w.resources, list(stack_values))
        if each == Requests():
            source = f"requests nothing: {source}"
        out.append(Workload(owner, w.name, _replicas(w, merged, nodes), each, source, per_node=w.per_node))
    return out


def _containers_requests(pod_spec: dict) -> Requests:
    total = Requests()
    for container in (pod_spec or {}).get("containers") or []:
        total = total + _requests(container.get("resources"), flat=False)
    return total


def _postgres_defaults(store: ChartStore | None, releases: list[dict]) -> tuple[Requests, str] | None:
    operator = next((r for r in releases if chart_name(r) == "postgres-operator"), None)
    chart = release_chart(store, operator) if operator else None
    if chart is None:
        return None
    config = effective_values(chart, operator.get("values") or {}).get("configPostgresPodResources") or {}
    path = "configPostgresPodResources.default_cpu_request/default_memory_request"
    return (Requests.of(config.get("default_cpu_request", 0), config.get("default_memory_request", 0)),
            f"chart default `{path}` ({chart.values_file})")


def object_workloads(objects: list[dict], releases: list[dict], store: ChartStore | None,
                     nodes: int) -> Iterator[Workload]:
    for o in objects:
        kind, meta, spec = o["kind"], o.get("metadata") or {}, o.get("spec") or {}
        owner = f"{kind} {meta.get('namespace', '')}/{meta.get('name', '')}"
        if kind in ("Deployment", "StatefulSet"):
            yield Workload(owner, meta.get("name", ""), int(spec.get("replicas", 1)),
                           _containers_requests((spec.get("template") or {}).get("spec")), "plan object (plan.json)")
        elif kind == "DaemonSet":
            yield Workload(owner, meta.get("name", ""), nodes,
                           _containers_requests((spec.get("template") or {}).get("spec")), "plan object (plan.json)",
                           per_node=True)
        elif kind in ("KnativeServing", "KnativeEventing"):
            for w in spec.get("workloads") or []:
                each = Requests()
                for r in w.get("resources") or []:
                    each = each + _requests(r, flat=False)
                yield Workload(owner, w["name"], int(w.get("replicas", 1)), each,
                               f"{kind} `spec.workloads[{w['name']}]` (plan.json)")
        elif kind == "Elasticsearch":
            for node_set in spec.get("nodeSets") or []:
                pod = (node_set.get("podTemplate") or {}).get("spec")
                yield Workload(owner, f"nodeSet {node_set['name']}", int(node_set.get("count", 1)),
                               _containers_requests(pod), "Elasticsearch `spec.nodeSets[].podTemplate` (plan.json)")
        elif kind == "Kibana":
            yield Workload(owner, "kibana", int(spec.get("count", 1)),
                           _containers_requests((spec.get("podTemplate") or {}).get("spec")),
                           "Kibana `spec.podTemplate` (plan.json)")
        elif kind == "postgresql":
            yield _postgres_workload(owner, spec, store, releases)


def _postgres_workload(owner: str, spec: dict, store: ChartStore | None, releases: list[dict]) -> Workload:
    instances = int(spec.get("numberOfInstances", 1))
    if spec.get("resources"):
        return Workload(owner, "postgres", instances, _requests(spec["resources"], flat=False),
                        "postgresql `spec.resources` (plan.json)")
    defaults = _postgres_defaults(store, releases)
    if defaults is None:
        return Workload(owner, "postgres", instances, Requests(), "-", unknown="no chart data for the operator")
    return Workload(owner, "postgres", instances, defaults[0], defaults[1])


def model_workloads(plan: dict, releases: list[dict], store: ChartStore | None,
                    stack_values: StackValues = ()) -> list[Workload]:
    """Every predictor replica (shadows included) and explainer, applied by Pulumi or committed for GitOps,
    each with Seldon Core's executor sidecar as the seldon-core release configures it."""
    executor, executor_source = _executor(store, releases, list(stack_values))
    sdeps = [o for o in manifests(plan) if o["kind"] == "SeldonDeployment"]
    sdeps += [g["manifest"] for g in gitops_models(plan)]
    out = []
    for sdep in sdeps:
        meta = sdep["metadata"]
        for p in sdep["spec"]["predictors"]:
            each = executor
            for component in p.get("componentSpecs") or []:
                each = each + _containers_requests(component.get("spec"))
            name = f"{meta['namespace']}/{meta['name']}/{p['name']}"
            out.append(Workload(MODELS, name, int(p.get("replicas", 1)), each,
                                f"SeldonDeployment componentSpecs (plan.json) + executor {executor_source}"))
            explainer = p.get("explainer")
            if explainer:
                out.append(Workload(MODELS, f"{name}-explainer", int(explainer.get("replicas", 1)),
                                    _requests((explainer.get("containerSpec") or {}).get("resources"), flat=False),
                                    "SeldonDeployment explainer.containerSpec (plan.json)"))
    return out


def _executor(store: ChartStore | None, releases: list[dict], stack_values: StackValues) -> tuple[Requests, str]:
    core = next((r for r in releases if chart_name(r) == "seldon-core-operator"), None)
    chart = release_chart(store, core) if core else None
    if chart is None:
        return Requests(), "(not counted: no chart data for seldon-core-operator)"
    merged = effective_values(chart, core.get("values") or {})
    return _requests(get(merged, "executor.resources"), flat=True), _source(chart, core.get("values") or {},
                                                                          "executor.resources", stack_values)


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
    workloads: tuple[Workload, ...]
    charts: bool = True  # chart data was available

    @property
    def addons(self) -> Requests:
        return _sum([w for w in self.workloads if w.owner != MODELS])

    @property
    def models(self) -> Requests:
        return _sum([w for w in self.workloads if w.owner == MODELS])

    @property
    def unknown(self) -> list[Workload]:
        return [w for w in self.workloads if w.unknown]

    @property
    def requesting_nothing(self) -> list[Workload]:
        """Workloads nothing sets requests for: they use CPU and memory the totals do not show."""
        return [w for w in self.workloads if not w.unknown and w.each == Requests()]

    def lower_bound_note(self) -> str:
        nothing = self.requesting_nothing
        if not nothing:
            return ""
        return (f"{len(nothing)} workload(s) request nothing (no file sets their requests), so these totals and "
                "shares are lower bounds")

    @property
    def addon_share(self) -> tuple[float, float]:
        return self.addons.cpu / self.capacity.cpu, self.addons.memory / self.capacity.memory

    def line(self) -> str:
        cpu, mem = self.addon_share
        unknown = f"; not counted: {', '.join(f'{w.owner} ({w.unknown})' for w in self.unknown)}" \
            if self.unknown else ""
        return (f"footprint: add-ons request {self.addons.cpu:.2f} CPU / {self.addons.memory:.2f} GiB of size "
                f"preset `{self.preset}` ({self.nodes} x {self.machine_type}: {self.capacity.cpu:.1f} CPU / "
                f"{self.capacity.memory:.1f} GiB allocatable) = {cpu:.0%} CPU, {mem:.0%} memory "
                f"(limit {ADDON_SHARE:.0%}); models request {self.models.cpu:.2f} CPU / "
                f"{self.models.memory:.2f} GiB{unknown}" + (f"; {self.lower_bound_note()}" if self.requesting_nothing
                                                           else ""))

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

    def table(self) -> list[list[str]]:
        """[owner, workload, replicas, CPU each, memory each, CPU total, memory total, source] per workload."""
        rows = []
        for w in self.workloads:
            replicas = f"{w.replicas} (per node)" if w.per_node else str(w.replicas)
            if w.unknown:
                rows.append([w.owner, w.name, "?", "?", "?", "?", "?", f"not counted: {w.unknown}"])
                continue
            rows.append([w.owner, w.name, replicas, f"{w.each.cpu:.3f}", memory_text(w.each.memory),
                         f"{w.total.cpu:.3f}", memory_text(w.total.memory), w.source])
        return rows


def memory_text(gib: float) -> str:
    """Memory in the unit it needs: 100Mi, not 0.098 GiB."""
    if gib == 0:
        return "0"
    return f"{gib * 1024:.0f}Mi" if gib < 1 else f"{gib:.2f}Gi"


def footprint(plan: dict, cluster, store: ChartStore | None, stack_values: StackValues = ()) -> Footprint:
    """`cluster`: the stack's validated cluster config (size preset, cloud, node count); `stack_values`: the
    stack's own values overrides, to name them as the source of a number."""
    preset = PRESETS[cluster.size]
    shape = preset.shape(cluster.cloud, cluster.node_count)
    cpu, memory = preset.capacity(cluster.cloud, cluster.node_count)
    releases = [r["inputs"] for r in plan["resources"] if r["type"] == HELM_RELEASE]
    workloads = [w for r in releases for w in release_workloads(store, r, shape.count, stack_values)]
    workloads += object_workloads(manifests(plan), releases, store, shape.count)
    workloads += model_workloads(plan, releases, store, stack_values)
    return Footprint(cluster.size, cluster.cloud, shape.machine_type, shape.count, Requests(cpu, memory),
                     tuple(workloads), charts=store is not None)
