"""Every rule, registered by id in RULES when its module is imported."""

from policies.rules import models, operations, platform, pod_security, tenancy, workloads  # noqa: F401 (registration)
from policies.rules.base import RULES, Context, Resource, Rule, Violation

__all__ = ["RULES", "Context", "Resource", "Rule", "Violation"]
