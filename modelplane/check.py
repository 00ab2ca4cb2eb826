"""`modelplane check`: the policy rules on a stack's plan, its tenants file and the OPA grants that
onboarding would write."""

from __future__ import annotations

from pathlib import Path

from components.config import secret_fields
from components.errors import ConfigError
from components.program import REPO_ROOT, load, tenants_path
from components.secrets import is_plaintext
from modelplane.plan import read_plan
from modelplane.stackfile import read_stack
from policies.check import Override, Result, evaluate, resources_from_plan
from policies.rules import RULES, Context


def pack_config_for(stack: str, root: Path = REPO_ROOT) -> str:
    """The CrossGuard pack config of a stack: its environment, tenants file and overrides."""
    from policies.crossguard import pack_config_text

    flat, secret_keys = read_stack(stack, root)
    config, _ = load(flat, secret_keys, stack, root)
    _check_overrides(stack, config.policy.overrides)
    tenants = tenants_path(stack, config, root)
    tenants_file = str(tenants.relative_to(root)) if tenants.is_relative_to(root) else str(tenants)
    return pack_config_text(config.environment, tenants_file,
                            {k: v.enforcement for k, v in config.policy.overrides.items()})


def _check_overrides(stack: str, overrides: dict) -> None:
    unknown = sorted(set(overrides) - set(RULES))
    if unknown:
        raise ConfigError(f"stack {stack!r}", [f"policy.overrides.{rule_id}: no such rule (rules: "
                                               f"{', '.join(sorted(RULES))})" for rule_id in unknown])


def check_stack(stack: str, root: Path = REPO_ROOT, plan_dir: Path | None = None) -> Result:
    """Validate the stack, render it (or read the plan `modelplane render` wrote to plan_dir) and
    evaluate every rule. Raises ConfigError for invalid input."""
    flat, secret_keys = read_stack(stack, root)
    config, tenants = load(flat, secret_keys, stack, root)
    _check_overrides(stack, config.policy.overrides)
    if plan_dir is None:
        from modelplane.render import render

        plan, _ = render(stack, root)
    else:
        plan = read_plan(plan_dir)
        if plan.get("stack") != stack:
            raise ConfigError(str(plan_dir), [f"stack: the plan is of stack {plan.get('stack')!r}, not {stack!r}"])
    ctx = Context(
        environment=config.environment, resources=resources_from_plan(plan), tenants=tenants,
        opa_grants=tenants.opa_grants(),
        plaintext_secrets={path: ref for path, ref in secret_fields(config) if is_plaintext(ref)})
    overrides = {k: Override(v.enforcement, v.reason) for k, v in config.policy.overrides.items()}
    return evaluate(stack, ctx, overrides)
