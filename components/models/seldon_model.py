"""The Pulumi component beside components.models.seldon_deployment, which holds the manifest it applies
free of the Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.models.seldon_deployment import (
    API_VERSION,
    KIND,
    GitopsTarget,
    seldon_deployment_manifest,
)
from components.models.spec import ModelSpec
from components.names import COMPONENT_TYPE


class SeldonModel(pulumi.ComponentResource):
    """Applies the SeldonDeployment with the platform's provider, after the Seldon Core release. For a
    GitOps namespace it creates nothing: the manifest is recorded on the component (`gitops`), and
    `modelplane render` writes it as the file to commit."""

    def __init__(self, name: str, spec: ModelSpec, *, depends_on: list[pulumi.Resource],
                 gitops: GitopsTarget | None = None, opts: pulumi.ResourceOptions | None = None):
        manifest = seldon_deployment_manifest(spec)
        props = None
        if gitops:
            props = {"gitops": {"repo": gitops.repo, "path": gitops.path, "manifest": manifest}}
        super().__init__(COMPONENT_TYPE, name, props, opts)
        self.deployment = None
        if gitops is None:
            self.deployment = k8s.apiextensions.CustomResource(
                name, api_version=API_VERSION, kind=KIND, metadata=manifest["metadata"],
                spec=manifest["spec"], opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on))
        self.register_outputs({"gitopsPath": gitops.path if gitops else None})
