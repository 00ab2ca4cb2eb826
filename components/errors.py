"""One error type for every user input, with messages that name the field path and the bad value."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # only annotations: reading a plan needs these errors, not pydantic
    from pydantic import ValidationError


class FieldProblems(ValueError):
    """Raised by a model validator that checks several fields at once: each problem carries the path
    below the model it was raised in, so the message names `predictors[1].traffic`, not just the model."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{_path(loc)}: {msg}" for loc, msg in problems))


class ConfigError(Exception):
    """Invalid user input. `problems` are `path: message` lines; str() joins them."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: invalid\n" + "\n".join(f"  {p}" for p in problems))


# libyaml's safe loader where PyYAML was built with it (ten times faster than the pure-Python one)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_file(path: Path) -> object:
    """A user's YAML file (tenants, models): ConfigError naming the file when it cannot be read or parsed.
    An empty file reads as {}."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(str(path), [f"(file): cannot read: {exc.strerror}"]) from None
    try:
        return yaml.load(text, Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"(file): not valid YAML: {exc}"]) from None


def _path(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(root)"


def _message(err: dict) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        return f"{value!r} is not one of {expected}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "union_tag_invalid":
        return f"{ctx.get('tag')!r} is not one of {ctx.get('expected_tags', '').replace(chr(39), '')}"
    return f"{value!r}: {err['msg'].lower()}" if value is not None else err["msg"]


def from_validation_error(source: str, exc: ValidationError, prefix: tuple = ()) -> ConfigError:
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(x for x in err["loc"] if not _is_union_branch(x))
        if err["type"] == "union_tag_invalid":
            loc += (str((err.get("ctx") or {}).get("discriminator", "")).strip("'"),)
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, FieldProblems):
            problems += [f"{_path(loc + sub)}: {msg}" for sub, msg in inner.problems]
        else:
            problems.append(f"{_path(loc)}: {_message(err)}")
    return ConfigError(source, problems)


def _is_union_branch(item) -> bool:
    # pydantic inserts the union member's name (e.g. "function-after[...]") into the location.
    return isinstance(item, str) and ("[" in item and "]" in item)
