"""The Pulumi component beside components.addons.istio, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.addon_component import HelmAddon
from components.addons.istio import (
    CLUSTER_LOCAL,
    SELDON_GATEWAY,
    IstioConfig,
    cluster_local_values,
    cni_enabled,
    cni_values,
    istiod_values,
)


class Istio(pulumi.ComponentResource):
    gateway_ref: str

    def __init__(self, name: str, config: IstioConfig, *, namespace: pulumi.Input[str], service_type: str,
                 cloud: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:Istio", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.base = HelmAddon("istio-base", pin=config.pin("istio-base"), namespace=namespace,
                              values={"defaultRevision": "default"}, opts=child)
        # the node agent first: pods injected once istiod runs rely on it for their traffic redirection
        self.cni = HelmAddon("istio-cni", pin=config.pin("istio-cni"), namespace=namespace,
                             values=cni_values(cloud), overrides=config.cni.values, depends_on=[self.base],
                             opts=child) if cni_enabled(config) else None
        self.istiod = HelmAddon("istiod", pin=config.pin("istiod"), namespace=namespace,
                                values=istiod_values(config), overrides=config.values,
                                depends_on=[self.base, *([self.cni] if self.cni else [])], opts=child)
        ingress_service = {"type": service_type}
        if config.load_balancer_source_ranges and service_type == "LoadBalancer":
            ingress_service["loadBalancerSourceRanges"] = config.load_balancer_source_ranges
        self.ingress = HelmAddon("istio-ingressgateway", pin=config.pin("istio-gateway"), namespace=namespace,
                                 values={"service": ingress_service,
                                         "labels": {"app": "istio-ingressgateway", "istio": "ingressgateway"}},
                                 depends_on=[self.istiod], opts=child)
        self.cluster_local = HelmAddon(
            CLUSTER_LOCAL, pin=config.pin("istio-gateway"), namespace=namespace,
            values=cluster_local_values(), depends_on=[self.istiod], opts=child)

        servers = [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]
        if config.tls:
            servers.append({"port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                            "hosts": config.tls.hosts,
                            "tls": {"mode": "SIMPLE", "credentialName": config.tls.credential_name}})
        self.gateway = k8s.apiextensions.CustomResource(
            SELDON_GATEWAY,
            api_version="networking.istio.io/v1",
            kind="Gateway",
            metadata={"name": SELDON_GATEWAY, "namespace": namespace},
            spec={"selector": {"istio": "ingressgateway"}, "servers": servers},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.base, self.ingress]),
        )
        self.gateway_ref = f"{config.namespace}/{SELDON_GATEWAY}"
        self.register_outputs({"gateway": self.gateway_ref})
