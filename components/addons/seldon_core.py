"""Seldon Core operator (v1 CRD) in seldon-system, routed through the seldon-gateway and logging to the
Knative broker when Knative is on (seed 003 Seldon Core)."""

from __future__ import annotations

from components.addon import AddonConfig
from components.base import DnsLabel


class SeldonCoreConfig(AddonConfig):
    namespace: DnsLabel | None = "seldon-system"


def seldon_core_values(gateway_ref: str, logger_endpoint: str | None) -> dict:
    values: dict = {
        "istio": {"enabled": True, "gateway": gateway_ref},
        "usageMetrics": {"enabled": False},
        "crd": {"create": True},
    }
    if logger_endpoint:
        values["executor"] = {"requestLogger": {"defaultEndpoint": logger_endpoint}}
    return values
