"""Seldon Core operator (v1 CRD) in seldon-system, routed through the seldon-gateway and logging to the
Knative broker when Knative is on (seed 003 Seldon Core)."""

from __future__ import annotations

import pulumi

from components.addon import AddonConfig, HelmAddon
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


class SeldonCore(HelmAddon):
    def __init__(self, name: str, config: SeldonCoreConfig, *, namespace: pulumi.Input[str], gateway_ref: str,
                 logger_endpoint: str | None, depends_on: list[pulumi.Resource],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, pin=config.pin("seldon-core"), namespace=namespace,
                         values=seldon_core_values(gateway_ref, logger_endpoint), overrides=config.values,
                         depends_on=depends_on, opts=opts)
