"""Seldon Core operator (v1 CRD) in seldon-system, routed through the seldon-gateway and logging to the
Knative broker when Knative is on (seed 003 Seldon Core)."""

from __future__ import annotations

from components.addon import AddonConfig
from components.base import DnsLabel
from components.names import HELM_KEEP


class SeldonCoreConfig(AddonConfig):
    namespace: DnsLabel | None = "seldon-system"


def seldon_core_values(gateway_ref: str, logger_endpoint: str | None) -> dict:
    values: dict = {
        "istio": {"enabled": True, "gateway": gateway_ref},
        "usageMetrics": {"enabled": False},
        # the chart templates the SeldonDeployment CRD: uninstalling Seldon Core must not delete it and with it
        # every tenant's models (MP043)
        "crd": {"create": True, "annotations": HELM_KEEP},
    }
    if logger_endpoint:
        values["executor"] = {"requestLogger": {"defaultEndpoint": logger_endpoint}}
    return values
