"""What changes between two rendered plans: resources created, deleted or updated, and for an update the
input fields that differ. Lists of named items (predictors, containers, ports ...) are compared by name,
so removing one predictor reads as `spec.predictors[default]: removed`, not as every index shifting."""

from __future__ import annotations

from dataclasses import dataclass, field

MISSING = object()


@dataclass(frozen=True)
class Change:
    action: str  # create | delete | update
    type: str
    name: str
    urn: str
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.action:<6} {self.type} {self.name}"
        return "\n".join([head, *(f"         {f}" for f in self.fields)])


def _named(items: list) -> dict | None:
    if items and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        keyed = {i["name"]: i for i in items}
        return keyed if len(keyed) == len(items) else None
    return None


def changed_fields(old, new, path: str = "") -> list[str]:
    """`path: what` for every leaf that differs between two input trees."""
    if old == new:
        return []
    if old is MISSING:
        return [f"{path}: added"]
    if new is MISSING:
        return [f"{path}: removed"]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            out += changed_fields(old.get(key, MISSING), new.get(key, MISSING), f"{path}.{key}" if path else key)
        return out
    if isinstance(old, list) and isinstance(new, list):
        a, b = _named(old), _named(new)
        if a is not None and b is not None:
            out = []
            for key in [*a, *(k for k in b if k not in a)]:
                out += changed_fields(a.get(key, MISSING), b.get(key, MISSING), f"{path}[{key}]")
            return out
        if len(old) == len(new):
            out = []
            for i, (x, y) in enumerate(zip(old, new, strict=True)):
                out += changed_fields(x, y, f"{path}[{i}]")
            return out
    return [f"{path}: {old!r} -> {new!r}"]


def diff_plans(old: dict, new: dict) -> list[Change]:
    before = {r["urn"]: r for r in old["resources"]}
    after = {r["urn"]: r for r in new["resources"]}
    changes = [Change("delete", r["type"], r["name"], urn) for urn, r in before.items() if urn not in after]
    changes += [Change("create", r["type"], r["name"], urn) for urn, r in after.items() if urn not in before]
    for urn in sorted(set(before) & set(after)):
        fields = changed_fields(before[urn]["inputs"], after[urn]["inputs"])
        if fields:
            r = after[urn]
            changes.append(Change("update", r["type"], r["name"], urn, fields))
    return sorted(changes, key=lambda c: (c.urn, c.action))
