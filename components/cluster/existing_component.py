"""The Pulumi component beside components.cluster.existing, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.cluster.existing import ExistingClusterConfig


class ExistingCluster(pulumi.ComponentResource):
    provider: k8s.Provider

    def __init__(self, name: str, config: ExistingClusterConfig, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:cluster:ExistingCluster", name, None, opts)
        context = config.context or (f"kind-{config.kind_cluster}" if config.kind_cluster else None)
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=config.kubeconfig,
            context=context,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})

    def network_for_databases(self):
        raise ValueError("an existing cluster has no cloud network for a managed database")
