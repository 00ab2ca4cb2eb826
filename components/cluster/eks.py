"""EKS with managed node groups sized by the preset, IRSA's OIDC provider and an exec kubeconfig."""

from __future__ import annotations

import json
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from components.base import Strict
from components.cluster.kubeconfig import exec_kubeconfig
from components.cluster.presets import PRESETS, PresetName
from components.versions import KUBERNETES_VERSION

CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"]


class EksClusterConfig(Strict):
    cloud: Literal["aws"]
    region: str = Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
    size: PresetName = "standard"
    kubernetes_version: str = Field(default=KUBERNETES_VERSION, pattern=r"^1\.[0-9]{2}$")
    # private subnets in at least two availability zones (the network is usually another team's)
    subnet_ids: list[str] = Field(min_length=2)
    public_access_cidrs: list[str] = Field(default_factory=lambda: ["0.0.0.0/0"])
    node_disk_gb: int | None = Field(default=None, ge=20)
    tags: dict[str, str] = Field(default_factory=dict)


def _assume_role(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


class EksCluster(pulumi.ComponentResource):
    provider: k8s.Provider

    def __init__(self, name: str, config: EksClusterConfig, *, production: bool,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:cluster:EksCluster", name, None, opts)
        import pulumi_aws as aws

        preset = PRESETS[config.size]
        shape = preset.shape("aws")
        tags = {"managed-by": "modelplane", **config.tags}
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=production)

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
                subnet_ids=config.subnet_ids, endpoint_private_access=True, endpoint_public_access=True,
                public_access_cidrs=config.public_access_cidrs),
            enabled_cluster_log_types=CONTROL_PLANE_LOGS if production else [],
            tags=tags,
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[cluster_policy])),
        )
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=self.cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=config.subnet_ids,
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
        self.register_outputs({"kubeconfig": self.kubeconfig, "oidcProviderArn": self.oidc_provider.arn})
