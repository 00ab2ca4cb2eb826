"""Postgres for model metadata (seed 003 Postgres): the Zalando operator in the cluster, RDS or Cloud SQL.
Whatever the backend, the `metadata-postgres` Secret Seldon Deploy reads is produced from its outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from components.addon import AddonConfig
from components.base import DnsLabel, Strict
from components.errors import FieldProblems
from components.names import POD_SERVICE_ACCOUNT
from components.secrets import SecretRef

if TYPE_CHECKING:  # annotations only: the Pulumi SDK stays out of config validation
    import pulumi

METADATA_SECRET = "metadata-postgres"
ZALANDO_CLUSTER = "seldon-metadata"


class LogicalBackup(Strict):
    """Where the Zalando operator's logical backups (pg_dumpall, daily) go. The operator's chart defaults
    to a placeholder bucket, so modelplane turns them on only with a bucket named here."""

    provider: Literal["s3", "gcs"] = "s3"
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    region: str | None = None  # s3: the bucket's region
    endpoint: str | None = Field(default=None, pattern=r"^https?://")  # an S3-compatible store, e.g. MinIO
    prefix: str = "spilo"
    # a Secret in seldon-system whose keys become the backup job's environment (AWS_ACCESS_KEY_ID and
    # AWS_SECRET_ACCESS_KEY for s3); you create it and the bucket. Unset on EKS: the platform creates the
    # bucket and an IAM role the backup pods assume (IRSA); elsewhere it is required.
    credentials_secret: DnsLabel | None = None


class PostgresConfig(AddonConfig):
    namespace: DnsLabel | None = "postgres-operator"
    backend: Literal["zalando", "rds", "cloudsql"] = "zalando"
    instances: int = Field(default=2, ge=1)
    volume_size: str = Field(default="10Gi", pattern=r"^[0-9]+(Mi|Gi|Ti)$")
    database: DnsLabel = "metadata"
    user: DnsLabel = "seldon"
    password: SecretRef = "generate"
    # zalando: the operator's logical backups to `logicalBackup` (default: on when it is set), cron in UTC;
    # rds/cloudsql: automated backups, kept `backupRetentionDays` (default: on)
    backups: bool | None = None
    logical_backup: LogicalBackup | None = None
    backup_schedule: str = Field(default="30 0 * * *", pattern=r"^(\S+\s+){4}\S+$")
    backup_retention_days: int = Field(default=7, ge=1, le=35)
    # rds: instance class; cloudsql: machine tier
    instance_class: str = "db.t4g.medium"
    tier: str = "db-custom-2-7680"
    storage_gb: int = Field(default=50, ge=20)

    @model_validator(mode="after")
    def _backup_target(self) -> PostgresConfig:
        if self.backend == "zalando" and self.backups and self.logical_backup is None:
            raise FieldProblems([(("logicalBackup",), "backups: true on the Zalando backend needs a bucket "
                                                      "(logicalBackup.bucket), or set backups: false")])
        return self

    @property
    def backups_on(self) -> bool:
        if self.backups is not None:
            return self.backups
        return self.logical_backup is not None if self.backend == "zalando" else True


def operator_values(config: PostgresConfig) -> dict:
    """The operator's logical-backup target; nothing when backups are off (its placeholder is never used)."""
    target = config.logical_backup
    if not (config.backups_on and target):
        return {}
    backup = {"logical_backup_provider": target.provider, "logical_backup_s3_bucket": target.bucket,
              "logical_backup_s3_bucket_prefix": target.prefix}
    if target.region:
        backup["logical_backup_s3_region"] = target.region
    if target.endpoint:
        backup["logical_backup_s3_endpoint"] = target.endpoint
    if target.credentials_secret:
        backup["logical_backup_cronjob_environment_secret"] = target.credentials_secret
    # the service account the database and backup pods run as: on EKS the platform creates it, annotated
    # with the backup role (the operator creates it only when absent, and never updates it)
    return {"configLogicalBackup": backup, "podServiceAccount": {"name": POD_SERVICE_ACCOUNT}}


def backup_problems(config: PostgresConfig, cloud: str) -> list[str]:
    """A backup with no way to write: only on EKS does the platform create the bucket and the role."""
    target = config.logical_backup
    if config.backend != "zalando" or not config.backups_on or target is None or target.credentials_secret:
        return []
    if cloud == "aws" and target.provider == "s3" and not target.endpoint:
        return []
    return [f"addons.postgres.logicalBackup.credentialsSecret: required for backups to {target.provider} "
            f"bucket {target.bucket!r} on a cluster of cloud {cloud!r} (the platform creates a bucket and an "
            "IAM role only on EKS): name a Secret in seldon-system holding the backup job's credentials, or set "
            "addons.postgres.backups: false"]


def metadata_secret_data(config: PostgresConfig, host: pulumi.Input[str], password: pulumi.Input[str]) -> dict:
    return {"dbname": config.database, "host": host, "user": config.user, "password": password, "port": "5432",
            "sslmode": "require"}
