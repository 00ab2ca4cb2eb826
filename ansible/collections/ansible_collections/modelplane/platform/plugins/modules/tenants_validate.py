# The work is done by the action plugin of the same name, on the controller.

DOCUMENTATION = r"""
module: tenants_validate
short_description: Validate a modelplane tenants file and check it against the cluster
description:
  - Loads the tenants file with the typed model the Pulumi program uses and fails listing every problem
    with its field path. With O(namespaces), also refuses namespaces that exist and are not modelplane
    tenants (unless the tenant sets C(adopt)), and namespaces being deleted.
  - Runs on the controller; makes no request to the cluster itself.
options:
  path:
    description: The tenants file.
    type: path
    required: true
  namespaces:
    description: The cluster's namespaces, as kubernetes.core.k8s_info returns them.
    type: list
    elements: dict
  platform:
    description: The platform facts (ConfigMap seldon-system/modelplane-platform data); with it, GitOps and
      batch tenants are refused where the platform has no Argo CD or MinIO.
    type: dict
  batch_credentials_set:
    description: Whether storage credentials for batch tenants were supplied.
    type: bool
    default: false
author: modelplane
"""

EXAMPLES = r"""
- name: Validate the tenants file
  modelplane.platform.tenants_validate:
    path: stacks/tenants/prod.yaml
"""

RETURN = r"""
tenants:
  description: Every tenant with defaults filled in and its derived labels, annotations and RBAC subjects.
  type: list
  elements: dict
  returned: success
untracked:
  description: modelplane tenant namespaces in the cluster that the file does not list.
  type: list
  elements: str
  returned: when namespaces is given
"""
