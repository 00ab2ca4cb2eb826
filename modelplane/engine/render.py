"""`modelplane render`: validate a stack, run its program under mocks, return the plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from components import program
from components.config import PROJECT
from components.errors import ConfigError
from components.stack import REPO_ROOT, load
from modelplane.engine.mocks import Registration, run_program
from modelplane.engine.stackfile import input_files, read_stack
from modelplane.plan import checkinputs
from modelplane.plan.charts import ChartStore
from modelplane.plan.document import GITOPS_DIR, gitops_models
from modelplane.plan.footprint import Footprint, footprint
from modelplane.plan.upstream import charts_dir


@dataclass(frozen=True)
class Rendered:
    plan: dict
    notes: list[str]
    footprint: Footprint
    charts: ChartStore | None  # the chart data the footprint and the wiring read


def render(stack: str, root: Path = REPO_ROOT, charts: Path | None = None) -> Rendered:
    """The plan, its notes and its footprint. Raises ConfigError before writing anything when the stack is
    invalid — its config, or a footprint that does not fit the size preset."""
    flat, secret_keys = read_stack(stack, root)
    config, tenants = load(flat, secret_keys, stack, root)
    registrations = run_program(lambda: program.main(root), flat, secret_keys, project=PROJECT, stack=stack)
    plan = plan_document(stack, registrations)
    plan[checkinputs.KEY] = checkinputs.record(checkinputs.of_validated(config, tenants),
                                               input_files(stack, config, root), root)
    chart_data = charts_dir(charts)
    store = ChartStore(chart_data) if chart_data else None
    fp = footprint(plan, config.cluster, store, stack_values=_stack_values(stack, config))
    if chart_data and fp.problems():
        raise ConfigError(f"stack {stack!r}", fp.problems())
    notes = [f"environment `{config.environment}`, cluster `{config.cluster.cloud}` "
             f"(size preset `{config.cluster.size}`)",
             fp.line() if chart_data else "footprint: NOT computed — no chart data (../shared/charts or "
                                          "MODELPLANE_CHARTS): chart defaults are unknown, so the size preset "
                                          "was not checked"]
    gitops = gitops_models(plan)
    if gitops:
        notes.append(f"{len(gitops)} model(s) in GitOps namespaces are not applied by Pulumi: commit "
                     f"`{GITOPS_DIR}/<namespace>/` of this plan to each tenant's repo "
                     f"({', '.join(sorted(g['path'] for g in gitops))})")
    return Rendered(plan, notes, fp, store)


def _stack_values(stack: str, config) -> list[tuple[str, dict]]:
    """Where a stack's own Helm values overrides live, to name them as the source of a number."""
    return [(f"stacks/Pulumi.{stack}.yaml addons.{name}.values", addon.values)
            for name, addon in config.addons.items() if addon.values]


def plan_document(stack: str, registrations: list[Registration]) -> dict:
    resources = [
        {"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent, "custom": r.custom,
         "provider": r.provider, "inputs": r.inputs, "dependsOn": r.depends_on, "options": r.options}
        for r in sorted(registrations, key=lambda r: r.urn)
    ]
    return {"stack": stack, "resources": resources}


def load_stack(stack: str, root: Path = REPO_ROOT, plan_dir: Path | None = None):
    """The validated stack config, its tenants, and its plan: read from `plan_dir` (a `modelplane render`
    output, which must be of this stack) or rendered now. Raises ConfigError for invalid input."""
    from modelplane.plan.document import read_plan

    flat, secret_keys = read_stack(stack, root)
    config, tenants = load(flat, secret_keys, stack, root)
    if plan_dir is None:
        return config, tenants, render(stack, root).plan
    plan = read_plan(plan_dir)
    if plan.get("stack") != stack:
        raise ConfigError(str(plan_dir), [f"stack: the plan is of stack {plan.get('stack')!r}, not {stack!r}"])
    return config, tenants, plan
