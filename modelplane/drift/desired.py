"""What the three owners of a modelplane cluster want, from the sources they act on:
- Pulumi: every Kubernetes object of the stack's plan (`ignoreChanges` paths left out) and its Helm releases;
- Ansible: the tenants file's objects, built by the onboarding engine's own code from the platform facts in the
  plan, and the tenants' OPA grants;
- Argo CD: the SeldonDeployments of the GitOps files `render` writes, and the tenants' Applications in sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from components.errors import ConfigError
from components.names import FACTS_CONFIGMAP, REDACTED
from components.tenants import TenantsFile
from modelplane.drift.helm import Release
from modelplane.onboarding import objects as build
from modelplane.onboarding.engine import desired_state as onboarding_state
from modelplane.plan.document import gitops_models, helm_releases, is_kubernetes_object, manifest

PULUMI, ANSIBLE, ARGOCD = "Pulumi", "Ansible", "Argo CD"
OWNERS = (PULUMI, ANSIBLE, ARGOCD)


@dataclass
class Expected:
    owner: str
    obj: dict
    ignore: tuple[str, ...] = ()  # dotted field paths the owner leaves to others (Pulumi's ignoreChanges)


@dataclass
class Desired:
    objects: list[Expected] = field(default_factory=list)
    stale: list[Expected] = field(default_factory=list)  # objects onboarding removes when it finds them
    releases: list[Release] = field(default_factory=list)
    grants: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    tenants: set[str] = field(default_factory=set)
    system_namespaces: set[str] = field(default_factory=set)
    applications: list[dict] = field(default_factory=list)
    seldon_namespace: str = "seldon-system"
    # (namespace, name) of the Argo CD AppProject -> the GitOps tenants onboarding adds to its destinations
    destinations: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _facts(plan: dict) -> build.PlatformFacts:
    for resource in plan["resources"]:
        inputs = resource["inputs"] if is_kubernetes_object(resource) else {}
        if inputs.get("kind") == "ConfigMap" and (inputs.get("metadata") or {}).get("name") == FACTS_CONFIGMAP:
            return build.PlatformFacts.model_validate(inputs.get("data") or {})
    raise ConfigError(f"stack {plan.get('stack')!r}", [f"plan: no ConfigMap {FACTS_CONFIGMAP}; the tenants' "
                                                       "objects depend on the platform facts it holds"])


def desired(plan: dict, tenants: TenantsFile, options: build.Options) -> Desired:
    """`options`: the onboarding role's settings (modelplane.onboarding.role)."""
    state = Desired(tenants={t.name for t in tenants.tenants})
    for resource in plan["resources"]:
        if is_kubernetes_object(resource):
            obj = manifest(resource)
            ignore = tuple((resource.get("options") or {}).get("ignoreChanges") or ())
            state.objects.append(Expected(PULUMI, obj, ignore))
            if obj["kind"] == "Namespace":
                state.system_namespaces.add(obj["metadata"]["name"])
    state.releases = [Release(name, namespace, chart, version) for name, namespace, chart, version, _ in
                      helm_releases(plan)]
    state.system_namespaces |= {r.namespace for r in state.releases}
    facts = _facts(plan)
    state.seldon_namespace = facts.seldonDeployNamespace
    # Secret values are not compared (drift holds no credentials), so any stand-in will do
    onboarding = onboarding_state(tenants.tenants, facts, options,
                                  {"access_key_id": REDACTED, "secret_access_key": REDACTED})
    state.objects += [Expected(ANSIBLE, o) for o in onboarding.objects]
    state.stale = [Expected(ANSIBLE, o) for o in onboarding.stale]
    state.applications = [o for o in onboarding.objects if o["kind"] == "Application"]
    gitops = sorted(t.name for t in tenants.tenants if t.gitops)
    if gitops and facts.argocdNamespace:
        state.destinations[(facts.argocdNamespace, facts.argocdProject)] = gitops
    state.grants = {t.name: t.opa_grants() for t in tenants.tenants}
    state.objects += [Expected(ARGOCD, model["manifest"]) for model in gitops_models(plan)]
    return state
