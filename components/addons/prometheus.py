"""kube-prometheus-stack (successor of seldon-core-analytics) with the seed's server settings
(seed 003 Metrics: retention 90d, 32Gi volume, 800m/1Gi requests, 2/4Gi limits, max-concurrency 400), the
model-usage recording rules and the scraping of Seldon model pods and Knative."""

from __future__ import annotations

from pydantic import Field

from components.addon import AddonConfig
from components.base import DnsLabel, Quantity

FULLNAME = "prometheus"
RULES = "model-usage"
# kube-state-metrics exports these pod labels, so usage can be counted per SeldonDeployment
SELDON_POD_LABELS = "pods=[seldon-deployment-id,seldon-app,app.kubernetes.io/managed-by]"


class PrometheusConfig(AddonConfig):
    namespace: DnsLabel | None = "monitoring"
    retention: str = Field(default="90d", pattern=r"^[0-9]+(h|d|w|y)$")
    storage: Quantity = "32Gi"


# control-plane components a managed cluster (EKS, GKE) runs out of reach: their scrape targets never come up,
# so their alerts (TargetDown, *Down) would fire forever. value keys of kube-prometheus-stack
MANAGED_CONTROL_PLANE = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")
MANAGED_CONTROL_PLANE_RULES = ("etcd", "kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording",
                               "kubeProxy")


def control_plane_values(managed: bool, cloud: str | None = None) -> dict:
    values: dict = {}
    if managed:
        values = {**{key: {"enabled": False} for key in MANAGED_CONTROL_PLANE},
                  "defaultRules": {"rules": {rule: False for rule in MANAGED_CONTROL_PLANE_RULES}}}
    if cloud == "gcp":
        # GKE runs kube-dns, which serves no metrics on CoreDNS's port 9153: scrape kube-dns instead
        values.update(coreDns={"enabled": False}, kubeDns={"enabled": True})
    return values


# the share of the volume Prometheus may fill with blocks: the WAL and compaction need the rest
RETENTION_SHARE = 0.85


def retention_size(storage: str) -> str:
    """Prometheus's retentionSize for a volume of `storage` (its units are powers of two: 1GB is 1GiB)."""
    from components.quantity import memory_gib

    return f"{max(1, int(memory_gib(storage) * RETENTION_SHARE * 1024))}MB"


def prometheus_values(config: PrometheusConfig, storage_class: str | None = None, *,
                      managed_control_plane: bool = False, cloud: str | None = None) -> dict:
    return {
        **control_plane_values(managed_control_plane, cloud),
        "fullnameOverride": FULLNAME,
        "grafana": {"enabled": False},
        "kube-state-metrics": {"metricLabelsAllowlist": [SELDON_POD_LABELS]},
        "prometheus": {"prometheusSpec": {
            "retention": config.retention,
            # a full volume stops ingestion; by size, the oldest blocks go first (MP039)
            "retentionSize": retention_size(config.storage),
            "query": {"maxConcurrency": 400},
            "resources": {"requests": {"cpu": "800m", "memory": "1Gi"},
                          "limits": {"cpu": "2", "memory": "4Gi"}},
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": config.storage}},
                **({"storageClassName": storage_class} if storage_class else {})}}},
            # pick up ServiceMonitors/PodMonitors/rules from every namespace, not only this release's
            "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "ruleSelectorNilUsesHelmValues": False,
        }},
    }


def prometheus_url(config: PrometheusConfig) -> str:
    return f"http://{FULLNAME}-prometheus.{config.namespace}.svc.cluster.local:9090/api/v1/"


def model_usage_rules() -> list[dict]:
    """Recording rules Seldon Deploy's usage and monitoring views read (seed 003 asks for a
    `model-usage` rules group; it does not print the rules, these are ours over Seldon Core 1.18 metrics)."""
    by_model = "namespace, deployment_name, predictor_name"
    requests = "seldon_api_executor_server_requests_seconds"
    return [{"name": RULES, "interval": "1m", "rules": [
        {"record": "model_usage:requests:rate5m",
         "expr": f"sum by ({by_model}) (rate({requests}_count[5m]))"},
        {"record": "model_usage:errors:rate5m",
         "expr": f"sum by ({by_model}) (rate({requests}_count{{code!~\"2..\"}}[5m]))"},
        {"record": "model_usage:latency_seconds:p95_5m",
         "expr": f"histogram_quantile(0.95, sum by (le, {by_model}) (rate({requests}_bucket[5m])))"},
        {"record": "model_usage:containers:count",
         "expr": "count by (namespace, label_seldon_deployment_id) "
                 "(kube_pod_labels{label_seldon_deployment_id!=\"\"})"},
    ]}]
