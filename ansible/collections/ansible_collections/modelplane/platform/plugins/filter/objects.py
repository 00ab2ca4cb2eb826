"""Filters over lists of Kubernetes objects.

`needs_apply` is what makes a re-run write nothing: kubernetes.core's client-side apply sends a PATCH for
every object that has a list field (its 3-way merge cannot match lists it has no merge key for), even
when nothing differs. So the roles read what exists first and hand the apply only what differs.
"""

from __future__ import annotations

import json

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _group_kind(obj: dict) -> tuple:
    return (obj.get("apiVersion", "").rsplit("/", 1)[0] if "/" in obj.get("apiVersion", "") else "",
            obj.get("kind"), (obj.get("metadata") or {}).get("namespace"), (obj.get("metadata") or {}).get("name"))


def contained(desired, actual) -> bool:
    """Every field of `desired` has the same value in `actual` (lists element by element); empty maps
    and lists in `desired` match absent fields, as the API server drops them."""
    if isinstance(desired, dict):
        if not isinstance(actual, dict):
            return actual is None and not desired
        return all(contained(v, actual.get(k)) for k, v in desired.items())
    if isinstance(desired, list):
        if actual is None:
            return not desired
        return isinstance(actual, list) and len(desired) == len(actual) and all(
            contained(d, a) for d, a in zip(desired, actual, strict=True))
    if actual is None:
        return desired is None
    return desired == actual or str(desired) == str(actual)


def needs_apply(objects, existing):
    """The objects that are missing from `existing`, differ from it, or whose last applied configuration
    differs (so fields dropped from the tenants file are removed)."""
    actual = {_group_kind(o): o for o in existing or []}
    wanted = []
    for obj in objects or []:
        current = actual.get(_group_kind(obj))
        if current is None or not contained(obj, current):
            wanted.append(obj)
            continue
        last = ((current.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
        if last is not None and json.loads(last) != json.loads(json.dumps(obj)):
            wanted.append(obj)
    return wanted


def existing_of(objects, existing):
    """The objects of `objects` that exist in `existing` (for deletions without a GET per object)."""
    present = {_group_kind(o) for o in existing or []}
    return [o for o in objects or [] if _group_kind(o) in present]


def outside_namespaces(objects, namespaces):
    """The objects that are not in one of `namespaces` (cluster-scoped objects are kept; a Namespace object
    named in `namespaces` is dropped too)."""
    skip = set(namespaces or [])
    kept = []
    for obj in objects or []:
        meta = obj.get("metadata") or {}
        where = meta.get("name") if obj.get("kind") == "Namespace" else meta.get("namespace")
        if where not in skip:
            kept.append(obj)
    return kept


def in_namespace(objects, namespace):
    """The objects in `namespace`, and the Namespace itself."""
    return [obj for obj in objects or [] if obj not in outside_namespaces([obj], [namespace])]


class FilterModule:
    def filters(self):
        return {"needs_apply": needs_apply, "existing_of": existing_of,
                "outside_namespaces": outside_namespaces, "in_namespace": in_namespace}
