"""The Pulumi program, shared by `pulumi up` (pulumi/__main__.py) and `modelplane render` (under mocks).

Everything a user wrote is validated (components.stack) before the first resource is declared."""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings

from components.config import PROJECT
from components.errors import ConfigError
from components.platform import Platform
from components.stack import REPO_ROOT, gitops_targets, load


def runtime_flat_config() -> tuple[dict, set[str]]:
    """The stack's config as the Pulumi engine handed it to this process."""
    flat = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = {k for k in flat if runtime_config.is_config_secret(k)}
    return flat, secret | set(runtime_config.get_config_secret_keys_env())


def project_root() -> Path:
    """The directory of the Pulumi.yaml the engine runs (stacks/ and tenants files beside it)."""
    root = settings.get_root_directory()  # under mocks a placeholder, not a directory
    return Path(root) if root and Path(root).is_dir() else REPO_ROOT


def main(root: Path | None = None) -> None:
    """The program. `root` is the tree holding stacks/: the engine's project directory unless given (render
    passes the tree it renders)."""
    root = root or project_root()
    flat, secret_keys = runtime_flat_config()
    stack = pulumi.get_stack()
    try:
        config, tenants = load(flat, secret_keys, stack, root)
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    platform = Platform(PROJECT, config, gitops=gitops_targets(config, tenants))
    pulumi.export("environment", config.environment)
    pulumi.export("namespaces", sorted(platform.namespaces))
    pulumi.export("gitopsModels", {f"{ns}/{name}": t.path for (ns, name), t in platform.gitops.items()})
