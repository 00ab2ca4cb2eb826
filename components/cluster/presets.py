"""Size presets as data: per cloud, the node type, node count and allocatable capacity; disk size.

Seed 003 §3.4: GKE 2 x e2-standard-8 (16 vCPU / 60 GB) or AWS 4 x t2.xlarge for the full stack;
§9.1.3: EKS node disks of 20 GB cause evictions, use 100 GB.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

PresetName = Literal["local", "small", "standard", "ha"]
Cloud = Literal["aws", "gcp", "existing"]


@dataclass(frozen=True)
class NodeShape:
    machine_type: str
    count: int
    # allocatable per node after kubelet/system reservations
    cpu: float
    memory_gib: float


@dataclass(frozen=True)
class SizePreset:
    name: str
    disk_gb: int
    nodes: dict[str, NodeShape]

    def shape(self, cloud: str, count: int | None = None) -> NodeShape:
        """The node shape, with the node count overridden by `cluster.nodeCount` when set."""
        shape = self.nodes[cloud]
        return replace(shape, count=count) if count else shape

    def capacity(self, cloud: str, count: int | None = None) -> tuple[float, float]:
        """(CPU cores, memory GiB) allocatable across all nodes."""
        s = self.shape(cloud, count)
        return s.cpu * s.count, s.memory_gib * s.count


PRESETS: dict[str, SizePreset] = {
    # one node: a kind cluster on a workstation giving Docker 8 CPU / 16 GB, or one cloud VM of that size
    "local": SizePreset("local", 100, {
        "aws": NodeShape("t3.2xlarge", 1, 7.91, 29.0),
        "gcp": NodeShape("e2-standard-8", 1, 7.91, 28.9),
        "existing": NodeShape("kind-node", 1, 8.0, 15.5),
    }),
    "small": SizePreset("small", 100, {
        "aws": NodeShape("t3.xlarge", 3, 3.92, 14.0),
        "gcp": NodeShape("e2-standard-4", 3, 3.92, 13.9),
        "existing": NodeShape("node", 3, 3.92, 14.0),
    }),
    # the seed's recommendation for the full stack
    "standard": SizePreset("standard", 100, {
        "aws": NodeShape("t2.xlarge", 4, 3.92, 14.5),
        "gcp": NodeShape("e2-standard-8", 2, 7.91, 28.9),
        "existing": NodeShape("node", 4, 3.92, 14.5),
    }),
    "ha": SizePreset("ha", 100, {
        "aws": NodeShape("m6i.2xlarge", 6, 7.91, 29.0),
        "gcp": NodeShape("e2-standard-8", 6, 7.91, 28.9),
        "existing": NodeShape("node", 6, 7.91, 29.0),
    }),
}
