"""Action plugin: add or remove namespaces in the Argo CD AppProject's destinations (retried on conflict)."""

from __future__ import annotations

from ansible_collections.modelplane.platform.plugins.module_utils.action import ModelplaneAction

from modelplane.onboarding.objects import PlatformFacts
from modelplane.onboarding.run import project_destinations


class ActionModule(ModelplaneAction):
    USES_CLUSTER = True
    ARGUMENT_SPEC = {
        "platform": {"type": "dict", "required": True},
        "add": {"type": "list", "elements": "str", "default": []},
        "remove": {"type": "list", "elements": "str", "default": []},
    }

    def act(self, args: dict, kube) -> dict:
        added, removed = project_destinations(kube, PlatformFacts.model_validate(args["platform"]), args["add"],
                                              args["remove"], check=self.check_mode)
        return {"changed": bool(added or removed), "added": added, "removed": removed}
