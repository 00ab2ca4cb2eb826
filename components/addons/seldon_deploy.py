"""Seldon Deploy's release, its values derived from the other add-ons (seed 003 §3.7.4): a feature whose
add-on is disabled is turned off rather than pointed at nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field

from components.addon import AddonConfig
from components.addons.knative import BROKER
from components.base import DnsLabel, Strict
from components.secrets import SecretRef


class Oidc(Strict):
    provider: str = Field(pattern=r"^https://")
    client_id: str
    client_secret: SecretRef
    redirect_url: str = Field(pattern=r"^https?://")
    scopes: str = "profile email groups"
    userid_claim_key: str = "preferred_username"


class SeldonDeployConfig(AddonConfig):
    namespace: DnsLabel | None = "seldon-system"
    oidc: Oidc | None = None
    opa: bool = True
    image_pull_secret: DnsLabel | None = None


@dataclass(frozen=True)
class Wiring:
    """What the other add-ons provide; None where that add-on is disabled."""

    gateway_ref: str
    ingress_namespace: str = "istio-system"
    broker_url: str | None = None
    broker_name: str = BROKER
    elasticsearch_url: str | None = None
    elasticsearch_secret: str | None = None
    prometheus_url: str | None = None
    argocd: bool = False
    git_secret: str | None = None
    postgres_secret: str | None = None
    tenancy: Literal["single", "multi"] = "single"


def _request_logger(w: Wiring) -> dict:
    """Seed 003 Request Logging: the chart's logger is a Knative service triggered by the broker, so it is
    created only with both Knative and a search cluster; without Knative the logging add-on runs the
    seed's plain Deployment instead and the chart's stays off."""
    if not (w.broker_url and w.elasticsearch_url):
        return {"create": False}
    url = urlsplit(w.elasticsearch_url)
    return {"create": True,
            "trigger": {"create": True, "broker": w.broker_name, "apiVersion": "eventing.knative.dev/v1"},
            "elasticsearch": {"host": url.hostname, "port": str(url.port or 9200), "protocol": url.scheme}}


def seldon_deploy_values(config: SeldonDeployConfig, w: Wiring) -> dict:
    values: dict = {
        "virtualService": {"create": True, "gateways": [w.gateway_ref]},
        "ingressGateway": {"seldonIngressService": "istio-ingressgateway",
                           "kfServingIngressService": "istio-ingressgateway",
                           "ingressNamespace": w.ingress_namespace},
        "requestLogger": _request_logger(w),
        "elasticsearch": {"url": w.elasticsearch_url or "", "basicAuth": bool(w.elasticsearch_secret)},
        "prometheus": {"seldon": {"url": w.prometheus_url or "",
                                  "namespaceMetricName": "namespace", "activeModelsNamespaceMetricName":
                                  "exported_namespace", "serviceMetricName": "service"}},
        "gitops": {"argocd": {"enabled": w.argocd}},
        "metadata": {"pg": {"enabled": bool(w.postgres_secret)}},
        "rbac": {"clusterWide": w.tenancy == "single", "opa": {"enabled": config.opa}},
        "enableAppAuth": config.oidc is not None,
    }
    if w.elasticsearch_secret:
        values["elasticsearch"]["basicAuthSecret"] = w.elasticsearch_secret
    if w.git_secret:
        values["gitops"]["git"] = {"secret": w.git_secret}
    if w.postgres_secret:
        values["metadata"]["pg"]["secret"] = w.postgres_secret
    if config.image_pull_secret:
        values["image"] = {"pullSecrets": [{"name": config.image_pull_secret}]}
    return values
