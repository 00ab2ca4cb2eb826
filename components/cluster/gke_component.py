"""The Pulumi component beside components.cluster.gke, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import math

import pulumi
import pulumi_kubernetes as k8s

from components.addons.postgres_cloud import GcpNetwork
from components.cluster.gke import REGIONAL_ZONES, GkeClusterConfig
from components.cluster.kubeconfig import exec_kubeconfig
from components.cluster.presets import PRESETS


class GkeCluster(pulumi.ComponentResource):
    provider: k8s.Provider

    def __init__(self, name: str, config: GkeClusterConfig, *, production: bool,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:cluster:GkeCluster", name, None, opts)
        import pulumi_gcp as gcp

        preset = PRESETS[config.size]
        shape = preset.shape("gcp", config.node_count)
        regional = production or config.zone is None
        location = config.region if regional else config.zone
        per_location = math.ceil(shape.count / REGIONAL_ZONES) if regional else shape.count
        labels = {"managed-by": "modelplane", **config.labels}
        kept = pulumi.ResourceOptions(parent=self, protect=production)

        self.cluster = gcp.container.Cluster(
            name,
            name=name,
            project=config.project,
            location=location,
            network=config.network,
            subnetwork=config.subnetwork,
            remove_default_node_pool=True,
            initial_node_count=1,
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=config.release_channel),
            min_master_version=config.kubernetes_version,
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{config.project}.svc.id.goog"),
            deletion_protection=production,
            resource_labels=labels,
            opts=kept,
        )
        self.node_pool = gcp.container.NodePool(
            f"{name}-nodes",
            project=config.project,
            cluster=self.cluster.name,
            location=location,
            node_count=per_location,
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type=shape.machine_type,
                disk_size_gb=config.node_disk_gb or preset.disk_gb,
                oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"),
                labels=labels,
            ),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            opts=kept,
        )
        self.kubeconfig = pulumi.Output.secret(pulumi.Output.all(
            self.cluster.endpoint, self.cluster.master_auth.apply(lambda m: m.cluster_ca_certificate),
        ).apply(lambda a: exec_kubeconfig(name, f"https://{a[0]}", a[1], {
            "command": "gke-gcloud-auth-plugin", "provideClusterInfo": True})))
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True,
                                     opts=pulumi.ResourceOptions(parent=self, depends_on=[self.node_pool]))
        self.config, self.labels = config, labels
        self.register_outputs({"kubeconfig": self.kubeconfig})

    def network_for_databases(self) -> GcpNetwork:
        network = f"projects/{self.config.project}/global/networks/{self.config.network}"
        return GcpNetwork(project=self.config.project, region=self.config.region, network_id=network,
                          labels=self.labels)
