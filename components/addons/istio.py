"""Istio from its Helm charts (base, istiod, gateway), the cluster-local gateway Knative needs, and
the `seldon-gateway` Gateway in istio-system (seed 003 Istio)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from components.addon import AddonConfig
from components.base import Cidr, DnsLabel, Strict

SELDON_GATEWAY = "seldon-gateway"
CLUSTER_LOCAL = "cluster-local-gateway"
# the pods Knative's local Gateway (knative-local-gateway) selects, and the port it listens on in them;
# its Service sends Knative's cluster-local HTTP (port 80) there
CLUSTER_LOCAL_LABELS = {"app": CLUSTER_LOCAL, "istio": CLUSTER_LOCAL}
KNATIVE_LOCAL_PORT = 8081


class GatewayTls(Strict):
    # a kubernetes.io/tls Secret in istio-system (cert-manager or your PKI creates it)
    credential_name: DnsLabel
    hosts: list[str] = Field(default_factory=lambda: ["*"])


class IstioCniConfig(Strict):
    """Istio's CNI node agent (chart `cni`, at the Istio pin): it sets up each pod's traffic redirection from
    the node, so the sidecar injector adds no init container with NET_ADMIN and NET_RAW, and tenant
    namespaces can enforce Pod Security (components.tenancy). Its DaemonSet is privileged and mounts the
    node's CNI directories: the namespace it runs in (Istio's) enforces `privileged`, as Istio documents."""

    enabled: bool = True
    values: dict[str, Any] = Field(default_factory=dict)


class IstioConfig(AddonConfig):
    namespace: DnsLabel | None = "istio-system"
    cni: IstioCniConfig = IstioCniConfig()
    load_balancer_source_ranges: list[Cidr] = Field(default_factory=list)
    tls: GatewayTls | None = None
    # the ingress gateway's Service; default LoadBalancer, NodePort on a kind cluster (no load balancer
    # controller answers there, so a LoadBalancer never gets an address and the release never finishes)
    service_type: Literal["LoadBalancer", "NodePort", "ClusterIP"] | None = None


def cni_enabled(config: IstioConfig) -> bool:
    return config.enabled and config.cni.enabled


def cni_values(cloud: str) -> dict:
    """GKE keeps CNI plugins in /home/kubernetes/bin and admits system-node-critical pods only in namespaces
    whose ResourceQuota allows them (what Istio's platform-gke profile sets); elsewhere the chart's defaults."""
    if cloud == "gcp":
        return {"cniBinDir": "/home/kubernetes/bin", "resourceQuotas": {"enabled": True}}
    return {}


def istiod_values(config: IstioConfig) -> dict:
    """istiod's values: access logs on stdout; the containers it injects under the runtime's default
    seccomp profile (the restricted Pod Security level needs one, and the injector sets none by default);
    and with the CNI agent, injection without istio-init (the unprivileged istio-validation check instead)."""
    values: dict = {"meshConfig": {"accessLogFile": "/dev/stdout"},
                    "global": {"proxy": {"seccompProfile": {"type": "RuntimeDefault"}}}}
    if cni_enabled(config):
        values["cni"] = {"enabled": True}
    return values


def cluster_local_values() -> dict:
    """Seed 003: a ClusterIP `cluster-local-gateway` for Knative. Knative's local Gateway listens on
    KNATIVE_LOCAL_PORT in these pods (components.addons.knative selects them), so the Service's HTTP port
    targets it."""
    return {"service": {"type": "ClusterIP", "ports": [
                {"name": "status-port", "port": 15021, "protocol": "TCP", "targetPort": 15021},
                {"name": "http2", "port": 80, "protocol": "TCP", "targetPort": KNATIVE_LOCAL_PORT}]},
            "labels": CLUSTER_LOCAL_LABELS}


def cluster_local_host(config: IstioConfig) -> str:
    return f"{CLUSTER_LOCAL}.{config.namespace}.svc.cluster.local"


def public_host(config: IstioConfig) -> str | None:
    """The first concrete TLS host of the gateway: where browsers reach the platform."""
    hosts = config.tls.hosts if config.enabled and config.tls else []
    return next((h for h in hosts if "*" not in h), None)
