# The work is done by the action plugin of the same name, on the controller.

DOCUMENTATION = r"""
module: opa_grants
short_description: Merge tenants' grants into Seldon Deploy's OPA policy ConfigMap
description:
  - Sets each listed tenant's C(namespace/<name>) grants in ConfigMap seldon-deploy-policies and removes those of
    the namespaces in O(remove), touching only entries modelplane added (recorded in the ConfigMap).
  - Writes with the resourceVersion it read; a concurrent edit is merged again from a fresh read and retried.
  - Creates the ConfigMap when missing; check mode reads only.
options:
  tenants:
    description: Tenants as modelplane.platform.tenants_validate returns them (name, opa_grants).
    type: list
    elements: dict
    default: []
  remove:
    description: Namespaces whose grants are removed.
    type: list
    elements: str
    default: []
  namespace:
    description: Where Seldon Deploy and its policy ConfigMap live.
    type: str
    default: seldon-system
extends_documentation_fragment: [modelplane.platform.cluster]
author: modelplane
"""

EXAMPLES = r"""
- name: Merge the tenants' grants
  modelplane.platform.opa_grants:
    tenants: "{{ tenants_validate_tenants }}"
"""

RETURN = r"""
added:
  description: Grants added, as C(target principal action resource).
  type: list
  elements: str
  returned: always
removed:
  description: Grants removed.
  type: list
  elements: str
  returned: always
"""
