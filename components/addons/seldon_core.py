"""Seldon Core operator (v1 CRD) in seldon-system, routed through the seldon-gateway and logging to the
Knative broker when Knative is on (seed 003 Seldon Core)."""

from __future__ import annotations

import pulumi

from components.addon import AddonConfig, HelmAddon
from components.base import DnsLabel
from components.quantity import Requests, cpu_cores, memory_gib

# seldon-core-operator chart defaults: manager.cpuRequest/memoryRequest, executor.resources.*Request
MANAGER_REQUESTS = Requests.of("100m", "200Mi")
EXECUTOR_REQUESTS = Requests.of("500m", "512Mi")


class SeldonCoreConfig(AddonConfig):
    namespace: DnsLabel | None = "seldon-system"


def _chart_requests(section: dict, default: Requests) -> Requests:
    """This chart spells requests `cpuRequest`/`memoryRequest`; each falls back to the chart default."""
    return Requests(cpu_cores(section["cpuRequest"]) if "cpuRequest" in section else default.cpu,
                    memory_gib(section["memoryRequest"]) if "memoryRequest" in section else default.memory)


def executor_requests(overrides: dict) -> Requests:
    """The executor sidecar every predictor replica runs, as the chart values (with overrides) set it."""
    return _chart_requests(overrides.get("executor", {}).get("resources", {}), EXECUTOR_REQUESTS)


def manager_requests(overrides: dict) -> Requests:
    return _chart_requests(overrides.get("manager", {}), MANAGER_REQUESTS)


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
