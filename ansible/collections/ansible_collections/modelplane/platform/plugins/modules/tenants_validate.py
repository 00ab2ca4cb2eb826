# The work is done by the action plugin of the same name, on the controller.

DOCUMENTATION = r"""
module: tenants_validate
short_description: Validate a modelplane tenants file and check it against the cluster
description:
  - Loads the tenants file with the typed model the Pulumi program uses and fails listing every problem
    with its field path, before any request to the cluster.
  - With O(read_cluster), reads the platform facts ConfigMap and the namespaces (one client, read only) and
    refuses namespaces that exist and are not modelplane tenants (unless the tenant sets C(adopt)), namespaces
    being deleted, GitOps tenants without Argo CD and batch tenants without MinIO or credentials.
options:
  path:
    description: The tenants file.
    type: path
    required: true
  read_cluster:
    description: Also check the cluster and return the platform facts and the namespaces.
    type: bool
    default: false
  facts_namespace:
    description: Namespace of the platform facts ConfigMap.
    type: str
    default: seldon-system
  facts_configmap:
    description: Name of the platform facts ConfigMap.
    type: str
    default: modelplane-platform
  batch_credentials_set:
    description: Whether storage credentials for batch tenants were supplied.
    type: bool
    default: false
extends_documentation_fragment: [modelplane.platform.cluster]
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
platform:
  description: The platform facts, ingressNamespaces as a list.
  type: dict
  returned: with read_cluster
existing:
  description: The names of the cluster's namespaces.
  type: list
  elements: str
  returned: with read_cluster
untracked:
  description: modelplane tenant namespaces in the cluster that the file does not list.
  type: list
  elements: str
  returned: with read_cluster
"""
