# The work is done by the action plugin of the same name, on the controller.

DOCUMENTATION = r"""
module: offboard_validate
short_description: Refuse an unsafe offboarding before anything is written
description:
  - Fails when the namespace is reserved, missing or not a modelplane tenant, and when O(purge) is set
    without O(confirm) equal to the tenant's name.
options:
  tenant:
    description: The tenant (namespace) to offboard.
    type: str
    required: true
  namespaces:
    description: The cluster's namespaces, as kubernetes.core.k8s_info returns them.
    type: list
    elements: dict
    required: true
  purge:
    description: Also delete the namespace and all its data.
    type: bool
    default: false
  confirm:
    description: Must equal O(tenant) when O(purge) is set.
    type: str
author: modelplane
"""

EXAMPLES = r"""
- name: Check the offboarding request
  modelplane.platform.offboard_validate:
    tenant: team-a
    namespaces: "{{ cluster_namespaces.resources }}"
"""

RETURN = r"""
changed:
  description: Always false.
  type: bool
  returned: always
"""
