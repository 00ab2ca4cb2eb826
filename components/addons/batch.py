"""MinIO and Argo Workflows for batch jobs (seed 003 Minio, Argo)."""

from __future__ import annotations

from components.addon import AddonConfig
from components.base import DnsLabel
from components.secrets import SecretRef

MINIO_SECRET = "minio-root"


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
    }
