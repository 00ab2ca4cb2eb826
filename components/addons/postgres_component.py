"""The Pulumi component beside components.addons.postgres, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.addon_component import HelmAddon
from components.addons.postgres import (
    ZALANDO_CLUSTER,
    PostgresConfig,
    operator_values,
)
from components.kit import PART_OF, PlatformKit
from components.names import IRSA_ANNOTATION, POD_SERVICE_ACCOUNT
from components.versions import POSTGRES_VERSION


class ZalandoPostgres(pulumi.ComponentResource):
    """The operator and a `postgresql` cluster in seldon-system; 2 instances by default."""

    def __init__(self, name: str, config: PostgresConfig, kit: PlatformKit, *, system_namespace: str,
                 password: pulumi.Output[str], backup_role_arn: pulumi.Output[str] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:ZalandoPostgres", name, None, opts)
        operator = HelmAddon("postgres-operator", pin=config.pin("postgres-operator"),
                             namespace=kit.ns(config.namespace), values=operator_values(config),
                             overrides=config.values,
                             opts=pulumi.ResourceOptions(parent=self))
        # the operator adopts a credentials Secret that already exists, so both sides share one password
        credentials = kit.secret(f"{config.user}.{ZALANDO_CLUSTER}.credentials.postgresql.acid.zalan.do",
                                 system_namespace, {"username": config.user, "password": password}, self)
        needs = [operator, credentials, *kit.volumes_ready]
        if backup_role_arn is not None:
            # the database and backup pods' identity, bound to the backup role before the operator starts them
            needs.append(k8s.core.v1.ServiceAccount(
                POD_SERVICE_ACCOUNT, metadata={"name": POD_SERVICE_ACCOUNT, "namespace": kit.ns(system_namespace),
                                               "labels": PART_OF, "annotations": {IRSA_ANNOTATION: backup_role_arn}},
                opts=pulumi.ResourceOptions(parent=self, provider=kit.provider)))
        volume = {"size": config.volume_size, **({"storageClass": kit.storage_class} if kit.storage_class else {})}
        backups = {"enableLogicalBackup": config.backups_on,
                   **({"logicalBackupSchedule": config.backup_schedule} if config.backups_on else {})}
        self.cluster = k8s.apiextensions.CustomResource(
            "metadata-postgresql", api_version="acid.zalan.do/v1", kind="postgresql",
            metadata={"name": ZALANDO_CLUSTER, "namespace": kit.ns(system_namespace), "labels": PART_OF},
            spec={"teamId": "seldon", "numberOfInstances": config.instances,
                  "postgresql": {"version": POSTGRES_VERSION}, "volume": volume,
                  "users": {config.user: ["createdb"]}, "databases": {config.database: config.user}, **backups},
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs, protect=kit.production))
        self.host = f"{ZALANDO_CLUSTER}.{system_namespace}.svc.cluster.local"
        self.register_outputs({"host": self.host})
