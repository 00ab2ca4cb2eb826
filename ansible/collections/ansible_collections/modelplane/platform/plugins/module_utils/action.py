"""The shape every modelplane action shares: typed arguments, the modelplane checkout imported, one
Kubernetes client when the action talks to the cluster, and a failure that lists every problem.

Actions run on the controller. Their modules are imported once by ansible-playbook's main process (the
strategy loads each action class before forking a worker per task), so the imports below are paid once
per run, not once per task.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.modelplane.platform.plugins.module_utils.repo import import_components

import_components()

import kubernetes.client  # noqa: E402,F401 (imported here, in the main process; see above)

from components.errors import ConfigError  # noqa: E402
from components.opa import PolicyError  # noqa: E402
from modelplane.cluster.kube import Kube, KubeError  # noqa: E402
from modelplane.onboarding.engine import OnboardingError  # noqa: E402

CLUSTER_ARGUMENTS = {
    # as kubernetes.core reads them: the argument, else K8S_AUTH_KUBECONFIG / K8S_AUTH_CONTEXT, else
    # $KUBECONFIG and its current context
    "kubeconfig": {"type": "path"},
    "context": {"type": "str"},
}


class ModelplaneAction(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    ARGUMENT_SPEC: dict = {}
    USES_CLUSTER = False

    def act(self, args: dict, kube: Kube | None) -> dict:
        """Return the result's fields, or raise one of the errors `run` turns into a failure."""
        raise NotImplementedError

    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._task.diff)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        spec = {**self.ARGUMENT_SPEC, **(CLUSTER_ARGUMENTS if self.USES_CLUSTER else {})}
        _, args = self.validate_argument_spec(argument_spec=spec)
        try:
            kube = None
            if self.USES_CLUSTER:
                kube = Kube.from_kubeconfig(args["kubeconfig"] or os.environ.get("K8S_AUTH_KUBECONFIG"),
                                            args["context"] or os.environ.get("K8S_AUTH_CONTEXT"))
            result.update(self.act(args, kube))
        except (ConfigError, OnboardingError, KubeError, PolicyError) as exc:
            raise AnsibleActionFail(str(exc)) from None
        result.setdefault("changed", False)
        return result
