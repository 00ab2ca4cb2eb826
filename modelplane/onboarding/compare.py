"""Comparing a desired object with the live one the way the API server stores it.

Only fields the desired object sets are compared: the server adds its own (uid, resourceVersion,
creationTimestamp, status, defaulted specs) and those are never a difference. Empty maps and lists match
absent fields, as the server drops them; quantities compare by value where the server rewrites them.
"""

from __future__ import annotations

from kubernetes.utils import parse_quantity

from components.base import QUANTITY

HIDDEN = "(hidden)"


def _same_scalar(desired, live, quantities: bool) -> bool:
    if desired == live or (live is not None and str(desired) == str(live)):
        return True
    if quantities and isinstance(live, str) and QUANTITY.match(str(desired)) and QUANTITY.match(live):
        return parse_quantity(str(desired)) == parse_quantity(live)
    return False


def _walk(desired, live, path: str, quantities: bool, out: list, first_only: bool) -> None:
    if first_only and out:
        return
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            if desired or live is not None:
                out.append((path, live, desired))
            return
        for name, value in desired.items():
            _walk(value, live.get(name), f"{path}.{name}" if path else name, quantities, out, first_only)
    elif isinstance(desired, list):
        if live is None and not desired:
            return
        if not isinstance(live, list) or len(live) != len(desired):
            out.append((path, live, desired))
            return
        for index, (d, a) in enumerate(zip(desired, live, strict=True)):
            _walk(d, a, f"{path}[{index}]", quantities, out, first_only)
    elif not _same_scalar(desired, live, quantities):
        out.append((path, live, desired))


def differences(desired: dict, live: dict | None, *, quantities: bool = False, secret: bool = False,
                first_only: bool = False) -> list[tuple[str, object, object]]:
    """(field path, live value, desired value) for every field `desired` sets that `live` does not hold.
    For a Secret, values under data are replaced by HIDDEN: that they differ is all a report may say."""
    out: list = []
    _walk(desired, live, "", quantities, out, first_only)
    if secret:
        out = [(p, HIDDEN, HIDDEN) if p.startswith(("data", "stringData")) else (p, a, d) for p, a, d in out]
    return out


def _owned_extra(fields: dict, desired, path: str) -> str | None:
    for name, sub in fields.items():
        if not name.startswith("f:"):
            continue  # "." (the map itself) and list entries (k:, v:, i:), which list comparison covers
        field = name[2:]
        if not isinstance(desired, dict) or field not in desired:
            return f"{path}.{field}" if path else field
        if sub and isinstance(desired[field], dict):
            found = _owned_extra(sub, desired[field], f"{path}.{field}" if path else field)
            if found:
                return found
    return None


def owned_extra(live: dict, desired: dict, manager: str) -> str | None:
    """A field `manager` applied to `live` that `desired` no longer sets (its path), "(not applied by
    <manager>)" when the manager never applied the object, or None."""
    entries = [m for m in (live.get("metadata") or {}).get("managedFields") or []
               if m.get("manager") == manager and m.get("operation") == "Apply"]
    if not entries:
        return f"(not applied by {manager})"
    for entry in entries:
        found = _owned_extra(entry.get("fieldsV1") or {}, desired, "")
        if found:
            return found
    return None


def owns_more_than(live: dict, desired: dict, manager: str) -> bool:
    return owned_extra(live, desired, manager) is not None
