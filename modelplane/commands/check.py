"""`modelplane check`: the policy rules on a stack's plan, its tenants file and the OPA grants that
onboarding would write."""

from __future__ import annotations

from pathlib import Path

from components.errors import ConfigError
from components.names import REPO_ROOT, chart_name
from modelplane.plan import checkinputs
from modelplane.plan.charts import UNAVAILABLE, ChartStore
from modelplane.plan.upstream import charts_dir
from policies.check import Override, Result, evaluate, resources_from_plan
from policies.rules import RULES, Context


def pack_config_for(stack: str, root: Path = REPO_ROOT) -> str:
    """The CrossGuard pack config of a stack: its environment, tenants file, overrides and provided objects."""
    from components.config import provided_objects
    from components.stack import load, tenants_path
    from modelplane.engine.stackfile import read_stack
    from policies.crossguard import pack_config_text

    flat, secret_keys = read_stack(stack, root)
    config, _ = load(flat, secret_keys, stack, root)
    _check_overrides(stack, config.policy.overrides)
    tenants = tenants_path(stack, config.tenants_file, root)
    tenants_file = str(tenants.relative_to(root)) if tenants.is_relative_to(root) else str(tenants)
    return pack_config_text(config.environment, tenants_file,
                            {k: v.enforcement for k, v in config.policy.overrides.items()}, provided_objects(config))


# the rule that needs chart data
MP016 = "MP016"


def _check_overrides(stack: str, overrides: dict) -> None:
    unknown = sorted(set(overrides) - set(RULES))
    if unknown:
        raise ConfigError(f"stack {stack!r}", [f"policy.overrides.{rule_id}: no such rule (rules: "
                                               f"{', '.join(sorted(RULES))})" for rule_id in unknown])


def check_stack(stack: str, root: Path = REPO_ROOT, plan_dir: Path | None = None,
                charts: Path | None = None) -> Result:
    """Render the stack (validating it), or read the plan `modelplane render` wrote to plan_dir (validating
    the stack again only when its files changed since), and evaluate every rule; with chart data (`charts`, laid
    out like ../shared/charts: the flag, else where modelplane.plan.upstream.charts_dir finds it, as render does)
    also every Helm values path. Raises ConfigError for invalid input."""
    charts = charts_dir(charts)
    plan, inputs, notes = _plan_and_inputs(stack, root, plan_dir)
    _check_overrides(stack, inputs.overrides)
    ctx = Context(environment=inputs.environment, resources=resources_from_plan(plan), tenants=inputs.tenants,
                  opa_grants=inputs.opa_grants, default_credentials=inputs.default_credentials,
                  provided=inputs.provided, charts=ChartStore(charts) if charts else None)
    overrides = {k: Override(enforcement, reason) for k, (enforcement, reason) in inputs.overrides.items()}
    result = evaluate(stack, ctx, overrides)
    result.notes += [*notes, _charts_note(ctx, charts)]
    if ctx.charts is None:
        result.skipped[MP016] = "no chart data: Helm values were not checked (--charts, MODELPLANE_CHARTS)"
    return result


def _plan_and_inputs(stack: str, root: Path, plan_dir: Path | None) -> tuple[dict, checkinputs.CheckInputs, list]:
    """The plan (rendered now, or read from plan_dir), the validated inputs the rules read, and notes. The
    inputs are those render recorded in the plan (modelplane.plan.checkinputs) while the files they came from are
    unchanged; otherwise the stack is validated again and its current files are used."""
    if plan_dir is None:
        from modelplane.engine.render import render

        plan = render(stack, root).plan
        return plan, checkinputs.CheckInputs.from_json(plan[checkinputs.KEY]), []
    from modelplane.plan.document import read_plan

    plan = read_plan(plan_dir)
    if plan.get("stack") != stack:
        raise ConfigError(str(plan_dir), [f"stack: the plan is of stack {plan.get('stack')!r}, not {stack!r}"])
    changed = checkinputs.changed_files(plan, root)
    inputs = None if changed else checkinputs.recorded(plan)
    if inputs is not None:
        files = ", ".join(sorted(plan[checkinputs.KEY]["files"]))
        return plan, inputs, [f"stack inputs as validated when the plan was rendered ({files}: same digests)"]
    from components.stack import load
    from modelplane.engine.stackfile import read_stack

    config, tenants = load(*read_stack(stack, root), stack, root)
    notes = [f"{', '.join(changed)} changed since the plan was rendered: checked as they are now, against the "
             f"plan's resources as rendered (render again to check both as they are now)"] if changed else []
    return plan, checkinputs.of_validated(config, tenants), notes


def _charts_note(ctx: Context, charts: Path | None) -> str:
    if ctx.charts is None:
        return ("Helm values were NOT checked against the pinned charts (MP016): no chart data found; pass "
                "--charts DIR, set MODELPLANE_CHARTS, or put the data in ../shared/charts or "
                "~/.cache/modelplane/charts (modelplane charts pull) (README: Upstream files)")
    # what MP016 could not check: charts without public data (a missing chart folder is a violation instead)
    releases = ctx.releases()
    unchecked = [f"{r.name} ({UNAVAILABLE[r.inputs['chart']]})" for r in releases
                 if chart_name(r.inputs) in UNAVAILABLE]
    return (f"Helm values of {len(releases) - len(unchecked)} release(s) checked against the chart data in "
            f"{charts}" + (f"; not checked: {', '.join(unchecked)}" if unchecked else ""))
