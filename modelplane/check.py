"""`modelplane check`: the policy rules on a stack's plan, its tenants file and the OPA grants that
onboarding would write."""

from __future__ import annotations

from pathlib import Path

from components.config import secret_fields
from components.errors import ConfigError
from components.secrets import is_plaintext
from components.stack import REPO_ROOT, load, tenants_path
from modelplane.charts import UNAVAILABLE, ChartStore
from modelplane.stackfile import load_stack, read_stack
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


def check_stack(stack: str, root: Path = REPO_ROOT, plan_dir: Path | None = None,
                charts: Path | None = None) -> Result:
    """Validate the stack, render it (or read the plan `modelplane render` wrote to plan_dir) and
    evaluate every rule; with chart data (`charts`, laid out like ../shared/charts) also every Helm values
    path. Raises ConfigError for invalid input."""
    if charts is not None and not Path(charts).is_dir():
        raise ConfigError("--charts", [f"(dir): {charts} is not a directory of chart data"])
    config, tenants, plan = load_stack(stack, root, plan_dir)
    _check_overrides(stack, config.policy.overrides)
    ctx = Context(
        environment=config.environment, resources=resources_from_plan(plan), tenants=tenants,
        opa_grants=tenants.opa_grants(),
        plaintext_secrets={path: ref for path, ref in secret_fields(config) if is_plaintext(ref)},
        charts=ChartStore(charts) if charts else None)
    overrides = {k: Override(v.enforcement, v.reason) for k, v in config.policy.overrides.items()}
    result = evaluate(stack, ctx, overrides)
    result.notes.append(_charts_note(ctx, charts))
    return result


def _charts_note(ctx: Context, charts: Path | None) -> str:
    if ctx.charts is None:
        return ("Helm values were NOT checked against the pinned charts (MP016): no chart data given; pass "
                "--charts DIR or set MODELPLANE_CHARTS (README: Upstream files)")
    # what MP016 could not check: charts without public data (a missing chart folder is a violation instead)
    releases = ctx.releases()
    unchecked = [f"{r.name} ({UNAVAILABLE[r.inputs['chart']]})" for r in releases
                 if r.inputs.get("chart") in UNAVAILABLE]
    return (f"Helm values of {len(releases) - len(unchecked)} release(s) checked against the chart data in "
            f"{charts}" + (f"; not checked: {', '.join(unchecked)}" if unchecked else ""))
