"""Knative Serving (net-istio) and Eventing via the Knative operator chart, and the `default` Broker in
seldon-logs that Seldon Core's request logger sends to (seed 003 Knative)."""

from __future__ import annotations

from components.addon import AddonConfig
from components.addons.istio import CLUSTER_LOCAL_LABELS, KNATIVE_LOCAL_PORT
from components.base import DnsLabel
from components.names import LOCAL_GATEWAY_KEY

BROKER = "default"
# pulumi-kubernetes awaits this condition on a custom resource: the operator sets Ready once the component
# (and its admission webhooks) serve, so nothing created after it races the webhooks
WAIT_READY = {"pulumi.com/waitFor": "condition=Ready"}


# What each component the operator installs requests, set here so that the footprint counts values the
# platform sets (the operator's bundled manifests are not in the chart data): deployment -> container, cpu,
# memory. Limits stay the manifests' own.
SERVING_WORKLOADS = {
    "activator": ("activator", "300m", "60Mi"),
    "autoscaler": ("autoscaler", "100m", "100Mi"),
    "autoscaler-hpa": ("autoscaler-hpa", "30m", "40Mi"),
    "controller": ("controller", "100m", "100Mi"),
    "webhook": ("webhook", "100m", "100Mi"),
    "net-istio-controller": ("controller", "30m", "40Mi"),
    "net-istio-webhook": ("webhook", "20m", "20Mi"),
}
EVENTING_WORKLOADS = {
    "eventing-controller": ("eventing-controller", "100m", "100Mi"),
    "eventing-webhook": ("eventing-webhook", "100m", "50Mi"),
    "imc-controller": ("controller", "100m", "100Mi"),
    "imc-dispatcher": ("dispatcher", "100m", "100Mi"),
    "mt-broker-controller": ("mt-broker-controller", "100m", "100Mi"),
    "mt-broker-filter": ("filter", "100m", "100Mi"),
    "mt-broker-ingress": ("ingress", "100m", "100Mi"),
    "job-sink": ("job-sink", "100m", "100Mi"),
}
# seed 003 Knative: let Prometheus scrape the autoscaler and activator
SCRAPED = {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"}


def local_gateway(host: str) -> tuple[dict, dict]:
    """(spec.ingress, spec.config.istio) of KnativeServing: Knative's local Gateway (knative-local-gateway)
    selects the cluster-local-gateway pods and listens on KNATIVE_LOCAL_PORT there, and every Knative
    Service's cluster-local address resolves to that gateway's Service. The operator changes the Gateway's
    selector only through spec.ingress; by default it selects the ingress gateway's pods."""
    ingress = {"istio": {"enabled": True, "knative-local-gateway": {
        "selector": {"istio": CLUSTER_LOCAL_LABELS["istio"]},
        "servers": [{"port": {"name": "http", "number": KNATIVE_LOCAL_PORT, "protocol": "HTTP"}, "hosts": ["*"]}]}}}
    return ingress, {LOCAL_GATEWAY_KEY: host}


def workloads(table: dict[str, tuple[str, str, str]], annotated: tuple[str, ...] = ()) -> list[dict]:
    return [{"name": name, "resources": [{"container": container, "requests": {"cpu": cpu, "memory": memory}}],
             **({"annotations": SCRAPED} if name in annotated else {})}
            for name, (container, cpu, memory) in table.items()]


class KnativeConfig(AddonConfig):
    namespace: DnsLabel | None = "knative-operator"
