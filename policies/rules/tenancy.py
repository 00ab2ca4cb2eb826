"""Rules on tenants and the OPA grants onboarding writes for them (seed 003 §7.6-7.8)."""

from __future__ import annotations

from collections import defaultdict

from components import opa
from components.names import FACTS_CONFIGMAP, is_reserved
from policies.rules.base import Context, Violation, platform_facts, rule


@rule("MP012", "Tenant namespaces are not reserved and have a quota outside dev", severity="medium",
      rationale="A tenant in a system namespace gets the platform's access; without a quota one team's "
                "models can take every node of a shared cluster.",
      fix="Rename the tenant; add quota: {cpu, memory, pods} to it in the tenants file.")
def tenant_namespaces(ctx: Context):
    for t in ctx.tenants.tenants if ctx.tenants else []:
        if is_reserved(t.name):
            yield Violation(f"tenant {t.name}", "reserved namespace name")
        if not ctx.dev and t.quota is None:
            yield Violation(f"tenant {t.name}", "no quota")


@rule("MP013", "No write grant to everyone on staging or prod namespaces", severity="critical",
      rationale="An OPA user grant to `*` with write lets every logged-in user deploy into the namespace.",
      fix="Grant write to a group; use visibility: global for read access for everyone.")
def no_write_to_everyone(ctx: Context):
    if ctx.environment not in ("staging", "prod"):
        return
    for target, principal, action, resource in ctx.opa_grants:
        if principal == "*" and action == "write":
            yield Violation(f"OPA {target} '*'", f"write on {resource}")


def _seldon_deploy_opa(ctx: Context) -> bool:
    deploy = ctx.release("seldon-deploy")
    values = (deploy.inputs.get("values") or {}) if deploy else {}
    return bool(((values.get("rbac") or {}).get("opa") or {}).get("enabled"))


@rule("MP014", "The OPA policies ConfigMap exists and stays under 1 MiB", severity="critical",
      rationale="With OPA on, Seldon Deploy will not start without ConfigMap seldon-deploy-policies "
                "(seed 003 §7.8), and a ConfigMap cannot exceed 1 MiB.",
      fix="Onboard at least one tenant (onboarding writes the ConfigMap) or turn addons.seldonDeploy.opa "
          "off; grant to groups rather than many single users.",
      mandatory_in=("local", "dev", "staging", "prod"))
def opa_configmap(ctx: Context):
    if not _seldon_deploy_opa(ctx):
        return
    planned = any(o.kind == "ConfigMap" and o.name == opa.CONFIGMAP for o in ctx.objects)
    if not planned and not (ctx.tenants and ctx.tenants.tenants):
        yield Violation(f"ConfigMap seldon-system/{opa.CONFIGMAP}", "OPA is on, but nothing creates the "
                        "ConfigMap: no tenants to onboard")
    by_namespace: dict[str, list[opa.Grant]] = defaultdict(list)
    for grant in ctx.opa_grants:
        by_namespace[grant[3].removeprefix("namespace/")].append(grant)
    try:
        opa.merge(opa.parse_document(None), {}, by_namespace)
    except opa.PolicyError as exc:
        yield Violation(f"ConfigMap seldon-system/{opa.CONFIGMAP}", str(exc))


@rule("MP034", "Tenant namespaces enforce at least baseline Pod Security", severity="critical",
      rationale="A namespace that enforces `privileged` admits any pod its tenant writes: a privileged container, "
                "the node's disk as a hostPath, the node's network — and with them every other tenant's secrets "
                "on that node. Istio's sidecar injection needs NET_ADMIN and NET_RAW in an init container unless "
                "Istio's CNI agent sets up the traffic redirection, so without the agent tenants cannot enforce "
                "even baseline.",
      fix="Keep addons.istio.cni enabled (the default): tenant namespaces then enforce tenancy.podSecurity.")
def tenants_enforce_pod_security(ctx: Context):
    enforced = platform_facts(ctx.resources).get("podSecurityEnforce")
    if enforced != "privileged" or not (ctx.tenants and ctx.tenants.tenants):
        return
    names = ", ".join(t.name for t in ctx.tenants.tenants[:3]) + (", ..." if len(ctx.tenants.tenants) > 3 else "")
    yield Violation(f"ConfigMap seldon-system/{FACTS_CONFIGMAP}",
                    f"podSecurityEnforce: privileged: tenant namespaces ({names}) admit privileged, hostPath and "
                    "host-network pods (Istio runs without its CNI agent)")
