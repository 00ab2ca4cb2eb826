"""Managed Postgres beside the cluster: RDS in the EKS cluster's private subnets, or Cloud SQL on the GKE
network's private IP range. Both encrypted, backed up, and protected from deletion in production."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.addons.postgres import PostgresConfig
from components.versions import POSTGRES_VERSION


@dataclass(frozen=True)
class AwsNetwork:
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    # the EKS cluster security group: nodes and pods carry it, so it is the one source to allow
    cluster_security_group_id: pulumi.Input[str]
    tags: dict[str, str]


@dataclass(frozen=True)
class GcpNetwork:
    project: str
    region: str
    network_id: pulumi.Input[str]
    labels: dict[str, str]


class RdsPostgres(pulumi.ComponentResource):
    def __init__(self, name: str, config: PostgresConfig, network: AwsNetwork, *, password: pulumi.Output[str],
                 production: bool, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:RdsPostgres", name, None, opts)
        import pulumi_aws as aws

        child = pulumi.ResourceOptions(parent=self)
        subnets = aws.rds.SubnetGroup(name, subnet_ids=network.subnet_ids, tags=network.tags, opts=child)
        group = aws.ec2.SecurityGroup(
            name, vpc_id=network.vpc_id, description="Postgres for Seldon Deploy metadata, from the EKS cluster",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=5432, to_port=5432,
                                                      security_groups=[network.cluster_security_group_id])],
            tags=network.tags, opts=child)
        self.instance = aws.rds.Instance(
            name,
            identifier=name,
            engine="postgres",
            engine_version=POSTGRES_VERSION,
            instance_class=config.instance_class,
            allocated_storage=config.storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=config.database,
            username=config.user,
            password=password,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[group.id],
            publicly_accessible=False,
            multi_az=production,
            backup_retention_period=config.backup_retention_days if config.backups_on else 0,
            deletion_protection=production,
            skip_final_snapshot=not production,
            final_snapshot_identifier=f"{name}-final" if production else None,
            copy_tags_to_snapshot=True,
            tags=network.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=production),
        )
        self.host = self.instance.address
        self.register_outputs({"host": self.host})


class CloudSqlPostgres(pulumi.ComponentResource):
    def __init__(self, name: str, config: PostgresConfig, network: GcpNetwork, *, password: pulumi.Output[str],
                 production: bool, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:CloudSqlPostgres", name, None, opts)
        import pulumi_gcp as gcp

        child = pulumi.ResourceOptions(parent=self)
        # private services access: a range of the VPC peered with Google's service network
        peering_range = gcp.compute.GlobalAddress(
            f"{name}-range", project=network.project, purpose="VPC_PEERING", address_type="INTERNAL",
            prefix_length=16, network=network.network_id, opts=child)
        peering = gcp.servicenetworking.Connection(
            f"{name}-peering", network=network.network_id, service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[peering_range.name], opts=child)
        self.instance = gcp.sql.DatabaseInstance(
            name,
            name=name,
            project=network.project,
            region=network.region,
            database_version=f"POSTGRES_{POSTGRES_VERSION}",
            deletion_protection=production,
            settings=gcp.sql.DatabaseInstanceSettingsArgs(
                tier=config.tier,
                availability_type="REGIONAL" if production else "ZONAL",
                disk_size=config.storage_gb,
                disk_autoresize=True,
                deletion_protection_enabled=production,
                ip_configuration=gcp.sql.DatabaseInstanceSettingsIpConfigurationArgs(
                    ipv4_enabled=False, private_network=network.network_id, ssl_mode="ENCRYPTED_ONLY"),
                backup_configuration=gcp.sql.DatabaseInstanceSettingsBackupConfigurationArgs(
                    enabled=config.backups_on, point_in_time_recovery_enabled=config.backups_on,
                    backup_retention_settings=gcp.sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs(
                        retained_backups=config.backup_retention_days)),
                user_labels=network.labels,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[peering], protect=production),
        )
        gcp.sql.Database(f"{name}-db", name=config.database, project=network.project, instance=self.instance.name,
                         opts=pulumi.ResourceOptions(parent=self, protect=production))
        gcp.sql.User(f"{name}-user", name=config.user, project=network.project, instance=self.instance.name,
                     password=password, opts=child)
        self.host = self.instance.private_ip_address
        self.register_outputs({"host": self.host})
