"""The Pulumi component beside components.addons.knative, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.addon_component import HelmAddon
from components.addons.knative import (
    BROKER,
    EVENTING_WORKLOADS,
    SERVING_WORKLOADS,
    WAIT_READY,
    KnativeConfig,
    local_gateway,
    workloads,
)
from components.versions import KNATIVE_VERSION


class Knative(pulumi.ComponentResource):
    broker_url: str

    def __init__(self, name: str, config: KnativeConfig, *, namespace: pulumi.Input[str], local_gateway_host: str,
                 serving_namespace: pulumi.Input[str], eventing_namespace: pulumi.Input[str],
                 logs_namespace: pulumi.Input[str], logs_namespace_name: str, depends_on: list[pulumi.Resource],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:Knative", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.operator = HelmAddon("knative-operator", pin=config.pin("knative-operator"), namespace=namespace,
                                  overrides=config.values, depends_on=depends_on, opts=child)
        after_operator = pulumi.ResourceOptions(parent=self, depends_on=[self.operator])
        ingress, istio_config = local_gateway(local_gateway_host)
        self.serving = k8s.apiextensions.CustomResource(
            "knative-serving", api_version="operator.knative.dev/v1beta1", kind="KnativeServing",
            metadata={"name": "knative-serving", "namespace": serving_namespace, "annotations": WAIT_READY},
            spec={
                "version": KNATIVE_VERSION,
                "ingress": ingress,
                "config": {"istio": istio_config},
                "workloads": workloads(SERVING_WORKLOADS, annotated=("autoscaler", "activator")),
            },
            opts=after_operator)
        self.eventing = k8s.apiextensions.CustomResource(
            "knative-eventing", api_version="operator.knative.dev/v1beta1", kind="KnativeEventing",
            metadata={"name": "knative-eventing", "namespace": eventing_namespace, "annotations": WAIT_READY},
            spec={"version": KNATIVE_VERSION, "workloads": workloads(EVENTING_WORKLOADS)}, opts=after_operator)
        self.broker = k8s.apiextensions.CustomResource(
            "request-logger-broker", api_version="eventing.knative.dev/v1", kind="Broker",
            metadata={"name": BROKER, "namespace": logs_namespace},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.eventing]))
        self.broker_url = (f"http://broker-ingress.knative-eventing.svc.cluster.local/"
                           f"{logs_namespace_name}/{BROKER}")
        self.register_outputs({"brokerUrl": self.broker_url})
