"""The Pulumi component beside components.addons.prometheus, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.addon_component import HelmAddon
from components.addons.prometheus import (
    RULES,
    PrometheusConfig,
    model_usage_rules,
    prometheus_url,
    prometheus_values,
)
from components.kit import PART_OF, PlatformKit


class Prometheus(pulumi.ComponentResource):
    def __init__(self, name: str, config: PrometheusConfig, kit: PlatformKit,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:Prometheus", name, None, opts)
        namespace = kit.ns(config.namespace)
        self.release = HelmAddon(name, pin=config.pin("kube-prometheus-stack"), namespace=namespace,
                                 values=prometheus_values(config, kit.storage_class,
                                                          managed_control_plane=kit.managed_control_plane,
                                                          cloud=kit.cloud),
                                 overrides=config.values, depends_on=kit.volumes_ready,
                                 # the volume holds the metrics history: deleting the release deletes it
                                 opts=pulumi.ResourceOptions(parent=self, protect=kit.production))
        after = pulumi.ResourceOptions(parent=self, depends_on=[self.release])  # the chart installs the CRDs
        meta = {"namespace": namespace, "labels": PART_OF}
        k8s.apiextensions.CustomResource(
            RULES, api_version="monitoring.coreos.com/v1", kind="PrometheusRule",
            metadata={"name": RULES, **meta}, spec={"groups": model_usage_rules()}, opts=after)
        # Seldon Core's executor serves /prometheus on its `metrics` port in every model pod
        k8s.apiextensions.CustomResource(
            "seldon-models", api_version="monitoring.coreos.com/v1", kind="PodMonitor",
            metadata={"name": "seldon-models", **meta},
            spec={"namespaceSelector": {"any": True},
                  "selector": {"matchExpressions": [{"key": "seldon-deployment-id", "operator": "Exists"}]},
                  "podMetricsEndpoints": [{"port": "metrics", "path": "/prometheus"}]},
            opts=after)
        # seed 003 Knative: the autoscaler's and activator's metrics
        k8s.apiextensions.CustomResource(
            "knative-serving", api_version="monitoring.coreos.com/v1", kind="PodMonitor",
            metadata={"name": "knative-serving", **meta},
            spec={"namespaceSelector": {"matchNames": ["knative-serving"]},
                  "selector": {"matchExpressions": [{"key": "app", "operator": "In",
                                                     "values": ["activator", "autoscaler"]}]},
                  "podMetricsEndpoints": [{"port": "metrics"}]},
            opts=after)
        self.url = prometheus_url(config)
        self.register_outputs({"url": self.url})
