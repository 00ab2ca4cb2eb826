"""Action plugin: write every tenant's objects that differ from the cluster (modelplane.onboarding)."""

from __future__ import annotations

from pathlib import Path

import yaml
from ansible_collections.modelplane.platform.plugins.module_utils.action import ModelplaneAction

from components.tenants import Tenant
from modelplane.onboarding.engine import WORKERS
from modelplane.onboarding.objects import ContainerDefaults, Options, PlatformFacts
from modelplane.onboarding.run import diffs, onboard


def tenant_model(tenant: dict) -> Tenant:
    """A tenant as tenants_validate returned it, back in the typed model (derived fields dropped)."""
    return Tenant.model_validate({k: v for k, v in tenant.items() if k in Tenant.model_fields})


class ActionModule(ModelplaneAction):
    USES_CLUSTER = True
    ARGUMENT_SPEC = {
        "tenants": {"type": "list", "elements": "dict", "required": True},
        "platform": {"type": "dict", "required": True},
        "existing_namespaces": {"type": "list", "elements": "str", "default": []},
        "batch_credentials": {"type": "dict", "no_log": True},
        "pod_security_audit": {"type": "str", "choices": ["privileged", "baseline", "restricted"]},
        "container_defaults": {"type": "dict", "default": {}},
        "manifest_file": {"type": "path"},
        "workers": {"type": "int", "default": WORKERS},
    }

    def act(self, args: dict, kube) -> dict:
        options = Options(pod_security_audit=args["pod_security_audit"],
                          container_defaults=ContainerDefaults(**args["container_defaults"]))
        outcome = onboard(kube, [tenant_model(t) for t in args["tenants"]],
                          PlatformFacts.model_validate(args["platform"]), options,
                          credentials=args["batch_credentials"], existing_namespaces=args["existing_namespaces"],
                          check=self.check_mode, workers=args["workers"])
        if args["manifest_file"]:
            Path(args["manifest_file"]).write_text(yaml.safe_dump(outcome.objects, sort_keys=False))
        writes = [{"action": w.action, "kind": w.obj["kind"], "namespace": w.obj["metadata"].get("namespace"),
                   "name": w.obj["metadata"]["name"]} for w in outcome.writes]
        result = {"changed": outcome.changed, "report": outcome.report(self.check_mode), "writes": writes,
                  "destinations_added": outcome.destinations_added}
        if self.diff_mode:
            result["diff"] = diffs(outcome.writes)
        return result
