"""Action plugin: refuse an offboarding that would touch what is not ours, or purge without confirmation."""

from __future__ import annotations

from ansible_collections.modelplane.platform.plugins.module_utils.action import ModelplaneAction

from components.errors import ConfigError
from components.tenants import offboard_problems


class ActionModule(ModelplaneAction):
    ARGUMENT_SPEC = {
        "tenant": {"type": "str", "required": True},
        "namespaces": {"type": "list", "elements": "dict", "required": True},
        "purge": {"type": "bool", "default": False},
        "confirm": {"type": "str"},
    }

    def act(self, args: dict, kube) -> dict:
        problems = offboard_problems(args["tenant"], args["namespaces"], args["purge"], args["confirm"])
        if problems:
            raise ConfigError("offboard", problems)
        return {}
