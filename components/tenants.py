"""The tenants file (`stacks/tenants/<stack>.yaml`): the one source Ansible onboarding, model
deployments and policies read. Format in DESIGN.md; validated here for all of them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, HttpUrl, ValidationError, field_validator, model_validator

from components.base import DnsLabel, Quantity, Strict
from components.errors import ConfigError, from_validation_error

# Namespaces the platform itself owns, or Kubernetes does: never a tenant (seed 000, 003 §7.7.7).
RESERVED_NAMESPACES = frozenset({
    "default", "seldon-system", "seldon-logs", "istio-system", "argocd", "argo", "minio-system",
    "monitoring", "postgres-operator", "opensearch", "elastic-system", "cert-manager",
})
RESERVED_PREFIXES = ("kube-", "knative-", "istio-", "seldon-", "openshift-")

Access = Literal["read", "write"]


def is_reserved(namespace: str) -> bool:
    return namespace in RESERVED_NAMESPACES or namespace.startswith(RESERVED_PREFIXES)


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


class TenantsFile(Strict):
    tenants: list[Tenant] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> TenantsFile:
        seen: set[str] = set()
        for index, tenant in enumerate(self.tenants):
            if tenant.name in seen:
                raise ValueError(f"tenants[{index}].name: {tenant.name!r} is listed twice")
            seen.add(tenant.name)
        return self

    def get(self, name: str) -> Tenant | None:
        return next((t for t in self.tenants if t.name == name), None)

    @property
    def names(self) -> set[str]:
        return {t.name for t in self.tenants}


def parse_tenants(data: object, source: str = "tenants") -> TenantsFile:
    if not isinstance(data, dict):
        raise ConfigError(source, ["(root): expected a mapping with key 'tenants'"])
    try:
        return TenantsFile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(source, exc) from None


def load_tenants(path: str | Path) -> TenantsFile:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(str(path), [f"(file): cannot read: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"(file): not valid YAML: {exc}"]) from None
    return parse_tenants(data, str(path))
