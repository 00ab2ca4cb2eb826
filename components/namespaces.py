"""The namespaces the platform itself runs in, as a stack's config implies them."""

from __future__ import annotations

from components.addons.istio import cni_enabled
from components.config import StackConfig
from components.names import SELDON_SYSTEM

__all__ = ["SELDON_SYSTEM"]
SELDON_LOGS = "seldon-logs"
KNATIVE_SERVING = "knative-serving"
KNATIVE_EVENTING = "knative-eventing"


def system_namespaces(config: StackConfig) -> list[str]:
    a = config.addons
    wanted = [SELDON_SYSTEM, SELDON_LOGS]
    for addon in (a.istio, a.prometheus, a.argocd, a.minio, a.argo_workflows, a.postgres):
        if addon.enabled:
            wanted.append(addon.namespace)
    if a.knative.enabled:
        wanted += [a.knative.namespace, KNATIVE_SERVING, KNATIVE_EVENTING]
    return sorted(set(wanted))


POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce"


def pod_security_labels(config: StackConfig, namespace: str) -> dict[str, str]:
    """Istio's CNI agent is a privileged DaemonSet that mounts the node's CNI directories: its namespace
    enforces `privileged` explicitly, so a cluster whose default level is stricter still runs it."""
    istio = config.addons.istio
    if cni_enabled(istio) and namespace == istio.namespace:
        return {POD_SECURITY_ENFORCE: "privileged"}
    return {}
