"""The shape both validating actions share: typed arguments, the modelplane checkout imported, and a
failure that lists every problem (components.errors.ConfigError's text). They never touch the cluster."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.modelplane.platform.plugins.module_utils.repo import import_components


class ValidateAction(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: dict = {}

    def check(self, args: dict) -> dict:
        """Return facts for the result, or raise components.errors.ConfigError."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        import_components()
        from components.errors import ConfigError

        try:
            result.update(self.check(args))
        except ConfigError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result["changed"] = False
        return result
