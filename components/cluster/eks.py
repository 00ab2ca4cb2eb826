"""EKS with managed node groups sized by the preset, IRSA's OIDC provider and an exec kubeconfig."""

from __future__ import annotations

import ipaddress
import json
from typing import Literal

from pydantic import Field, model_validator

from components.base import Cidr, DnsLabel, Strict
from components.cluster.presets import PresetName
from components.errors import FieldProblems
from components.versions import kubernetes_minor

CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"]


class EksClusterConfig(Strict):
    cloud: Literal["aws"]
    region: str = Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
    size: PresetName = "standard"
    # more nodes of the preset's type than the preset's count (many models need more than `ha` has)
    node_count: int | None = Field(default=None, ge=1, le=1000)
    kubernetes_version: str = Field(default=kubernetes_minor(), pattern=r"^1\.[0-9]{2}$")
    # private subnets in at least two availability zones (the network is usually another team's) ...
    subnet_ids: list[str] | None = Field(default=None, min_length=2)
    # ... or a VPC modelplane creates (components.cluster.network), in these zones (default: <region>a-c)
    vpc_cidr: Cidr | None = None
    availability_zones: list[str] | None = Field(default=None, min_length=2)
    public_access_cidrs: list[Cidr] = Field(default_factory=lambda: ["0.0.0.0/0"])
    # seed 003 §9.1.3: 20 GB node disks cause evictions; the presets use 100 GB
    node_disk_gb: int | None = Field(default=None, ge=50)
    tags: dict[str, str] = Field(default_factory=dict)
    # the StorageClass every volume of the platform names; default: see components.cluster.storage_class
    storage_class: DnsLabel | None = None

    @model_validator(mode="after")
    def _one_network(self) -> EksClusterConfig:
        if (self.subnet_ids is None) == (self.vpc_cidr is None):
            raise FieldProblems([(("subnetIds",), "set exactly one of subnetIds (an existing network) and "
                                                   "vpcCidr (a VPC modelplane creates)")])
        if self.availability_zones and not self.vpc_cidr:
            raise FieldProblems([(("availabilityZones",), "only used with vpcCidr")])
        if self.vpc_cidr and not 16 <= ipaddress.ip_network(self.vpc_cidr).prefixlen <= 24:
            raise FieldProblems([(("vpcCidr",), f"{self.vpc_cidr!r}: a VPC's prefix length is /16 to /24 on AWS "
                                                "(and this layout needs room for 6 subnets)")])
        return self

    def zones(self) -> list[str]:
        return self.availability_zones or [f"{self.region}{z}" for z in "abc"]


def _assume_role(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
