"""Reading `stacks/Pulumi.<stack>.yaml` into the flat config Pulumi hands a program, without the CLI.

`secure:` values cannot be decrypted here (and a plan must not need credentials): they become
`<redacted>` and are marked secret, exactly where `pulumi up` would hand the program a secret."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from components.config import PROJECT
from components.errors import ConfigError, DuplicateKey, load_user_yaml
from components.names import REDACTED, REPO_ROOT


def stack_file(stack: str, root: Path = REPO_ROOT) -> Path:
    return root / "stacks" / f"Pulumi.{stack}.yaml"


def _is_secure(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _nested_secure(value: object, path: str) -> list[str]:
    if _is_secure(value):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nested_secure(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nested_secure(v, f"{path}[{i}]")]
    return []


def stacks(root: Path = REPO_ROOT) -> list[str]:
    """The names of the stacks under root/stacks."""
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (root / "stacks").glob("Pulumi.*.yaml"))


def read_stack(stack: str, root: Path = REPO_ROOT) -> tuple[dict[str, str], set[str]]:
    """(flat config `ns:key` -> string as Pulumi passes it, secret keys)."""
    named = Path(stack).name.removeprefix("Pulumi.").removesuffix(".yaml")
    if named != stack:
        raise ConfigError(f"stack {stack!r}", [f"--stack: takes a stack's name, not a file: --stack {named} reads "
                                               f"{stack_file(named, root)} (stacks: {', '.join(stacks(root))})"])
    path = stack_file(stack, root)
    try:
        document = load_user_yaml(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigError(f"stack {stack!r}", [f"(file): {path} does not exist (stacks: {', '.join(stacks(root))})"]) \
            from None
    except DuplicateKey as exc:
        raise ConfigError(f"stack {stack!r}", [f"(file): {path}: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"stack {stack!r}", [f"(file): {path} is not valid YAML: {exc}"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("config", {}), dict):
        raise ConfigError(f"stack {stack!r}", ["config: expected a mapping of config keys"])
    unknown_top = sorted(set(document) - {"config", "secretsprovider", "encryptedkey", "encryptionsalt",
                                          "environment"})
    if unknown_top:
        raise ConfigError(f"stack {stack!r}", [f"{k}: unknown key in a stack file" for k in unknown_top])

    flat: dict[str, str] = {}
    secret_keys: set[str] = set()
    problems: list[str] = []
    for key, value in (document.get("config") or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        short = full.partition(":")[2]
        if _is_secure(value):
            flat[full] = REDACTED
            secret_keys.add(full)
            continue
        problems += [f"{p}: a secure value inside structured config; make it a top-level secret "
                     f"(pulumi config set --secret <key>) and reference it as config:<key>"
                     for p in _nested_secure(value, short)]
        flat[full] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if problems:
        raise ConfigError(f"stack {stack!r}", problems)
    return flat, secret_keys


def input_files(stack: str, config, root: Path = REPO_ROOT) -> list[Path]:
    """The files a stack was validated from: its stack file, models file (if any) and tenants file."""
    from components.stack import models_path, tenants_path

    return [stack_file(stack, root), *filter(None, [models_path(config, root)]),
            tenants_path(stack, config.tenants_file, root)]
