"""Clusters the platform installs into: each produces a pulumi_kubernetes.Provider."""
