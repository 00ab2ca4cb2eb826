"""`modelplane down --stack S [--purge] [--confirm S]` (`make down STACK=S [PURGE=1 CONFIRM=S]`): the stack's
validated config says whether it is production and which tenants it has; refusals come before the engine
or the cluster is touched; then modelplane.engine.teardown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pulumi import automation as auto

from components.cluster.existing import ExistingClusterConfig
from components.stack import load
from modelplane.engine.stackfile import read_stack
from modelplane.engine.teardown import TeardownRefused, refusal, report, tear_down

EXIT_FAILED = 1


def down(stack: str, root: Path, *, purge: bool, confirm: str | None, env: Mapping[str, str] | None = None,
         say: Callable[[str], None] = print) -> str:
    """Tear `stack` down through the engine of the project at `root` (its Pulumi.yaml and stacks) with `env`
    (default: the caller's backend and passphrase); the report. ConfigError or TeardownRefused before any
    write."""
    flat, secret_keys = read_stack(stack, root)
    config, tenants_file = load(flat, secret_keys, stack, root)
    refused = refusal(stack, production=config.production, purge=purge, confirm=confirm)
    if refused:
        raise TeardownRefused(refused)
    cluster = config.cluster
    kubeconfig = Path(cluster.kubeconfig) if isinstance(cluster, ExistingClusterConfig) and cluster.kubeconfig \
        else None
    tenants = [t.name for t in tenants_file.tenants] if tenants_file else []
    try:
        engine = auto.select_stack(stack_name=stack, work_dir=str(root),
                                   opts=auto.LocalWorkspaceOptions(work_dir=str(root), env_vars=dict(env or {})))
    except auto.StackNotFoundError:
        raise TeardownRefused(f"stack {stack} has no state in this backend: there is nothing to tear down") from None
    done = tear_down(engine, purge=purge, kubeconfig=kubeconfig, tenants=tenants, say=say)
    return report(stack, done, tenants)

