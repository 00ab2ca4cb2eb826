"""Action plugin: refuse an offboarding that would touch what is not ours, or purge without confirmation."""

from __future__ import annotations

from ansible_collections.modelplane.platform.plugins.module_utils.validate_action import ValidateAction


class ActionModule(ValidateAction):
    ARGUMENT_SPEC = {
        "tenant": {"type": "str", "required": True},
        "namespaces": {"type": "list", "elements": "dict", "required": True},
        "purge": {"type": "bool", "default": False},
        "confirm": {"type": "str"},
    }

    def check(self, args: dict) -> dict:
        from components.errors import ConfigError
        from components.tenants import offboard_problems

        problems = offboard_problems(args["tenant"], args["namespaces"], args["purge"], args["confirm"])
        if problems:
            raise ConfigError("offboard", problems)
        return {}
