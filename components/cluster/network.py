"""A VPC for an EKS cluster when no subnets are given: public subnets for load balancers, private subnets
for nodes, one NAT gateway (per VPC, not per zone: enough for dev/staging; production networks are
usually given as subnetIds by the team that owns them)."""

from __future__ import annotations

import ipaddress

import pulumi

ELB_ROLE = {"public": "kubernetes.io/role/elb", "private": "kubernetes.io/role/internal-elb"}


def subnet_cidrs(vpc_cidr: str, zones: int) -> dict[str, list[str]]:
    """/20s (at least) carved from the VPC: the first `zones` public, the next `zones` private."""
    net = ipaddress.ip_network(vpc_cidr)
    prefix = max(net.prefixlen + 4, 20) if net.prefixlen <= 16 else net.prefixlen + 3
    blocks = [str(b) for b in net.subnets(new_prefix=prefix)]
    return {"public": blocks[:zones], "private": blocks[zones:2 * zones]}


class EksNetwork(pulumi.ComponentResource):
    private_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, *, cidr: str, zones: list[str], cluster_name: str, tags: dict[str, str],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:cluster:EksNetwork", name, None, opts)
        import pulumi_aws as aws

        child = pulumi.ResourceOptions(parent=self)
        shared = {**tags, f"kubernetes.io/cluster/{cluster_name}": "shared"}
        self.vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True,
                               tags={**tags, "Name": name}, opts=child)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags, opts=child)
        cidrs = subnet_cidrs(cidr, len(zones))
        subnets: dict[str, list[aws.ec2.Subnet]] = {}
        for tier in ("public", "private"):
            subnets[tier] = [
                aws.ec2.Subnet(f"{name}-{tier}-{zone}", vpc_id=self.vpc.id, cidr_block=block, availability_zone=zone,
                               map_public_ip_on_launch=False,
                               tags={**shared, ELB_ROLE[tier]: "1", "Name": f"{name}-{tier}-{zone}"}, opts=child)
                for zone, block in zip(zones, cidrs[tier], strict=True)
            ]
        public_routes = aws.ec2.RouteTable(f"{name}-public", vpc_id=self.vpc.id, routes=[
            aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)], tags=tags, opts=child)
        eip = aws.ec2.Eip(f"{name}-nat", domain="vpc", tags=tags, opts=child)
        nat = aws.ec2.NatGateway(f"{name}-nat", allocation_id=eip.id, subnet_id=subnets["public"][0].id, tags=tags,
                                 opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
        private_routes = aws.ec2.RouteTable(f"{name}-private", vpc_id=self.vpc.id, routes=[
            aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)], tags=tags, opts=child)
        for tier, table in (("public", public_routes), ("private", private_routes)):
            for subnet, zone in zip(subnets[tier], zones, strict=True):
                aws.ec2.RouteTableAssociation(f"{name}-{tier}-{zone}", subnet_id=subnet.id, route_table_id=table.id,
                                              opts=child)
        self.private_subnet_ids = [s.id for s in subnets["private"]]
        self.public_subnet_ids = [s.id for s in subnets["public"]]
        self.register_outputs({"vpcId": self.vpc.id, "privateSubnetIds": self.private_subnet_ids})
