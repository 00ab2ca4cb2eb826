"""The tenants file (`stacks/tenants/<stack>.yaml`): the one source Ansible onboarding, model
deployments and policies read. Format in DESIGN.md; validated here for all of them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, HttpUrl, ValidationError, field_validator, model_validator

from components.base import DnsLabel, Quantity, Strict
from components.errors import ConfigError, FieldProblems, from_validation_error, read_yaml_file
from components.names import is_reserved

Access = Literal["read", "write"]
# every tenant namespace carries both; offboarding and adoption checks look for them
TENANT_LABELS = {"app.kubernetes.io/managed-by": "modelplane", "modelplane.io/tenant": "true"}
RBAC_GROUP = "rbac.authorization.k8s.io"


def _principal(name: str) -> str:
    # Seldon's label keys (seldon.group.<g>, seldon.user.<u>) must stay valid label names
    if not re.match(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", name) or len(name) > 50:
        raise ValueError(f"{name!r} is not usable in a label key (letters, digits, '-', '_', '.'; <= 50 chars)")
    return name


class Quota(Strict):
    cpu: Quantity
    memory: Quantity
    pods: int = Field(gt=0)


class GitOps(Strict):
    repo: HttpUrl
    # Argo CD application name; default seldon-gitops-<ns> (seed 003 §6.5)
    app: DnsLabel | None = None
    branch: str = "main"


class Tenant(Strict):
    name: DnsLabel
    visibility: Literal["restricted", "global"] = "restricted"
    groups: dict[str, Access] = Field(default_factory=dict)
    users: dict[str, Access] = Field(default_factory=dict)
    quota: Quota | None = None
    gitops: GitOps | None = None
    batch: bool = False
    # take over a namespace that exists without modelplane's managed-by label
    adopt: bool = False

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if is_reserved(name):
            raise ValueError(f"{name!r} is a reserved namespace (system or platform namespace)")
        return name

    @field_validator("groups", "users")
    @classmethod
    def _principals(cls, grants: dict[str, str]) -> dict[str, str]:
        for principal in grants:
            _principal(principal)
        return grants

    @property
    def argocd_app(self) -> str:
        return (self.gitops.app if self.gitops and self.gitops.app else None) or f"seldon-gitops-{self.name}"

    def namespace_labels(self) -> dict[str, str]:
        """Seldon Deploy's visibility and GitOps labels (seed 000, 003 §6.5, §7.6) plus ours."""
        labels = {**TENANT_LABELS, "seldon.restricted": "true" if self.visibility == "restricted" else "false"}
        labels.update({f"seldon.group.{group}": access for group, access in sorted(self.groups.items())})
        labels.update({f"seldon.user.{user}": access for user, access in sorted(self.users.items())})
        if self.gitops:
            labels.update({"seldon.gitops": "enabled", "argocdapp": self.argocd_app})
        return labels

    def namespace_annotations(self) -> dict[str, str]:
        return {"git-repo": str(self.gitops.repo)} if self.gitops else {}

    def subjects(self, access: Access) -> list[dict[str, str]]:
        """RBAC subjects holding `access`: groups and users, in a stable order."""
        return ([{"kind": "Group", "name": g, "apiGroup": RBAC_GROUP}
                 for g, a in sorted(self.groups.items()) if a == access]
                + [{"kind": "User", "name": u, "apiGroup": RBAC_GROUP}
                   for u, a in sorted(self.users.items()) if a == access])

    def opa_grants(self) -> list[tuple[str, str, str, str]]:
        """(role_grants | user_grants, principal, action, resource) for Seldon Deploy's OPA policies
        (seed 003 §7.8): write implies read; global visibility is a read grant for user '*'."""
        resource = f"namespace/{self.name}"
        grants = []
        for target, principals in (("role_grants", self.groups), ("user_grants", self.users)):
            for principal, access in sorted(principals.items()):
                actions = ("read", "write") if access == "write" else ("read",)
                grants += [(target, principal, action, resource) for action in actions]
        if self.visibility == "global" and ("user_grants", "*", "read", resource) not in grants:
            grants.append(("user_grants", "*", "read", resource))
        return grants

    def for_ansible(self) -> dict:
        """The tenant as the onboarding roles take it: the file's fields plus what is derived from them."""
        return {
            **self.model_dump(mode="json", by_alias=False),
            "labels": self.namespace_labels(), "annotations": self.namespace_annotations(),
            "argocd_app": self.argocd_app if self.gitops else None,
            "write_subjects": self.subjects("write"), "read_subjects": self.subjects("read"),
            "opa_grants": [list(grant) for grant in self.opa_grants()],
        }


class TenantsFile(Strict):
    # required: an empty or truncated file must not read as "no tenants" (offboarding everyone by mistake)
    tenants: list[Tenant]

    @model_validator(mode="after")
    def _unique(self) -> TenantsFile:
        first: dict[str, int] = {}
        problems = []
        for index, tenant in enumerate(self.tenants):
            if tenant.name in first:
                problems.append((("tenants", index, "name"),
                                 f"{tenant.name!r} is listed twice: first as tenants[{first[tenant.name]}]"))
            first.setdefault(tenant.name, index)
        if problems:
            raise FieldProblems(problems)
        return self

    def get(self, name: str) -> Tenant | None:
        return next((t for t in self.tenants if t.name == name), None)

    @property
    def names(self) -> set[str]:
        return {t.name for t in self.tenants}

    def opa_grants(self) -> list[tuple[str, str, str, str]]:
        """Every tenant's OPA grants, as onboarding writes them."""
        return [grant for tenant in self.tenants for grant in tenant.opa_grants()]


def parse_tenants(data: object, source: str = "tenants") -> TenantsFile:
    if not isinstance(data, dict):
        raise ConfigError(source, ["(root): expected a mapping with key 'tenants'"])
    if not data:
        raise ConfigError(source, ["tenants: missing (an empty or truncated file?); "
                                   "write `tenants: []` to say there are none"])
    try:
        return TenantsFile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(source, exc, model=TenantsFile) from None


def load_tenants(path: str | Path) -> TenantsFile:
    path = Path(path)
    return parse_tenants(read_yaml_file(path), str(path))


def is_tenant_namespace(namespace: dict) -> bool:
    labels = (namespace.get("metadata") or {}).get("labels") or {}
    return all(labels.get(k) == v for k, v in TENANT_LABELS.items())


def cluster_problems(tenants: TenantsFile, namespaces: list[dict]) -> list[str]:
    """What in the cluster stops onboarding `tenants`: namespaces someone else owns, or being deleted."""
    existing = {ns["metadata"]["name"]: ns for ns in namespaces}
    problems = []
    for index, tenant in enumerate(tenants.tenants):
        namespace = existing.get(tenant.name)
        if namespace is None:
            continue
        if (namespace.get("status") or {}).get("phase") == "Terminating":
            problems.append(f"tenants[{index}].name: namespace {tenant.name!r} is being deleted; wait and re-run")
        elif not is_tenant_namespace(namespace) and not tenant.adopt:
            problems.append(f"tenants[{index}].name: namespace {tenant.name!r} exists and is not a modelplane "
                            "tenant (someone else's?); set adopt: true to take it over")
    return problems


def untracked_tenants(tenants: TenantsFile, namespaces: list[dict]) -> list[str]:
    """modelplane tenant namespaces in the cluster that the file no longer lists (offboard them)."""
    return sorted(ns["metadata"]["name"] for ns in namespaces
                  if is_tenant_namespace(ns) and ns["metadata"]["name"] not in tenants.names)


def offboard_problems(name: str, namespaces: list[dict], purge: bool, confirm: str | None) -> list[str]:
    problems = []
    if not isinstance(name, str) or not name:
        return ["tenant: required (-e tenant=NAME)"]
    if is_reserved(name):
        problems.append(f"tenant: {name!r} is a reserved namespace, never a tenant")
    namespace = next((ns for ns in namespaces if ns["metadata"]["name"] == name), None)
    if namespace is None:
        problems.append(f"tenant: namespace {name!r} does not exist")
    elif not is_tenant_namespace(namespace):
        problems.append(f"tenant: namespace {name!r} is not a modelplane tenant; refusing to touch it")
    if purge and confirm != name:
        problems.append(f"confirm: purge deletes namespace {name!r} with all its data; "
                        f"add -e confirm={name} to confirm (got {confirm!r})")
    return problems


def platform_problems(tenants: TenantsFile, facts: dict, batch_credentials: bool) -> list[str]:
    """What the tenants ask for that the installed platform (its facts ConfigMap) does not provide."""
    problems = []
    for index, tenant in enumerate(tenants.tenants):
        if tenant.gitops and not facts.get("argocdNamespace"):
            problems.append(f"tenants[{index}].gitops: this platform does not run Argo CD (addons.argocd)")
        if tenant.batch and not facts.get("batchStorageEndpoint"):
            problems.append(f"tenants[{index}].batch: this platform does not run MinIO (addons.minio)")
        elif tenant.batch and not batch_credentials:
            problems.append(f"tenants[{index}].batch: needs tenant_onboard_batch_credentials "
                            "{access_key_id, secret_access_key} (-e @file, ansible-vault encrypted)")
    return problems
