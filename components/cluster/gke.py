"""GKE: regional in production, zonal otherwise; workload identity; node pool sized by the preset."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.base import DnsLabel, Strict
from components.cluster.presets import PresetName
from components.versions import kubernetes_minor

REGIONAL_ZONES = 3


class GkeClusterConfig(Strict):
    cloud: Literal["gcp"]
    project: str = Field(pattern=r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")
    region: str = Field(pattern=r"^[a-z]+-[a-z]+[0-9]$")
    zone: str | None = Field(default=None, pattern=r"^[a-z]+-[a-z]+[0-9]-[a-z]$")
    size: PresetName = "standard"
    # more nodes of the preset's type than the preset's count (many models need more than `ha` has)
    node_count: int | None = Field(default=None, ge=1, le=1000)
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = "REGULAR"
    # the minimum control-plane version (e.g. "1.34"), within what the channel offers; null: the channel's default
    kubernetes_version: str | None = Field(default=kubernetes_minor(),
                                           pattern=r"^1\.[0-9]{2}(\.[0-9]+(-gke\.[0-9]+)?)?$")
    network: str = "default"
    subnetwork: str | None = None
    # seed 003 §9.1.3: small node disks cause evictions; the presets use 100 GB
    node_disk_gb: int | None = Field(default=None, ge=50)
    labels: dict[str, str] = Field(default_factory=dict)
    # the StorageClass every volume of the platform names; default: see components.cluster.storage_class
    storage_class: DnsLabel | None = None
