"""The Pulumi component beside components.addons.seldon_core, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi

from components.addon_component import HelmAddon
from components.addons.seldon_core import SeldonCoreConfig, seldon_core_values


class SeldonCore(HelmAddon):
    def __init__(self, name: str, config: SeldonCoreConfig, *, namespace: pulumi.Input[str], gateway_ref: str,
                 logger_endpoint: str | None, depends_on: list[pulumi.Resource],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, pin=config.pin("seldon-core"), namespace=namespace,
                         values=seldon_core_values(gateway_ref, logger_endpoint), overrides=config.values,
                         depends_on=depends_on, opts=opts)
