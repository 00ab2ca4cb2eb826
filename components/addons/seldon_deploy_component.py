"""The Pulumi component beside components.addons.seldon_deploy, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi

from components.addon_component import HelmAddon
from components.addons.seldon_deploy import SeldonDeployConfig, Wiring, seldon_deploy_values


class SeldonDeploy(HelmAddon):
    def __init__(self, name: str, config: SeldonDeployConfig, *, namespace: pulumi.Input[str], wiring: Wiring,
                 oidc_env: dict[str, pulumi.Input[str]] | None, depends_on: list[pulumi.Resource],
                 opts: pulumi.ResourceOptions | None = None):
        values = {**seldon_deploy_values(config, wiring), **({"env": oidc_env} if oidc_env else {})}
        super().__init__(name, pin=config.pin("seldon-deploy"), namespace=namespace, values=values,
                         overrides=config.values, depends_on=depends_on, opts=opts)
