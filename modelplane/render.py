"""`modelplane render`: validate a stack, run its program under mocks, return the plan."""

from __future__ import annotations

from pathlib import Path

from components import program
from components.config import PROJECT
from components.footprint import footprint
from components.program import REPO_ROOT, load
from modelplane.mocks import run_program
from modelplane.plan import GITOPS_DIR, gitops_models, plan_document
from modelplane.stackfile import read_stack


def render(stack: str, root: Path = REPO_ROOT) -> tuple[dict, list[str]]:
    """(plan document, notes). Raises ConfigError before running anything when the stack is invalid."""
    flat, secret_keys = read_stack(stack, root)
    config, _tenants = load(flat, secret_keys, stack, root)
    registrations = run_program(lambda: program.main(root), flat, secret_keys, project=PROJECT, stack=stack)
    notes = [f"environment `{config.environment}`, cluster `{config.cluster.cloud}` "
             f"(size preset `{config.cluster.size}`)", footprint(config).line()]
    plan = plan_document(stack, registrations)
    gitops = gitops_models(plan)
    if gitops:
        notes.append(f"{len(gitops)} model(s) in GitOps namespaces are not applied by Pulumi: commit "
                     f"`{GITOPS_DIR}/<namespace>/` of this plan to each tenant's repo "
                     f"({', '.join(sorted(g['path'] for g in gitops))})")
    return plan, notes
