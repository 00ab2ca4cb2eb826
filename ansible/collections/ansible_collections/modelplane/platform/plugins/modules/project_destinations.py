# The work is done by the action plugin of the same name, on the controller.

DOCUMENTATION = r"""
module: project_destinations
short_description: Add or remove namespaces in the Argo CD AppProject's destinations
description:
  - The AppProject is the Pulumi program's; its spec.destinations are onboarding's. Written with the
    resourceVersion read; a concurrent edit is retried from a fresh read. Check mode reads only.
options:
  platform:
    description: The platform facts (argocdNamespace, argocdProject).
    type: dict
    required: true
  add:
    description: Namespaces to add.
    type: list
    elements: str
    default: []
  remove:
    description: Namespaces to remove.
    type: list
    elements: str
    default: []
extends_documentation_fragment: [modelplane.platform.cluster]
author: modelplane
"""

EXAMPLES = r"""
- name: Remove the tenant's namespace from the project
  modelplane.platform.project_destinations:
    platform: "{{ facts }}"
    remove: [fraud]
"""

RETURN = r"""
added:
  description: Namespaces added.
  type: list
  elements: str
  returned: always
removed:
  description: Namespaces removed.
  type: list
  elements: str
  returned: always
"""
