"""The Pulumi component beside components.addons.batch, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi

from components.addon_component import HelmAddon
from components.addons.batch import (
    CONSOLE_PASSWORD_KEY,
    CONSOLE_PORT,
    CONSOLE_PREFIX,
    MINIO_SECRET,
    MinioConfig,
    minio_values,
)
from components.kit import PlatformKit
from components.secrets import GENERATE


class Minio(pulumi.ComponentResource):
    def __init__(self, name: str, config: MinioConfig, kit: PlatformKit, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:Minio", name, None, opts)
        password = kit.secrets.resolve(config.root_password, "minio-root-password", self)
        console_password = kit.secrets.resolve(GENERATE, "minio-console-password", self)
        root = kit.secret(MINIO_SECRET, config.namespace, {"rootUser": config.root_user, "rootPassword": password,
                                                          CONSOLE_PASSWORD_KEY: console_password}, self)
        # the bucket data is on the release's volume: protected in production
        console = config.console_url or kit.public_url(CONSOLE_PREFIX)
        self.release = HelmAddon(name, pin=config.pin("minio"), namespace=kit.ns(config.namespace),
                                 values=minio_values(console, kit.storage_class),
                                 overrides=config.values, depends_on=[root, *kit.volumes_ready],
                                 opts=pulumi.ResourceOptions(parent=self, protect=kit.production))
        kit.route("minio", config.namespace, CONSOLE_PREFIX, f"{name}-console", CONSOLE_PORT, self,
                  depends_on=[self.release])
        self.register_outputs({})
