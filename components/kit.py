"""What every add-on component needs from the platform: its namespaces, secret source, the gateway, the
production flag — and the few Kubernetes objects they all create the same way (Secrets, routes)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.secret_source import SecretSource

PART_OF = {"app.kubernetes.io/part-of": "modelplane", "app.kubernetes.io/managed-by": "modelplane"}


@dataclass
class PlatformKit:
    namespaces: dict[str, k8s.core.v1.Namespace]
    secrets: SecretSource
    provider: k8s.Provider
    production: bool
    # `<namespace>/<name>` of the Istio Gateway routes attach to; None without Istio
    gateway_ref: str | None = None
    # the host browsers reach the platform at (the gateway's first TLS host); None without one
    public_host: str | None = None
    # the StorageClass every volume names (components.cluster.storage_class); None: the cluster's default
    storage_class: str | None = None
    # EKS/GKE: the cloud runs the control plane, whose components cannot be scraped
    managed_control_plane: bool = False
    # the cluster's cloud: aws, gcp or existing
    cloud: str | None = None
    # what a volume's owner waits for: the StorageClass (and its CSI driver) the cluster component installs
    volumes_ready: list[pulumi.Resource] = field(default_factory=list)

    def public_url(self, path: str) -> str | None:
        """`https://<public host><path>`; None without a public host."""
        return f"https://{self.public_host}{path}" if self.public_host else None

    def ns(self, name: str) -> pulumi.Output[str]:
        """The namespace's name as an output of its Namespace resource, so users of it wait for it."""
        return self.namespaces[name].metadata.name

    def secret(self, name: str, namespace: str, data: dict, parent: pulumi.Resource, *,
               type_: str = "Opaque", **opts) -> k8s.core.v1.Secret:
        return k8s.core.v1.Secret(
            f"{namespace}-{name}", metadata={"name": name, "namespace": self.ns(namespace), "labels": PART_OF},
            type=type_, string_data=data, opts=pulumi.ResourceOptions(parent=parent, provider=self.provider, **opts))

    def route(self, name: str, namespace: str, prefix: str, host: str, port: int, parent: pulumi.Resource,
              *, rewrite: bool = True, depends_on: list[pulumi.Resource] | None = None):
        """An Istio VirtualService on the seldon-gateway sending `prefix` to a Service (seed 003: /kibana/,
        /argocd/, /minio/); None when there is no gateway to attach to."""
        if not self.gateway_ref:
            return None
        http = {"match": [{"uri": {"prefix": prefix}}],
                "route": [{"destination": {"host": f"{host}.{namespace}.svc.cluster.local", "port": {"number": port}}}]}
        if rewrite:
            http["rewrite"] = {"uri": "/"}
        return k8s.apiextensions.CustomResource(
            f"{name}-route", api_version="networking.istio.io/v1", kind="VirtualService",
            metadata={"name": name, "namespace": self.ns(namespace), "labels": PART_OF},
            spec={"gateways": [self.gateway_ref], "hosts": ["*"], "http": [http]},
            opts=pulumi.ResourceOptions(parent=parent, provider=self.provider, depends_on=depends_on or []))
