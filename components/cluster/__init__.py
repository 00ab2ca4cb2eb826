"""Clusters the platform installs into: each produces a pulumi_kubernetes.Provider."""

from __future__ import annotations

# EKS: the class the EKS component creates (gp3, encrypted, on the EBS CSI driver it installs); new EKS clusters
# mark no class default. GKE: the Persistent Disk CSI class every GKE cluster has.
EKS_STORAGE_CLASS = "gp3"
GKE_STORAGE_CLASS = "standard-rwo"


def storage_class(cluster) -> str | None:
    """The StorageClass the platform's volumes name: `cluster.storageClass`, else the cloud's (None on an
    existing cluster: its default class, e.g. kind's `standard`)."""
    if cluster.storage_class:
        return cluster.storage_class
    return {"aws": EKS_STORAGE_CLASS, "gcp": GKE_STORAGE_CLASS}.get(cluster.cloud)
