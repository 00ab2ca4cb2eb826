"""Rules on model deployments (seed 004, seed 003 §4.4, §7.7.7)."""

from __future__ import annotations

from components.names import is_reserved
from policies.rules.base import Context, Violation, rule


def _serving(sdep) -> list[dict]:
    return [p for p in (sdep.manifest.get("spec") or {}).get("predictors") or [] if not p.get("shadow")]


@rule("MP009", "SeldonDeployment traffic sums to 100", severity="high",
      rationale="Seldon Core splits requests by the traffic of the serving predictors; any other sum "
                "sends a share nowhere or is refused when it reaches the cluster.",
      fix="Give the serving predictors (not the shadow) traffic that adds up to 100.",
      mandatory_in=("local", "dev", "staging", "prod"))
def traffic_sums_to_100(ctx: Context):
    for sdep in ctx.kind("SeldonDeployment"):
        serving = _serving(sdep)
        total = sum(int(p.get("traffic", 100 if len(serving) == 1 else 0)) for p in serving)
        if serving and total != 100:
            shares = " + ".join(f"{p.get('name')} {p.get('traffic', 0)}" for p in serving)
            yield Violation(sdep.label, f"traffic sums to {total} ({shares})", sdep.urn)


@rule("MP010", "Production predictors run at least 2 replicas", severity="medium",
      rationale="One replica means every node drain or rollout is an outage of the model.",
      fix="Set replicas: 2 or more on every serving predictor of a prod model.")
def prod_replicas(ctx: Context):
    if ctx.environment != "prod":
        return
    for sdep in ctx.kind("SeldonDeployment"):
        for p in _serving(sdep):
            if int(p.get("replicas", 1)) < 2:
                yield Violation(sdep.label, f"predictor {p.get('name')} has {p.get('replicas', 1)} replica(s)",
                                sdep.urn)


@rule("MP011", "No models in seldon-logs or system namespaces", severity="high",
      rationale="seldon-logs holds the request logs and never ML deployments (seed 003 §7.7.7); system "
                "namespaces hold the platform, whose access rules do not fit tenants' models.",
      fix="Deploy into a tenant namespace from stacks/tenants/<stack>.yaml.",
      mandatory_in=("local", "dev", "staging", "prod"))
def no_models_in_system_namespaces(ctx: Context):
    for sdep in ctx.kind("SeldonDeployment"):
        if is_reserved(sdep.namespace):
            yield Violation(sdep.label, f"namespace {sdep.namespace!r} is a system or reserved namespace",
                            sdep.urn)
