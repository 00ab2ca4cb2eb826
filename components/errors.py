"""One error type for every user input, with messages that name the field path and the bad value."""

from __future__ import annotations

import typing
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


class DuplicateKey(yaml.constructor.ConstructorError):
    pass


class UserYamlLoader(SAFE_LOADER):
    """The safe loader for files users write (stack, tenants, models): a key given twice in one mapping is
    an error naming both lines, never "the second one wins" (which can switch a search backend silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base constructor reports it
                continue
            if first is not None:
                raise DuplicateKey(None, None, f"key {key!r} is given twice: on line {first + 1} and on line "
                                   f"{key_node.start_mark.line + 1}", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def load_user_yaml(text: str) -> object:
    return yaml.load(text, Loader=UserYamlLoader)


def read_yaml_file(path: Path) -> object:
    """A user's YAML file (tenants, models): ConfigError naming the file when it cannot be read or parsed.
    An empty file reads as {}."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(str(path), [f"(file): cannot read: {exc.strerror}"]) from None
    try:
        return load_user_yaml(text) or {}
    except DuplicateKey as exc:
        raise ConfigError(str(path), [f"(file): {exc.problem}"]) from None
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


def _models_in(annotation) -> list:
    """The pydantic models a field's annotation holds (through Optional, unions, lists, dicts, Annotated)."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def known_keys(model, loc: tuple) -> list[str]:
    """The keys accepted where `loc` points (the mapping that holds an unknown key), as a user writes them;
    [] when that is not one config model. A discriminated union's tag in `loc` (`cluster.aws`) picks its
    member."""
    candidates = [model] if model is not None else []
    for part in loc:
        if isinstance(part, int) or not candidates:
            continue
        fields = [{(f.alias or n): f for n, f in m.model_fields.items()} for m in candidates]
        if any(part in f for f in fields):
            candidates = [m for f in fields if part in f for m in _models_in(f[part].annotation)]
        else:  # a union member's tag
            candidates = [m for m in candidates if any(part in typing.get_args(f.annotation)
                                                       for f in m.model_fields.values())]
    if len(candidates) != 1:
        return []
    return [f.alias or n for n, f in candidates[0].model_fields.items()]


def _unknown_key(key, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (known here: {', '.join(known)})" if known else "unknown key"


def _message(err: dict, known: list[str] | None = None) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key(err["loc"][-1], known or [])
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


def from_validation_error(source: str, exc: ValidationError, prefix: tuple = (), model=None) -> ConfigError:
    """`model`: the model validated, to name the keys an unknown one could have meant."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(x for x in err["loc"] if not _is_union_branch(x))
        if err["type"] == "union_tag_invalid":
            loc += (str((err.get("ctx") or {}).get("discriminator", "")).strip("'"),)
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, FieldProblems):
            problems += [f"{_path(loc + sub)}: {msg}" for sub, msg in inner.problems]
        else:
            known = known_keys(model, loc[len(prefix):-1]) if err["type"] == "extra_forbidden" else None
            problems.append(f"{_path(loc)}: {_message(err, known)}")
    return ConfigError(source, problems)


def _is_union_branch(item) -> bool:
    # pydantic inserts the union member's name (e.g. "function-after[...]") into the location.
    return isinstance(item, str) and ("[" in item and "]" in item)
