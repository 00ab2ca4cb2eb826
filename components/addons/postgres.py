"""Postgres for model metadata (seed 003 Postgres). Backends beyond Zalando (RDS, Cloud SQL) arrive
with their cloud components; whatever the backend, the `metadata-postgres` Secret is derived."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.addon import AddonConfig
from components.base import DnsLabel

METADATA_SECRET = "metadata-postgres"


class PostgresConfig(AddonConfig):
    namespace: DnsLabel | None = "postgres-operator"
    backend: Literal["zalando"] = "zalando"
    instances: int = Field(default=2, ge=1)
    volume_size: str = Field(default="10Gi", pattern=r"^[0-9]+(Mi|Gi|Ti)$")
    database: DnsLabel = "metadata"
    user: DnsLabel = "seldon"
    # the operator's logical backups (pg_dumpall to its configured bucket), cron in UTC
    backups: bool = True
    backup_schedule: str = Field(default="30 0 * * *", pattern=r"^(\S+\s+){4}\S+$")
