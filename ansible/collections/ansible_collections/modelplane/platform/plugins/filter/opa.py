"""Filter: merge tenants' grants into Seldon Deploy's OPA policy ConfigMap (components.opa)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.modelplane.platform.plugins.module_utils.repo import import_components


def opa_merge(configmap, tenants, remove=None):
    """configmap: the ConfigMap as k8s_info returns it, or None; tenants: as tenants_validate returns them.
    Returns {write_needed, data (the ConfigMap's), added, removed}."""
    import_components()
    from components import opa

    configmap = configmap or {}
    try:
        data = configmap.get("data") or {}
        document = opa.parse_document(data.get(opa.DATA_KEY))
        owned = opa.parse_owned(data.get(opa.OWNED_KEY))
        desired = {t["name"]: [tuple(g) for g in t["opa_grants"]] for t in tenants or []}
        merged = opa.merge(document, owned, desired, remove or [])
    except opa.PolicyError as exc:
        raise AnsibleFilterError(str(exc)) from None
    return {"write_needed": merged.changed or not configmap,
            "data": {opa.DATA_KEY: merged.data_text(), opa.OWNED_KEY: merged.owned_text()},
            "added": [list(g) for g in merged.added], "removed": [list(g) for g in merged.removed]}


class FilterModule:
    def filters(self):
        return {"opa_merge": opa_merge}
