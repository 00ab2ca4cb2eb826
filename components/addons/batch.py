"""MinIO and Argo Workflows for batch jobs (seed 003 Minio, Argo): MinIO's console behind /minio/, its root
credentials from the secret source."""

from __future__ import annotations

from components.addon import AddonConfig
from components.base import DnsLabel, HttpUrl
from components.names import HELM_KEEP
from components.secrets import SecretRef

MINIO_SECRET = "minio-root"
# the chart's one console user, its password generated into MINIO_SECRET: the chart's default user is
# console/console123, and an empty `users` list cannot replace it (the Kubernetes provider drops empty
# lists from Helm values, pulumi-kubernetes#2731)
CONSOLE_USER = "console"
CONSOLE_PASSWORD_KEY = "consolePassword"
CONSOLE_PORT = 9001
CONSOLE_PREFIX = "/minio/"


class MinioConfig(AddonConfig):
    namespace: DnsLabel | None = "minio-system"
    root_user: str = "modelplane"
    root_password: SecretRef = "generate"
    # where browsers reach the console; default https://<first addons.istio.tls host>/minio/. MinIO accepts
    # only an absolute URL here and exits at startup otherwise
    console_url: HttpUrl | None = None


class ArgoWorkflowsConfig(AddonConfig):
    namespace: DnsLabel | None = "argo"


def minio_values(browser_url: str | None = None, storage_class: str | None = None) -> dict:
    values: dict = {
        "mode": "standalone",
        "existingSecret": MINIO_SECRET,
        # the chart templates its volume claim: kept when the release is uninstalled (MP043)
        "persistence": {"size": "20Gi", "annotations": HELM_KEEP,
                        **({"storageClass": storage_class} if storage_class else {})},
        # one pod on one ReadWriteOnce volume: stop it before its successor starts (MP036)
        "deploymentUpdate": {"type": "Recreate"},
        "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}},
        "users": [{"accessKey": CONSOLE_USER, "existingSecret": MINIO_SECRET,
                   "existingSecretKey": CONSOLE_PASSWORD_KEY, "policy": "consoleAdmin"}],
    }
    if browser_url:
        # the console builds its links under /minio/ (the gateway strips the prefix)
        values["environment"] = {"MINIO_BROWSER_REDIRECT_URL": browser_url}
    return values


def argo_workflows_values() -> dict:
    """The chart writes a workflow Role and RoleBinding into each of controller.workflowNamespaces (default:
    `default`); workflows run in batch tenants' namespaces, whose Role onboarding writes (tenants file
    `batch: true`). An empty list cannot clear the default (pulumi-kubernetes drops empty lists)."""
    return {"workflow": {"rbac": {"create": False}}}
