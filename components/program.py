"""The Pulumi program, shared by `pulumi up` (pulumi/__main__.py) and `modelplane render` (under mocks).

Everything a user wrote is validated before the first resource is declared."""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from components.config import PROJECT, StackConfig, split_pulumi_config, validate_stack
from components.errors import ConfigError
from components.platform import Platform, system_namespaces
from components.tenants import TenantsFile, load_tenants

REPO_ROOT = Path(__file__).resolve().parent.parent


def tenants_path(stack: str, config: StackConfig, root: Path = REPO_ROOT) -> Path:
    path = Path(config.tenants_file or f"stacks/tenants/{stack}.yaml")
    return path if path.is_absolute() else root / path


def check_models(config: StackConfig, tenants: TenantsFile, stack: str, tenants_file: Path) -> None:
    """Seed 002: deploying into a namespace that does not exist fails with an unspecified error, so
    every model must target an onboarded tenant namespace, never a system one."""
    problems = []
    system = set(system_namespaces(config))
    for i, model in enumerate(config.models):
        where = f"models[{i}].namespace"
        if model.namespace in system:
            problems.append(f"{where}: {model.namespace!r} is a system namespace; models go in tenant namespaces")
        elif model.namespace not in tenants.names:
            problems.append(f"{where}: {model.namespace!r} is not a tenant in {tenants_file} "
                            f"(known: {', '.join(sorted(tenants.names)) or 'none'})")
    seen: set[tuple[str, str]] = set()
    for i, model in enumerate(config.models):
        key = (model.namespace, model.name)
        if key in seen:
            problems.append(f"models[{i}].name: {model.name!r} is declared twice in {model.namespace!r}")
        seen.add(key)
    if problems:
        raise ConfigError(f"stack {stack!r}", problems)


def load(flat_config: dict, secret_keys: set[str], stack: str,
         root: Path = REPO_ROOT) -> tuple[StackConfig, TenantsFile]:
    raw, secrets = split_pulumi_config(flat_config, secret_keys)
    config = validate_stack(raw, secrets, stack)
    path = tenants_path(stack, config, root)
    tenants = load_tenants(path)
    check_models(config, tenants, stack, path)
    return config, tenants


def runtime_flat_config() -> tuple[dict, set[str]]:
    """The stack's config as the Pulumi engine handed it to this process."""
    flat = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = {k for k in flat if runtime_config.is_config_secret(k)}
    return flat, secret | set(runtime_config.get_config_secret_keys_env())


def main(root: Path = REPO_ROOT) -> None:
    """The program. `root` is the tree holding stacks/ (tests and benchmarks render other trees)."""
    flat, secret_keys = runtime_flat_config()
    stack = pulumi.get_stack()
    try:
        config, _tenants = load(flat, secret_keys, stack, root)
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    platform = Platform(PROJECT, config)
    pulumi.export("environment", config.environment)
    pulumi.export("namespaces", sorted(platform.namespaces))
