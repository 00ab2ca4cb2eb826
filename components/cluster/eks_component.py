"""The Pulumi component beside components.cluster.eks, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.addons.postgres_cloud import AwsNetwork
from components.cluster.ebs import EbsStorage
from components.cluster.eks import CONTROL_PLANE_LOGS, NODE_POLICIES, EksClusterConfig, _assume_role
from components.cluster.kubeconfig import exec_kubeconfig
from components.cluster.network import EksNetwork
from components.cluster.presets import PRESETS


class EksCluster(pulumi.ComponentResource):
    provider: k8s.Provider

    def __init__(self, name: str, config: EksClusterConfig, *, production: bool,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:cluster:EksCluster", name, None, opts)
        import pulumi_aws as aws

        preset = PRESETS[config.size]
        shape = preset.shape("aws", config.node_count)
        tags = {"managed-by": "modelplane", **config.tags}
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=production)
        subnet_ids: pulumi.Input[list[str]] = config.subnet_ids or []
        if config.vpc_cidr:
            self.network = EksNetwork(f"{name}-vpc", cidr=config.vpc_cidr, zones=config.zones(), cluster_name=name,
                                      tags=tags, opts=child)
            subnet_ids = self.network.private_subnet_ids

        cluster_role = aws.iam.Role(f"{name}-cluster-role", assume_role_policy=_assume_role("eks.amazonaws.com"),
                                    tags=tags, opts=child)
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy", role=cluster_role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", opts=child)
        node_role = aws.iam.Role(f"{name}-node-role", assume_role_policy=_assume_role("ec2.amazonaws.com"),
                                 tags=tags, opts=child)
        node_policies = [
            aws.iam.RolePolicyAttachment(f"{name}-node-{policy}", role=node_role.name,
                                         policy_arn=f"arn:aws:iam::aws:policy/{policy}", opts=child)
            for policy in NODE_POLICIES
        ]
        self.cluster = aws.eks.Cluster(
            name,
            name=name,
            role_arn=cluster_role.arn,
            version=config.kubernetes_version,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=subnet_ids, endpoint_private_access=True, endpoint_public_access=True,
                public_access_cidrs=config.public_access_cidrs),
            enabled_cluster_log_types=CONTROL_PLANE_LOGS if production else [],
            tags=tags,
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[cluster_policy])),
        )
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=self.cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=subnet_ids,
            version=self.cluster.version,
            instance_types=[shape.machine_type],
            disk_size=config.node_disk_gb or preset.disk_gb,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                desired_size=shape.count, min_size=shape.count, max_size=shape.count * 2),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=node_policies)),
        )
        issuer = self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=issuer, client_id_lists=["sts.amazonaws.com"], tags=tags, opts=child)

        self.kubeconfig = pulumi.Output.secret(pulumi.Output.all(
            self.cluster.endpoint, self.cluster.certificate_authority.apply(lambda c: c.data),
        ).apply(lambda a: exec_kubeconfig(name, a[0], a[1], {
            "command": "aws", "args": ["eks", "get-token", "--cluster-name", name, "--region", config.region]})))
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True,
                                     opts=pulumi.ResourceOptions(parent=self, depends_on=[self.node_group]))
        self.storage = EbsStorage(name, cluster_name=self.cluster.name, oidc_provider_arn=self.oidc_provider.arn,
                                  issuer=issuer, provider=self.provider, depends_on=[self.node_group],
                                  production=production, tags=tags, opts=child)
        self.subnet_ids, self.tags, self.oidc_issuer = subnet_ids, tags, issuer
        # what every volume waits for: claims made before the class and the EBS driver stay Pending
        self.volumes_ready = [self.storage.storage_class]
        self.register_outputs({"kubeconfig": self.kubeconfig, "oidcProviderArn": self.oidc_provider.arn})

    def network_for_databases(self) -> AwsNetwork:
        vpc = self.cluster.vpc_config
        return AwsNetwork(vpc_id=vpc.vpc_id, subnet_ids=self.subnet_ids,
                          cluster_security_group_id=vpc.cluster_security_group_id, tags=self.tags)
