# The work is done by the action plugin of the same name, on the controller.

DOCUMENTATION = r"""
module: onboard
short_description: Write every tenant's namespace and the objects in it that differ from the cluster
description:
  - Builds each tenant's objects in Python from modelplane's typed tenants model, reads what exists with one
    Kubernetes client (one list per kind, by the label app.kubernetes.io/managed-by=modelplane), and writes
    only what differs by server-side apply (field manager C(modelplane)), from a bounded pool of threads.
  - Removes access objects a tenant no longer asks for, then adds the GitOps namespaces to the Argo CD
    AppProject's destinations (optimistic concurrency, retried from a fresh read on a conflict).
  - Check mode sends no request that writes and reports what would change; diff mode shows how. Secret values
    never appear in the result, a diff or a last-applied annotation.
options:
  tenants:
    description: Tenants as modelplane.platform.tenants_validate returns them.
    type: list
    elements: dict
    required: true
  platform:
    description: The platform facts (tenants_validate's C(platform)).
    type: dict
    required: true
  existing_namespaces:
    description: Namespaces that exist; in check mode, the objects of the others are announced with their namespace.
    type: list
    elements: str
    default: []
  batch_credentials:
    description: C(access_key_id) and C(secret_access_key) for seldon-job-secret (batch tenants).
    type: dict
  pod_security_audit:
    description: Pod Security level audited and warned about in tenant namespaces; default the platform's
      (C(podSecurityAudit) in its facts, from the stack's tenancy.podSecurity).
    type: str
    choices: [privileged, baseline, restricted]
  container_defaults:
    description: LimitRange defaults (request_cpu, request_memory, limit_cpu, limit_memory).
    type: dict
    default: {}
  manifest_file:
    description: Also write the objects (Secrets excluded) to this file.
    type: path
  workers:
    description: Concurrent writes.
    type: int
    default: 8
extends_documentation_fragment: [modelplane.platform.cluster]
author: modelplane
"""

EXAMPLES = r"""
- name: Onboard the validated tenants
  modelplane.platform.onboard:
    tenants: "{{ tenants_validate_tenants }}"
    platform: "{{ tenants_validate_platform }}"
"""

RETURN = r"""
report:
  description: One line per write (C(created Kind namespace/name)); in check mode what would be written.
  type: list
  elements: str
  returned: always
writes:
  description: Each write (action, kind, namespace, name), landed or in check mode planned.
  type: list
  elements: dict
  returned: always
destinations_added:
  description: Namespaces added to the Argo CD project's destinations.
  type: list
  elements: str
  returned: always
"""
