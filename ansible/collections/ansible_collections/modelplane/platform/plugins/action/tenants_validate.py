"""Action plugin: validate a tenants file (and the cluster it will be applied to) on the controller."""

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
            "path": {"type": "path", "required": True},
            "namespaces": {"type": "list", "elements": "dict"},
            "platform": {"type": "dict"},
            "batch_credentials_set": {"type": "bool", "default": False},
        })
        import_components()
        from components.errors import ConfigError
        from components.tenants import cluster_problems, load_tenants, platform_problems, untracked_tenants

        try:
            tenants = load_tenants(args["path"])
        except ConfigError as exc:
            raise AnsibleActionFail(str(exc)) from None
        namespaces = args["namespaces"]
        if namespaces is not None:
            problems = cluster_problems(tenants, namespaces)
            if args["platform"] is not None:
                problems += platform_problems(tenants, args["platform"], args["batch_credentials_set"])
            if problems:
                raise AnsibleActionFail(ConfigError(args["path"], problems).args[0])
            result["untracked"] = untracked_tenants(tenants, namespaces)
        result["tenants"] = [t.for_ansible() for t in tenants.tenants]
        result["changed"] = False
        return result
