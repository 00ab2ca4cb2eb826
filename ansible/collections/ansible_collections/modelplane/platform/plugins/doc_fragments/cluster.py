"""The cluster options every modelplane action that talks to the cluster takes (module_utils/action.py)."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description: Kubeconfig file; else K8S_AUTH_KUBECONFIG, else KUBECONFIG or ~/.kube/config.
    type: path
  context:
    description: Kubeconfig context; else K8S_AUTH_CONTEXT, else the current context.
    type: str
"""
