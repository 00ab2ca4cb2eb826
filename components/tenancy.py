"""The platform's side of tenant onboarding: facts Ansible reads from the cluster, and RBAC aggregation.

Pulumi owns the platform, Ansible the tenant namespaces (DESIGN.md). Values both need — the tenancy
mode, Seldon Deploy's service account, where Argo CD and MinIO live, which namespaces may reach model
pods — are published once in ConfigMap seldon-system/modelplane-platform rather than typed twice.
"""

from __future__ import annotations

import json

from components.addons.istio import cni_enabled
from components.cluster import storage_class
from components.config import StackConfig

# bound to the identity `modelplane drift` runs as (a CI job): get and list on what drift reads, nothing else
DRIFT_READER_ROLE = "modelplane-drift-reader"
SELDON_DEPLOY_SERVICE_ACCOUNT = "seldon-deploy"
ARGOCD_PROJECT = "seldon"
VERBS_WRITE = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
VERBS_READ = ("get", "list", "watch")

# (API group, resources) a tenant's groups work with besides the built-in kinds
TENANT_API_RESOURCES = (
    ("machinelearning.seldon.io", ["seldondeployments", "seldondeployments/status"]),
    ("argoproj.io", ["workflows", "workflowtemplates"]),
    ("serving.knative.dev", ["services", "revisions", "routes", "configurations"]),
)
# ClusterRole name -> (aggregation labels, verbs): the controller-manager folds them into edit/admin/view
AGGREGATED_ROLES = {
    "modelplane-tenant-edit": ({"rbac.authorization.k8s.io/aggregate-to-edit": "true",
                                "rbac.authorization.k8s.io/aggregate-to-admin": "true"}, VERBS_WRITE),
    "modelplane-tenant-view": ({"rbac.authorization.k8s.io/aggregate-to-view": "true"}, VERBS_READ),
}


def ingress_namespaces(config: StackConfig) -> list[str]:
    """Namespaces whose pods reach model pods: the gateway, Knative's activator, Seldon's operator and
    Deploy, the request logger and Prometheus."""
    a = config.addons
    wanted = ["seldon-system", "seldon-logs"]
    if a.istio.enabled:
        wanted.append(a.istio.namespace)
    if a.knative.enabled:
        wanted.append("knative-serving")
    if a.prometheus.enabled:
        wanted.append(a.prometheus.namespace)
    return sorted(set(wanted))


def tenant_pod_security_enforce(config: StackConfig) -> str:
    """The Pod Security level tenant namespaces enforce: the stack's level (tenancy.podSecurity), lowered to
    what the containers the platform adds to tenants' pods can meet.
    - Istio without its CNI agent injects istio-init with NET_ADMIN and NET_RAW: only `privileged` admits it
      (`modelplane check` refuses that outside dev, MP034).
    - Seldon Core 1.18 adds its executor container to every model pod with a security context of only
      runAsUser and allowPrivilegeEscalation: false — no capabilities.drop [ALL], which `restricted` requires
      and no value of its chart or field of a SeldonDeployment sets. Tenants then enforce `baseline` and
      audit and warn at their level (tests/fakes/pod_shapes.py builds that pod; the control-plane tests
      show the server's verdicts)."""
    a = config.addons
    if a.istio.enabled and not cni_enabled(a.istio):
        return "privileged"
    if a.seldon_core.enabled:
        return "baseline"
    return config.tenancy.pod_security


def platform_facts(config: StackConfig) -> dict[str, str]:
    a = config.addons
    minio = f"http://minio.{a.minio.namespace}.svc.cluster.local:9000" if a.minio.enabled else ""
    return {
        "tenancy": config.tenancy.mode,
        "environment": config.environment,
        "seldonDeployNamespace": "seldon-system",
        "seldonDeployServiceAccount": SELDON_DEPLOY_SERVICE_ACCOUNT if a.seldon_deploy.enabled else "",
        "argocdNamespace": a.argocd.namespace if a.argocd.enabled else "",
        "argocdProject": ARGOCD_PROJECT if a.argocd.enabled else "",
        "batchStorageEndpoint": minio,
        "ingressNamespaces": json.dumps(ingress_namespaces(config)),
        "podSecurityEnforce": tenant_pod_security_enforce(config),
        # the level they audit and warn at, which modelplane check holds tenants' pod templates to
        "podSecurityAudit": config.tenancy.pod_security,
        # the StorageClass the platform's volumes name ("" = the cluster's default class)
        "storageClass": storage_class(config.cluster) or "",
    }
