"""What a rule sees and says. A rule is a pure function of a Context: the planned resources (from
plan.json, or from CrossGuard's view of a preview), the tenants file and the OPA grants onboarding would
write. It yields Violations; the Rule around it carries id, title, rationale, severity, fix, and the
enforcement per environment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Protocol

from components.names import COMPONENT_TYPE as SELDON_MODEL
from components.names import FACTS_CONFIGMAP, chart_name
from components.opa import Grant
from modelplane.plan.charts import ChartStore

Severity = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["advisory", "mandatory", "disabled"]
DEV = ("local", "dev")
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


@dataclass(frozen=True)
class Resource:
    """A planned resource as both plan.json and CrossGuard describe it."""

    type: str
    name: str
    urn: str
    inputs: dict
    protect: bool = False
    depends_on: tuple[str, ...] = ()  # urns

    @property
    def is_kubernetes_object(self) -> bool:
        return self.type.startswith("kubernetes:") and self.type != HELM_RELEASE and "kind" in self.inputs


@dataclass(frozen=True)
class KubeObject:
    """A Kubernetes object the platform will create: applied by Pulumi, or committed for GitOps."""

    manifest: dict
    urn: str
    gitops: bool = False

    @property
    def kind(self) -> str:
        return self.manifest.get("kind", "")

    @property
    def namespace(self) -> str:
        return (self.manifest.get("metadata") or {}).get("namespace", "")

    @property
    def name(self) -> str:
        return (self.manifest.get("metadata") or {}).get("name", "")

    @property
    def label(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}" + (" (GitOps file)" if self.gitops else "")


class Tenant(Protocol):
    """What a rule reads of a tenant: components.tenants.Tenant, or the summary a plan records."""

    name: str
    quota: object | None


class Tenants(Protocol):
    """What a rule reads of the tenants file: components.tenants.TenantsFile, or a plan's record of it."""

    tenants: list[Tenant]

    @property
    def names(self) -> set[str]: ...


@dataclass
class Context:
    environment: str
    resources: list[Resource]
    tenants: Tenants | None = None
    # (target, principal, action, resource) as onboarding would write them
    opa_grants: list[Grant] = field(default_factory=list)
    # stack config fields holding a seed default credential in plaintext (components.config)
    default_credentials: list[str] = field(default_factory=list)
    # the pinned charts' data (modelplane.plan.charts.ChartStore); None when none was given: values unchecked
    charts: ChartStore | None = None
    # `Kind namespace/name` of objects the stack says exist before `pulumi up` (components.config.provided_objects)
    provided: list[str] = field(default_factory=list)

    @property
    def dev(self) -> bool:
        return self.environment in DEV

    def of_type(self, token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == token]

    def releases(self) -> list[Resource]:
        return self.of_type(HELM_RELEASE)

    def releases_of(self, chart: str) -> list[Resource]:
        """The releases that install `chart` (by name, or from an archive of a chart source)."""
        return [r for r in self.releases() if chart_name(r.inputs) == chart]

    def release(self, name: str) -> Resource | None:
        return next((r for r in self.releases() if r.name == name), None)

    @cached_property
    def objects(self) -> list[KubeObject]:
        out = [KubeObject(r.inputs, r.urn) for r in self.resources if r.is_kubernetes_object]
        out += [KubeObject(r.inputs["gitops"]["manifest"], r.urn, gitops=True)
                for r in self.of_type(SELDON_MODEL) if isinstance(r.inputs.get("gitops"), dict)]
        return out

    def plan_view(self) -> dict:
        """The resources in plan.json's shape, for code that reads a plan (modelplane.plan.requestlog)."""
        return {"resources": [{"type": r.type, "name": r.name, "urn": r.urn, "inputs": r.inputs,
                               "dependsOn": list(r.depends_on)} for r in self.resources]}

    def memo(self, key: str, compute: Callable[[], list]) -> list:
        """`compute()` once per context: what several rules walk (every pod template) is built once."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def kind(self, kind: str) -> list[KubeObject]:
        return [o for o in self.objects if o.kind == kind]


def platform_facts(resources: list[Resource]) -> dict:
    """The platform facts ConfigMap's data (components.tenancy.platform_facts), {} without one."""
    for r in resources:
        meta = r.inputs.get("metadata") or {}
        if r.inputs.get("kind") == "ConfigMap" and meta.get("name") == FACTS_CONFIGMAP:
            return r.inputs.get("data") or {}
    return {}


def environment_of(resources: list[Resource]) -> str | None:
    """The environment the platform facts ConfigMap records (components.tenancy)."""
    return platform_facts(resources).get("environment")


@dataclass(frozen=True)
class Violation:
    resource: str
    message: str
    urn: str | None = None


Check = Callable[[Context], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    rationale: str
    severity: Severity
    fix: str
    check: Check
    # advisory in local/dev, mandatory in staging/prod, unless a rule says otherwise
    mandatory_in: tuple[str, ...] = ("staging", "prod")

    def enforcement(self, environment: str) -> Enforcement:
        return "mandatory" if environment in self.mandatory_in else "advisory"

    def __call__(self, ctx: Context) -> list[Violation]:
        return list(self.check(ctx))


RULES: dict[str, Rule] = {}


def rule(id: str, title: str, *, severity: Severity, rationale: str, fix: str,
         mandatory_in: tuple[str, ...] = ("staging", "prod")) -> Callable[[Check], Rule]:
    def register(check: Check) -> Rule:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(id, title, rationale, severity, fix, check, mandatory_in)
        return RULES[id]
    return register
