"""Action plugin: validate a tenants file, then (with read_cluster) the cluster it will be applied to."""

from __future__ import annotations

from ansible_collections.modelplane.platform.plugins.module_utils.action import ModelplaneAction
from pydantic import ValidationError

from components.errors import ConfigError, from_validation_error
from components.tenants import cluster_problems, load_tenants, platform_problems, untracked_tenants
from modelplane.onboarding.engine import OnboardingError
from modelplane.onboarding.objects import PlatformFacts


class ActionModule(ModelplaneAction):
    USES_CLUSTER = True
    ARGUMENT_SPEC = {
        "path": {"type": "path", "required": True},
        "read_cluster": {"type": "bool", "default": False},
        "facts_namespace": {"type": "str", "default": "seldon-system"},
        "facts_configmap": {"type": "str", "default": "modelplane-platform"},
        "batch_credentials_set": {"type": "bool", "default": False},
    }

    def act(self, args: dict, kube) -> dict:
        tenants = load_tenants(args["path"])  # the file first: a bad file is refused before any request
        result = {"tenants": [t.for_ansible() for t in tenants.tenants]}
        if not args["read_cluster"]:
            return result
        facts = kube.get("v1", "ConfigMap", args["facts_namespace"], args["facts_configmap"])
        if facts is None:
            # the file is fine: what is missing is the platform, so the message says that, not "invalid"
            raise OnboardingError(
                f"the platform is not installed in the cluster at {kube.api.configuration.host}: ConfigMap "
                f"{args['facts_namespace']}/{args['facts_configmap']} not found. The Pulumi program writes it "
                f"(make up STACK=<env>, or pulumi up) and onboarding reads the platform's settings from it. "
                f"{args['path']} itself is valid ({len(tenants.tenants)} tenants); onboard once the platform is up")
        data = facts.get("data") or {}
        namespaces = kube.list("v1", "Namespace")
        problems = cluster_problems(tenants, namespaces) + platform_problems(
            tenants, data, args["batch_credentials_set"])
        if problems:
            raise ConfigError(args["path"], problems)
        try:
            parsed = PlatformFacts.model_validate(data)
        except ValidationError as exc:
            raise from_validation_error(f"ConfigMap {args['facts_namespace']}/{args['facts_configmap']}", exc) from None
        platform = {**data, "ingressNamespaces": parsed.ingressNamespaces}
        return {**result, "platform": platform, "existing": sorted(n["metadata"]["name"] for n in namespaces),
                "untracked": untracked_tenants(tenants, namespaces)}
