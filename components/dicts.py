"""Nested plain values (dicts, lists, leaves): merged and walked the same way everywhere."""

from __future__ import annotations

import copy
from collections.abc import Iterator


def deep_merge(base: dict, override: dict) -> dict:
    """`override` wins; nested dicts merge; lists and scalars replace. `base` is never modified and its
    leaves are kept as they are (they may be Outputs, which cannot be copied)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def walk(value, path: str = "") -> Iterator[tuple[str, object]]:
    """(path, leaf or mapping) for every node of a nested value."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")


def replace_strings(value, old: str, new: str):
    """`value` with every string equal to `old`, at any depth, replaced by `new`."""
    if isinstance(value, dict):
        return {k: replace_strings(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_strings(v, old, new) for v in value]
    return new if value == old else value

