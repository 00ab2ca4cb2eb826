"""Action plugin: merge tenants' grants into ConfigMap seldon-deploy-policies (modelplane.onboarding.grants)."""

from __future__ import annotations

from ansible_collections.modelplane.platform.plugins.module_utils.action import ModelplaneAction

from modelplane.onboarding.grants import apply_grants


class ActionModule(ModelplaneAction):
    USES_CLUSTER = True
    ARGUMENT_SPEC = {
        "tenants": {"type": "list", "elements": "dict", "default": []},
        "remove": {"type": "list", "elements": "str", "default": []},
        "namespace": {"type": "str", "default": "seldon-system"},
    }

    def act(self, args: dict, kube) -> dict:
        desired = {t["name"]: [tuple(g) for g in t["opa_grants"]] for t in args["tenants"]}
        merged, written = apply_grants(kube, args["namespace"], desired, args["remove"], check=self.check_mode)
        return {"changed": written, "added": [" ".join(g) for g in merged.added],
                "removed": [" ".join(g) for g in merged.removed]}
