"""A stack as the user wrote it, validated: its config, models files and tenants file, and what they need
from each other. The Pulumi program (components.program) and the commands that only read a stack
(`modelplane check --plan`, `modelplane drift`) share it; it never imports the Pulumi SDK."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from components.config import PROJECT, StackConfig, secret_fields, split_pulumi_config, validate_stack
from components.errors import ConfigError, from_validation_error, read_yaml_file
from components.models.seldon_deployment import GitopsTarget, gitops_target
from components.models.spec import ModelsFile, ModelSpec
from components.names import REDACTED, REPO_ROOT, is_reserved
from components.namespaces import system_namespaces
from components.password import weakness
from components.secrets import GENERATE, VAULT_VALUES, config_key, is_plaintext
from components.tenancy import platform_facts
from components.tenants import TenantsFile, load_tenants, platform_problems
from components.vault import VAULT_PREFIX, VaultError, VaultReader, VaultRef, client_from_env


def resolve(root: Path, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else root / path


def tenants_path(stack: str, tenants_file: str | None, root: Path = REPO_ROOT) -> Path:
    """The stack's `tenantsFile` setting, else stacks/tenants/<stack>.yaml, under root."""
    return resolve(root, tenants_file or f"stacks/tenants/{stack}.yaml")


def models_path(config: StackConfig, root: Path = REPO_ROOT) -> Path | None:
    return resolve(root, config.models_file) if config.models_file else None


def load_models_file(path: Path) -> list[ModelSpec]:
    """The models of a models file; ConfigError naming the file and field otherwise."""
    data = read_yaml_file(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["(root): expected a mapping with key 'models'"])
    try:
        return ModelsFile.model_validate(data).models
    except ValidationError as exc:
        raise from_validation_error(str(path), exc, model=ModelsFile) from None


def model_problems(config: StackConfig, tenants: TenantsFile | None, tenants_file: Path,
                   places: list[str] | None = None) -> list[str]:
    """What a model needs from the rest of the stack. Seed 002: deploying into a namespace that does not
    exist fails with an unspecified error, so every model must target an onboarded tenant namespace.
    `places` names where each model was declared (default `models[i]` of the stack config). Without valid
    tenants (their file has its own problems) the tenant check is left out, the others still run."""
    problems = []
    system = set(system_namespaces(config))
    seen: set[tuple[str, str]] = set()
    for i, model in enumerate(config.models):
        where = places[i] if places else f"models[{i}]"
        if model.namespace in system:
            problems.append(f"{where}.namespace: {model.namespace!r} is a system namespace; models go in "
                            "tenant namespaces")
        elif is_reserved(model.namespace):
            problems.append(f"{where}.namespace: {model.namespace!r} is reserved; models go in tenant namespaces")
        elif tenants is not None and model.namespace not in tenants.names:
            problems.append(f"{where}.namespace: {model.namespace!r} is not a tenant in {tenants_file} "
                            f"(known: {', '.join(sorted(tenants.names)) or 'none'})")
        if (model.namespace, model.name) in seen:
            problems.append(f"{where}.name: {model.name!r} is declared twice in {model.namespace!r}")
        seen.add((model.namespace, model.name))
        if not config.addons.seldon_core.enabled:
            problems.append(f"{where}: models need addons.seldonCore, which is disabled")
        if model.logger and not config.addons.logging.enabled:
            problems.append(f"{where}.logger: request logging is disabled (addons.logging.enabled: false); "
                            "remove logger or enable logging")
    return problems


def read_vault_secrets(config: StackConfig, env: dict[str, str] | None = None) -> list[str]:
    """Read every vault: reference of the stack into secrets.VAULT_VALUES; a problem per unreadable one,
    naming the field and the Vault path (never a value). A reference read earlier in this process (render
    loads the stack, then runs the program, which loads it again) is not read, nor logged in for, twice."""
    refs = [(path, ref) for path, ref in secret_fields(config)
            if ref.startswith(VAULT_PREFIX) and ref not in VAULT_VALUES]
    if not refs:
        return []
    try:
        reader = VaultReader(client_from_env(env))
    except VaultError as exc:
        return [f"{path}: {ref}: {exc}" for path, ref in refs]
    problems = []
    for path, ref in refs:
        try:
            VAULT_VALUES[ref] = reader.read(VaultRef.parse(ref))
        except VaultError as exc:
            problems.append(f"{path}: {exc}")
    return problems


def search_password_problems(config: StackConfig, flat: dict) -> list[str]:
    """OpenSearch's admin password, wherever its value is known before anything is declared: a literal,
    a Vault value, or a Pulumi config secret as `pulumi up` hands it to the program (render has only
    `<redacted>` there). Generated passwords are strong by construction (components.password.GENERATED)."""
    logging = config.addons.logging
    if not (logging.enabled and logging.flavor == "opensearch") or logging.password == GENERATE:
        return []
    ref = logging.password
    key = config_key(ref)
    value = VAULT_VALUES.get(ref) if ref.startswith(VAULT_PREFIX) else flat.get(f"{PROJECT}:{key}") if key else ref
    if not isinstance(value, str) or value == REDACTED:
        return []
    problem = weakness(value, logging.username)
    return [f"addons.logging.password: {'(literal)' if is_plaintext(ref) else ref}: {problem}"] if problem else []


def gitops_targets(config: StackConfig, tenants: TenantsFile) -> dict[tuple[str, str], GitopsTarget]:
    """(namespace, model) -> where the model goes, for models in GitOps tenant namespaces."""
    out = {}
    for model in config.models:
        tenant = tenants.get(model.namespace)
        if tenant and tenant.gitops:
            out[(model.namespace, model.name)] = gitops_target(model, str(tenant.gitops.repo))
    return out


# Pulumi hands a Python program its whole config in one environment variable (PULUMI_CONFIG, JSON), and Linux
# caps one environment string at 128 KiB (MAX_ARG_STRLEN): past it the engine cannot start the program
# ("fork/exec ...: argument list too long")
CONFIG_ENV_LIMIT = 128 * 1024


def config_size_problems(flat_config: dict) -> list[str]:
    """The stack config too big for the engine to pass, naming its largest key."""
    size = len("PULUMI_CONFIG=") + len(json.dumps(flat_config)) + 1
    if size <= CONFIG_ENV_LIMIT:
        return []
    key, value = max(flat_config.items(), key=lambda kv: len(json.dumps(kv[1])))
    name = key.split(":", 1)[-1]
    hint = " (move the models to a models file: modelsFile)" if name == "models" else ""
    return [f"{name}: the stack config is {size // 1024} KiB, {len(json.dumps(value)) // 1024} KiB of it here; "
            f"Pulumi passes config to the program in one environment variable, which Linux limits to "
            f"{CONFIG_ENV_LIMIT // 1024} KiB{hint}"]


def load(flat_config: dict, secret_keys: set[str], stack: str,
         root: Path = REPO_ROOT) -> tuple[StackConfig, TenantsFile]:
    """The validated stack: config (with the models file's models appended) and its tenants. Every problem
    of the stack config, the models file and the tenants file is reported at once, and the checks that need
    two of them run on whatever of them is valid."""
    source = f"stack {stack!r}"
    raw, secrets = split_pulumi_config(flat_config, secret_keys)
    errors: list[ConfigError] = []
    config, tenants, places = None, None, []
    try:
        config = validate_stack(raw, secrets, stack)
        places = [f"models[{i}]" for i in range(len(config.models))]
    except ConfigError as exc:
        errors.append(exc)
    models_file = models_path(config, root) if config else None
    if config and models_file:
        try:
            extra = load_models_file(models_file)
            places += [f"{models_file}: models[{i}]" for i in range(len(extra))]
            config = config.model_copy(update={"models": [*config.models, *extra]})
        except ConfigError as exc:
            errors.append(exc)
    # an invalid stack config still names its tenants file: its problems are reported with the config's
    path = tenants_path(stack, config.tenants_file if config else raw.get("tenantsFile"), root)
    try:
        tenants = load_tenants(path)
    except ConfigError as exc:
        errors.append(exc)
    problems = config_size_problems(flat_config)
    if config:
        problems += model_problems(config, tenants, path, places)
        if tenants:
            # what onboarding would refuse later, refused now: a tenant asking for what the stack does not run
            problems += [f"{path}: {p}" for p in platform_problems(tenants, platform_facts(config),
                                                                   batch_credentials=True)]
        problems += read_vault_secrets(config)
        problems += search_password_problems(config, flat_config)
    if problems:
        errors.append(ConfigError(source, problems))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ConfigError(source, [p if e.source == source else f"{e.source}: {p}" for e in errors for p in e.problems])
    return config, tenants
