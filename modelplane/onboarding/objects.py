"""Every object onboarding writes for a tenant, built from the typed tenants model (components.tenants)
and the platform facts the Pulumi program publishes (components.tenancy.platform_facts).

The playbook's engine, `modelplane drift` and the benchmarks all build them here, so what is written and
what is compared are one thing.
"""

from __future__ import annotations

import base64
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from components.tenants import Tenant

MANAGED_BY = {"app.kubernetes.io/managed-by": "modelplane"}
MANAGED_SELECTOR = "app.kubernetes.io/managed-by=modelplane"
# set by offboard.yml on a namespace it keeps; onboarding the tenant again removes it
OFFBOARDED_LABEL = "modelplane.io/offboarded"
TENANT_LABEL = "modelplane.io/tenant-namespace"
ARGOCD_SERVER = "https://kubernetes.default.svc"
RBAC = "rbac.authorization.k8s.io/v1"
NETWORKING = "networking.k8s.io/v1"
ARGOCD = "argoproj.io/v1alpha1"
PodSecurityLevel = Literal["privileged", "baseline", "restricted"]

# Seldon Deploy without cluster-wide RBAC is granted each tenant namespace (seed 003 §3.7.5 Option 1)
SELDON_DEPLOY_RULES = [
    {"apiGroups": ["machinelearning.seldon.io"], "resources": ["*"], "verbs": ["*"]},
    {"apiGroups": ["serving.knative.dev", "eventing.knative.dev"], "resources": ["*"], "verbs": ["*"]},
    {"apiGroups": ["networking.istio.io"], "resources": ["virtualservices", "destinationrules"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["*"]},
    {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "endpoints", "events", "configmaps"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch", "create", "update", "patch"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": ["get", "list", "watch"]},
]
# Argo batch jobs, per namespace setup (seed 003 Argo)
WORKFLOW_RULES = [
    {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["*"]},
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]},
    {"apiGroups": ["machinelearning.seldon.io"], "resources": ["*"], "verbs": ["*"]},
]
# (kind, name) of the access objects a setting in the tenants file creates; removed when it goes
ACCESS = {"write": [("RoleBinding", "modelplane-write")], "read": [("RoleBinding", "modelplane-read")],
          "quota": [("ResourceQuota", "modelplane-quota"), ("LimitRange", "modelplane-defaults")],
          "seldon-deploy": [("RoleBinding", "seldon-deploy"), ("Role", "seldon-deploy")],
          "batch": [("RoleBinding", "workflow"), ("Role", "workflow")]}
KIND_API = {"RoleBinding": RBAC, "Role": RBAC, "ResourceQuota": "v1", "LimitRange": "v1"}


class PlatformFacts(BaseModel):
    """ConfigMap seldon-system/modelplane-platform, as components.tenancy.platform_facts writes it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    tenancy: Literal["single", "multi"]
    environment: str
    seldonDeployNamespace: str  # noqa: N815 (the ConfigMap's keys)
    seldonDeployServiceAccount: str  # noqa: N815
    argocdNamespace: str  # noqa: N815
    argocdProject: str  # noqa: N815
    batchStorageEndpoint: str  # noqa: N815
    ingressNamespaces: list[str]  # noqa: N815
    podSecurityEnforce: PodSecurityLevel  # noqa: N815
    podSecurityAudit: PodSecurityLevel = "restricted"  # noqa: N815 (absent from facts published before it)

    @field_validator("ingressNamespaces", mode="before")
    @classmethod
    def _json_list(cls, value):
        return json.loads(value) if isinstance(value, str) else value


class ContainerDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    request_cpu: str = "100m"
    request_memory: str = "256Mi"
    limit_cpu: str = "1"
    limit_memory: str = "1Gi"


class Options(BaseModel):
    """The role's settings besides the tenants and the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # None: the platform's level (tenancy.podSecurity, published as podSecurityAudit)
    pod_security_audit: PodSecurityLevel | None = None
    container_defaults: ContainerDefaults = Field(default_factory=ContainerDefaults)


def _meta(name: str, namespace: str, labels: dict | None = None) -> dict:
    return {"name": name, "namespace": namespace, "labels": labels or dict(MANAGED_BY)}


def namespace(tenant: Tenant, platform: PlatformFacts, options: Options) -> dict:
    audit = options.pod_security_audit or platform.podSecurityAudit
    labels = {**tenant.namespace_labels(), "kubernetes.io/metadata.name": tenant.name,
              "pod-security.kubernetes.io/enforce": platform.podSecurityEnforce,
              "pod-security.kubernetes.io/audit": audit, "pod-security.kubernetes.io/warn": audit}
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": tenant.name, "labels": labels, "annotations": tenant.namespace_annotations()}}


def network_policies(tenant: Tenant, platform: PlatformFacts) -> list[dict]:
    def policy(name: str, ingress: list | None) -> dict:
        spec = {"podSelector": {}, "policyTypes": ["Ingress"]}
        if ingress is not None:
            spec["ingress"] = ingress
        return {"apiVersion": NETWORKING, "kind": "NetworkPolicy", "metadata": _meta(name, tenant.name), "spec": spec}

    platform_peer = {"namespaceSelector": {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": list(platform.ingressNamespaces)}]}}
    return [policy("modelplane-default-deny", None),
            policy("modelplane-allow-same-namespace", [{"from": [{"podSelector": {}}]}]),
            policy("modelplane-allow-platform", [{"from": [platform_peer]}])]


def access_bindings(tenant: Tenant) -> list[dict]:
    return [{"apiVersion": RBAC, "kind": "RoleBinding", "metadata": _meta(f"modelplane-{access}", tenant.name),
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
             "subjects": tenant.subjects(access)}
            for access, role in (("write", "edit"), ("read", "view")) if tenant.subjects(access)]


def quota(tenant: Tenant, options: Options) -> list[dict]:
    if not tenant.quota:
        return []
    q, d = tenant.quota, options.container_defaults
    return [
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta("modelplane-quota", tenant.name),
         "spec": {"hard": {"requests.cpu": str(q.cpu), "limits.cpu": str(q.cpu), "requests.memory": str(q.memory),
                           "limits.memory": str(q.memory), "pods": str(q.pods)}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta("modelplane-defaults", tenant.name),
         "spec": {"limits": [{"type": "Container",
                              "defaultRequest": {"cpu": d.request_cpu, "memory": d.request_memory},
                              "default": {"cpu": d.limit_cpu, "memory": d.limit_memory}}]}},
    ]


def role_and_binding(tenant: Tenant, name: str, rules: list[dict], subject: dict) -> list[dict]:
    return [{"apiVersion": RBAC, "kind": "Role", "metadata": _meta(name, tenant.name), "rules": rules},
            {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": _meta(name, tenant.name),
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
             "subjects": [subject]}]


def seldon_deploy_access(tenant: Tenant, platform: PlatformFacts) -> list[dict]:
    if platform.tenancy != "multi" or not platform.seldonDeployServiceAccount:
        return []
    return role_and_binding(tenant, "seldon-deploy", SELDON_DEPLOY_RULES, {
        "kind": "ServiceAccount", "name": platform.seldonDeployServiceAccount,
        "namespace": platform.seldonDeployNamespace})


def batch_access(tenant: Tenant) -> list[dict]:
    if not tenant.batch:
        return []
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("workflow", tenant.name)}
    return [account, *role_and_binding(tenant, "workflow", WORKFLOW_RULES,
                                       {"kind": "ServiceAccount", "name": "workflow", "namespace": tenant.name})]


def argocd_application(tenant: Tenant, platform: PlatformFacts) -> list[dict]:
    """One Application per namespace, path <namespace>, automated sync (seed 003 §6.5). No
    resources-finalizer: removing the Application must never delete what it synced."""
    if not tenant.gitops:
        return []
    return [{"apiVersion": ARGOCD, "kind": "Application",
             "metadata": {"name": tenant.argocd_app, "namespace": platform.argocdNamespace,
                          "labels": {**MANAGED_BY, TENANT_LABEL: tenant.name}},
             "spec": {"project": platform.argocdProject,
                      "destination": {"namespace": tenant.name, "server": ARGOCD_SERVER},
                      "source": {"repoURL": str(tenant.gitops.repo), "targetRevision": tenant.gitops.branch,
                                 "path": tenant.name, "directory": {"recurse": True}},
                      "syncPolicy": {"automated": {}}}}]


def tenant_objects(tenant: Tenant, platform: PlatformFacts, options: Options) -> list[dict]:
    """Every object of one tenant except its Secret, the Namespace first."""
    return [namespace(tenant, platform, options), *network_policies(tenant, platform), *access_bindings(tenant),
            *quota(tenant, options), *seldon_deploy_access(tenant, platform), *batch_access(tenant),
            *argocd_application(tenant, platform)]


def batch_secret(tenant: Tenant, platform: PlatformFacts, credentials: dict) -> list[dict]:
    """rclone's S3 settings for batch jobs (seed 003 Argo); written by server-side apply, so the values
    never land in a last-applied annotation."""
    if not tenant.batch:
        return []
    values = {"RCLONE_CONFIG_S3_TYPE": "s3", "RCLONE_CONFIG_S3_PROVIDER": "Minio",
              "RCLONE_CONFIG_S3_ENV_AUTH": "false",
              "RCLONE_CONFIG_S3_ACCESS_KEY_ID": credentials["access_key_id"],
              "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": credentials["secret_access_key"],
              "RCLONE_CONFIG_S3_ENDPOINT": platform.batchStorageEndpoint}
    return [{"apiVersion": "v1", "kind": "Secret", "metadata": _meta("seldon-job-secret", tenant.name),
             "type": "Opaque", "data": {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}}]


def stale_objects(tenant: Tenant, platform: PlatformFacts) -> list[dict]:
    """Access objects the tenant no longer asks for (a setting was removed from the tenants file). The batch
    ServiceAccount and seldon-job-secret stay: without the Role they grant nothing, and Secrets are data."""
    gone = [a for a in ("write", "read") if not tenant.subjects(a)]
    if not tenant.quota:
        gone.append("quota")
    if platform.tenancy != "multi":
        gone.append("seldon-deploy")
    if not tenant.batch:
        gone.append("batch")
    return [{"apiVersion": KIND_API[kind], "kind": kind, "metadata": {"name": name, "namespace": tenant.name}}
            for access in gone for kind, name in ACCESS[access]]
