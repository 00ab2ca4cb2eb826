"""Action plugin: validate a tenants file (and the cluster it will be applied to) on the controller."""

from __future__ import annotations

from ansible_collections.modelplane.platform.plugins.module_utils.validate_action import ValidateAction


class ActionModule(ValidateAction):
    ARGUMENT_SPEC = {
        "path": {"type": "path", "required": True},
        "namespaces": {"type": "list", "elements": "dict"},
        "platform": {"type": "dict"},
        "batch_credentials_set": {"type": "bool", "default": False},
    }

    def check(self, args: dict) -> dict:
        from components.errors import ConfigError
        from components.tenants import cluster_problems, load_tenants, platform_problems, untracked_tenants

        tenants = load_tenants(args["path"])
        facts = {"tenants": [t.for_ansible() for t in tenants.tenants]}
        namespaces = args["namespaces"]
        if namespaces is not None:
            problems = cluster_problems(tenants, namespaces)
            if args["platform"] is not None:
                problems += platform_problems(tenants, args["platform"], args["batch_credentials_set"])
            if problems:
                raise ConfigError(args["path"], problems)
            facts["untracked"] = untracked_tenants(tenants, namespaces)
        return facts
