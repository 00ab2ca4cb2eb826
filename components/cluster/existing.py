"""An existing cluster (kind, k3d, minikube, any kubeconfig): nothing is created, the provider targets it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.base import DnsLabel, Strict
from components.cluster.presets import PresetName


class ExistingClusterConfig(Strict):
    cloud: Literal["existing"]
    size: PresetName = "local"
    # more nodes of the preset's type than the preset's count (many models need more than `ha` has)
    node_count: int | None = Field(default=None, ge=1, le=1000)
    # path to a kubeconfig; unset: the provider's default (KUBECONFIG, then ~/.kube/config)
    kubeconfig: str | None = None
    context: str | None = None
    # `make up` creates a kind cluster of this name when none exists (kind is the user's tool)
    kind_cluster: DnsLabel | None = None
    # the StorageClass every volume of the platform names; default: see components.cluster.storage_class
    storage_class: DnsLabel | None = None
