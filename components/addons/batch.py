"""MinIO and Argo Workflows for batch jobs (seed 003 Minio, Argo): MinIO's console behind /minio/, its root
credentials from the secret source."""

from __future__ import annotations

import pulumi

from components.addon import AddonConfig, HelmAddon
from components.base import DnsLabel
from components.kit import PlatformKit
from components.secrets import SecretRef

MINIO_SECRET = "minio-root"
CONSOLE_PORT = 9001


class MinioConfig(AddonConfig):
    namespace: DnsLabel | None = "minio-system"
    root_user: str = "modelplane"
    root_password: SecretRef = "generate"


class ArgoWorkflowsConfig(AddonConfig):
    namespace: DnsLabel | None = "argo"


def minio_values() -> dict:
    return {
        "mode": "standalone",
        "existingSecret": MINIO_SECRET,
        "persistence": {"size": "20Gi"},
        "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}},
        # the console builds its links under /minio/ (the gateway strips the prefix)
        "environment": {"MINIO_BROWSER_REDIRECT_URL": "/minio/"},
    }


class Minio(pulumi.ComponentResource):
    def __init__(self, name: str, config: MinioConfig, kit: PlatformKit, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:Minio", name, None, opts)
        password = kit.secrets.resolve(config.root_password, "minio-root-password", self)
        root = kit.secret(MINIO_SECRET, config.namespace, {"rootUser": config.root_user, "rootPassword": password},
                          self)
        # the bucket data is on the release's volume: protected in production
        self.release = HelmAddon(name, pin=config.pin("minio"), namespace=kit.ns(config.namespace),
                                 values=minio_values(), overrides=config.values, depends_on=[root],
                                 opts=pulumi.ResourceOptions(parent=self, protect=kit.production))
        kit.route("minio", config.namespace, "/minio/", f"{name}-console", CONSOLE_PORT, self,
                  depends_on=[self.release])
        self.register_outputs({})
