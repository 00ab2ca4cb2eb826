"""The rules as CrossGuard stack policies (`pulumi preview --policy-pack policies`). Each rule is one
StackValidationPolicy named `mpNNN-...`, mandatory unless the per-stack pack config
(`policies/config/<stack>.json`, written by `modelplane policy-config`) sets its environment's level."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from components.tenants import TenantsFile, load_tenants
from modelplane.plan.charts import ChartStore
from policies.rules import RULES, Context, Resource, Rule
from policies.rules.base import environment_of

ROOT = Path(__file__).resolve().parent.parent
UNKNOWN = "<unknown>"  # a value `pulumi preview` cannot know yet
CONFIG_SCHEMA = PolicyConfigSchema(properties={"environment": {"type": "string"},
                                               "tenantsFile": {"type": "string"},
                                               "providedObjects": {"type": "array", "items": {"type": "string"}}})


def policy_name(rule: Rule) -> str:
    return f"{rule.id.lower()}-" + re.sub(r"[^a-z0-9]+", "-", rule.title.lower()).strip("-")


def plain(value):
    """CrossGuard's proxies (which raise on values unknown at preview) as plain data."""
    if hasattr(value, "value") and type(value).__name__ == "Secret":
        return plain(value.value)
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        out = []
        for i in range(len(value)):
            try:
                out.append(plain(value[i]))
            except UnknownValueError:
                out.append(UNKNOWN)
        return out
    return value


def context_of(args: StackValidationArgs) -> Context:
    config = args.get_config()
    resources = [Resource(r.resource_type, r.name, r.urn, plain(r.props), bool(r.opts.protect),
                          tuple(d.urn for d in r.dependencies or ())) for r in args.resources]
    # unknown environment: the strictest reading
    environment = config.get("environment") or environment_of(resources) or "prod"
    tenants: TenantsFile | None = None
    if config.get("tenantsFile"):
        tenants = load_tenants(ROOT / config["tenantsFile"])
    grants = tenants.opa_grants() if tenants else []
    charts = os.environ.get("MODELPLANE_CHARTS")
    return Context(environment=environment, resources=resources, tenants=tenants, opa_grants=grants,
                   provided=list(config.get("providedObjects") or []),
                   charts=ChartStore(Path(charts)) if charts else None)


def policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation) -> None:
        for v in rule(context_of(args)):
            report_violation(f"{rule.id} {v.resource}: {v.message}. Fix: {rule.fix}", v.urn)

    return StackValidationPolicy(
        name=policy_name(rule), description=f"{rule.id}: {rule.title}. {rule.rationale}", validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY, config_schema=CONFIG_SCHEMA,
        severity=Severity(rule.severity), remediation_steps=rule.fix)


def policies() -> list[StackValidationPolicy]:
    return [policy(rule) for _, rule in sorted(RULES.items())]


def pack_config(environment: str, tenants_file: str, overrides: Mapping[str, str] | None = None,
                provided: list[str] | None = None) -> dict:
    """The `--policy-pack-config` of a stack: each policy's enforcement in its environment, and what the
    rules read of the stack besides the preview (the tenants file, the objects it declares as provided)."""
    overrides = overrides or {}
    return {policy_name(rule): {"enforcementLevel": overrides.get(rule_id, rule.enforcement(environment)),
                                "environment": environment, "tenantsFile": tenants_file,
                                "providedObjects": list(provided or [])}
            for rule_id, rule in sorted(RULES.items())}


def pack_config_text(*args, **kwargs) -> str:
    return json.dumps(pack_config(*args, **kwargs), indent=2, sort_keys=True) + "\n"
