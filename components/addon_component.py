"""The Pulumi component beside components.addon, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

from contextvars import ContextVar

import pulumi
import pulumi_kubernetes as k8s

from components.chart_crds import crds_in_archive
from components.dicts import deep_merge
from components.names import chart_archive
from components.versions import ChartPin

# the chart source directory of the platform being declared (components.platform.Platform sets it for the
# add-ons it builds): releases install `<dir>/<chart>-<version>.tgz` instead of pulling from a repository
CHART_SOURCE: ContextVar[str | None] = ContextVar("chart_source", default=None)


class HelmAddon(pulumi.ComponentResource):
    """A pinned Helm release of one add-on chart, in its namespace, with derived + override values."""

    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        *,
        pin: ChartPin,
        namespace: pulumi.Input[str],
        values: pulumi.Input[dict] | None = None,
        overrides: dict | None = None,
        release_name: str | None = None,
        depends_on: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("modelplane:addons:HelmAddon", name, None, opts)
        # a plain dict keeps nested Outputs in place, so a secret leaf (a client secret) is the only value
        # the engine hides; an Output of the whole dict would make every value secret
        if isinstance(values, dict) or values is None:
            merged = deep_merge(values or {}, overrides or {})
        else:
            merged = pulumi.Output.from_input(values).apply(lambda v: deep_merge(v, overrides or {}))
        source = CHART_SOURCE.get()
        archive = chart_archive(source, pin.chart, pin.version) if source else None
        self.crds = [
            k8s.apiextensions.v1.CustomResourceDefinition(
                f"{name}-{crd['metadata']['name']}", metadata=crd["metadata"], spec=crd["spec"],
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True))
            for crd in (crds_in_archive(archive) if archive else [])
        ]
        self.release = k8s.helm.v3.Release(
            name,
            name=release_name or name,
            chart=archive or pin.chart,
            version=pin.version,
            repository_opts=None if source else k8s.helm.v3.RepositoryOptsArgs(repo=pin.repository),
            namespace=namespace,
            values=merged,
            create_namespace=False,
            # the crds/ folders are applied above, first, on every upgrade (Helm would skip them)
            skip_crds=bool(self.crds),
            # wait for the chart's Deployments/CRDs so dependents never race the install
            skip_await=False,
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            # what the component waits for, the release waits for: a component's depends_on does not reach
            # the children its constructor registers, and the release's pods mount those Secrets
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*(depends_on or []), *_depends_on(opts), *self.crds]),
        )
        self.register_outputs({"status": self.release.status})


def _depends_on(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    given = opts.depends_on if opts else None
    if given is None:
        return []
    return list(given) if isinstance(given, list | tuple) else [given]
