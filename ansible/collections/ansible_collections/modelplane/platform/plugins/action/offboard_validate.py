"""Action plugin: refuse an offboarding that would touch what is not ours, or purge without confirmation."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.modelplane.platform.plugins.module_utils.repo import import_components


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec={
            "tenant": {"type": "str", "required": True},
            "namespaces": {"type": "list", "elements": "dict", "required": True},
            "purge": {"type": "bool", "default": False},
            "confirm": {"type": "str"},
        })
        import_components()
        from components.errors import ConfigError
        from components.tenants import offboard_problems

        problems = offboard_problems(args["tenant"], args["namespaces"], args["purge"], args["confirm"])
        if problems:
            raise AnsibleActionFail(ConfigError("offboard", problems).args[0])
        result["changed"] = False
        return result
