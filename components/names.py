"""Names and constants the config models, the Pulumi components and the policy rules share. Imports nothing
but the standard library: `modelplane check --plan` evaluates the rules without pydantic or the Pulumi SDK."""

from __future__ import annotations

from pathlib import Path

# the checkout: stacks/, ansible/, policies/
REPO_ROOT = Path(__file__).resolve().parent.parent

# the type token of a model component (components.models.seldon_deployment)
COMPONENT_TYPE = "modelplane:models:SeldonModel"
# the ConfigMap the platform publishes its facts in (components.tenancy)
FACTS_CONFIGMAP = "modelplane-platform"
# what a secret value becomes where it cannot be shown: plans, diffs, logs
REDACTED = "<redacted>"
# Example credentials printed in the seeds, and ones pinned charts create by default (MinIO's console
# user console/console123); refused outside local/dev stacks.
SEED_DEFAULT_SECRETS = frozenset({"admin", "minioadmin", "12341234", "password", "changeme", "console123"})
# the config-network key of Knative's cluster-local gateway (components.addons.knative)
LOCAL_GATEWAY_KEY = "local-gateway.knative-serving.knative-local-gateway"

# Namespaces the platform itself owns, or Kubernetes does: never a tenant (seed 000, 003 §7.7.7).
RESERVED_NAMESPACES = frozenset({
    "default", "seldon-system", "seldon-logs", "istio-system", "argocd", "argo", "minio-system",
    "monitoring", "postgres-operator", "opensearch", "elastic-system", "cert-manager",
})
RESERVED_PREFIXES = ("kube-", "knative-", "istio-", "seldon-", "openshift-")


def is_reserved(namespace: str) -> bool:
    return namespace in RESERVED_NAMESPACES or namespace.startswith(RESERVED_PREFIXES)


# a Helm release installed from a chart source directory names its chart `<dir>/<chart>-<version>.tgz`
CHART_ARCHIVE_SUFFIX = ".tgz"


def chart_archive(source: str, chart: str, version: str) -> str:
    """Where a chart source directory holds a pinned chart, as `helm package` names the archive."""
    return f"{source.rstrip('/')}/{chart}-{version}{CHART_ARCHIVE_SUFFIX}"


def chart_name(release_inputs: dict) -> str:
    """The chart a Helm release's inputs install: its name, or the name inside a chart archive's path."""
    chart = str(release_inputs.get("chart") or "")
    if not chart.endswith(CHART_ARCHIVE_SUFFIX):
        return chart
    return Path(chart).name.removesuffix(f"-{release_inputs.get('version')}{CHART_ARCHIVE_SUFFIX}")

# the service account the Zalando operator runs database and backup pods as (its chart's default, stated), and
# the annotation that gives a service account's pods an IAM role on EKS (IRSA)
POD_SERVICE_ACCOUNT = "postgres-pod"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
# the namespace of Seldon Core, Seldon Deploy and the platform facts (components.namespaces re-exports it)
SELDON_SYSTEM = "seldon-system"
# what Helm leaves in place when its release is uninstalled (a templated volume claim or CRD): `modelplane down`
# uninstalls releases and keeps their data (MP043)
HELM_KEEP = {"helm.sh/resource-policy": "keep"}
