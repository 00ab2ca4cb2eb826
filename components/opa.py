"""Seldon Deploy's OPA policy document (seed 003 §7.8): ConfigMap `seldon-deploy-policies`, key `data`,
JSON `{"role_grants": {group: [{action, resource}]}, "user_grants": {user or "*": [...]}}`.

Onboarding merges tenants' grants into whatever the document already holds. Entries modelplane added are
recorded per namespace (under the ConfigMap's key OWNED_KEY, which Seldon Deploy ignores), so a later
run removes only entries it added itself; grants written by hand or by Seldon's policy_client are never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CONFIGMAP = "seldon-deploy-policies"
DATA_KEY = "data"
# in data rather than an annotation: annotations are limited to 256 KiB, too little for many tenants
OWNED_KEY = "modelplane.owned-grants"
# a ConfigMap holds at most 1 MiB; the policy document and our ownership record share it
MAX_BYTES = 1024 * 1024
TARGETS = ("role_grants", "user_grants")

Grant = tuple[str, str, str, str]  # (target, principal, action, resource)


class PolicyError(ValueError):
    pass


@dataclass
class MergeResult:
    document: dict
    owned: dict[str, list[list[str]]]
    added: list[Grant] = field(default_factory=list)
    removed: list[Grant] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def data_text(self) -> str:
        return json.dumps(self.document, indent=2, sort_keys=True)

    def owned_text(self) -> str:
        return json.dumps(self.owned, sort_keys=True, separators=(",", ":"))


def parse_document(text: str | None) -> dict:
    if not text or not text.strip():
        return {target: {} for target in TARGETS}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{CONFIGMAP}.data.{DATA_KEY}: not valid JSON ({exc}); fix it by hand first") from None
    if not isinstance(document, dict):
        raise PolicyError(f"{CONFIGMAP}.data.{DATA_KEY}: expected a JSON object")
    for target in TARGETS:
        grants = document.setdefault(target, {})
        if not isinstance(grants, dict) or not all(isinstance(v, list) for v in grants.values()):
            raise PolicyError(f"{CONFIGMAP}.data.{DATA_KEY}.{target}: expected an object of lists")
    return document


def parse_owned(text: str | None) -> dict[str, list[list[str]]]:
    if not text:
        return {}
    try:
        owned = json.loads(text)
    except json.JSONDecodeError:
        raise PolicyError(f"{CONFIGMAP}.data.{OWNED_KEY}: not valid JSON; it is modelplane's record, "
                          "do not edit it") from None
    return {ns: [list(g) for g in grants] for ns, grants in owned.items()}


def _entry(grant: Grant) -> dict[str, str]:
    return {"action": grant[2], "resource": grant[3]}


def _present(document: dict, grant: Grant) -> bool:
    return _entry(grant) in document[grant[0]].get(grant[1], [])


def merge(document: dict, owned: Mapping[str, list[list[str]]],
          desired: Mapping[str, Iterable[Grant]], remove: Iterable[str] = ()) -> MergeResult:
    """Set the grants of the namespaces in `desired` and drop those of the namespaces in `remove`,
    touching only entries recorded in `owned`. `document` is not modified."""
    document = json.loads(json.dumps(document))
    new_owned = {ns: list(grants) for ns, grants in owned.items()}
    result = MergeResult(document, new_owned)
    wanted = {ns: [tuple(g) for g in grants] for ns, grants in desired.items()}
    for ns in [*wanted, *remove]:
        keep = wanted.get(ns, [])
        for grant in map(tuple, owned.get(ns, [])):
            if grant not in keep and _present(document, grant):
                entries = document[grant[0]][grant[1]]
                entries.remove(_entry(grant))
                if not entries:
                    del document[grant[0]][grant[1]]
                result.removed.append(grant)
        claimed = [g for g in map(tuple, owned.get(ns, [])) if g in keep]
        for grant in keep:
            if not _present(document, grant):
                document[grant[0]].setdefault(grant[1], []).append(_entry(grant))
                result.added.append(grant)
                claimed.append(grant)
            # a grant someone else wrote stays theirs: it is not claimed, so it is never removed by us
        if claimed:
            new_owned[ns] = [list(g) for g in dict.fromkeys(claimed)]
        else:
            new_owned.pop(ns, None)
    size = len(result.data_text().encode()) + len(result.owned_text().encode())
    if size > MAX_BYTES:
        raise PolicyError(f"{CONFIGMAP}: the merged policies would be {size} bytes, over the ConfigMap limit "
                          f"of {MAX_BYTES}; split grants by group instead of by user")
    return result
