"""kube-prometheus-stack (successor of seldon-core-analytics) with the seed's server settings
(seed 003 Metrics: retention 90d, 32Gi volume, 800m/1Gi requests, 2/4Gi limits, max-concurrency 400)."""

from __future__ import annotations

from pydantic import Field

from components.addon import AddonConfig
from components.base import DnsLabel, Quantity

FULLNAME = "prometheus"


class PrometheusConfig(AddonConfig):
    namespace: DnsLabel | None = "monitoring"
    retention: str = Field(default="90d", pattern=r"^[0-9]+(h|d|w|y)$")
    storage: Quantity = "32Gi"


def prometheus_values(config: PrometheusConfig) -> dict:
    return {
        "fullnameOverride": FULLNAME,
        "grafana": {"enabled": False},
        "prometheus": {"prometheusSpec": {
            "retention": config.retention,
            "query": {"maxConcurrency": 400},
            "resources": {"requests": {"cpu": "800m", "memory": "1Gi"},
                          "limits": {"cpu": "2", "memory": "4Gi"}},
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": config.storage}}}}},
            # pick up ServiceMonitors/PodMonitors/rules from every namespace, not only this release's
            "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
            "ruleSelectorNilUsesHelmValues": False,
        }},
    }


def prometheus_url(config: PrometheusConfig) -> str:
    return f"http://{FULLNAME}-prometheus.{config.namespace}.svc.cluster.local:9090/api/v1/"
