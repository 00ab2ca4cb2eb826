"""The one add-on shape every add-on uses: config model and Helm-release component.

Config (in stack config under `addons.<name>`): enabled, chart, repository, version, namespace,
values. chart/repository/version default to the pins in `components.versions`; `values` is deep-merged
over the values modelplane derives from the rest of the platform, so an override wins but nothing
has to be typed twice.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from components.base import DnsLabel, Strict, deep_merge
from components.versions import CHARTS, ChartPin


class AddonConfig(Strict):
    enabled: bool = True
    chart: str | None = None
    repository: str | None = None
    version: str | None = Field(default=None, pattern=r"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$")
    namespace: DnsLabel | None = None
    # the version of the software an overridden chart version installs, where it differs from it
    app_version: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)

    def pin(self, key: str) -> ChartPin:
        base = CHARTS[key]
        if not self.version:
            return ChartPin(self.chart or base.chart, self.repository or base.repository, base.version,
                            base.app_version)
        app = self.app_version or (self.version if base.version.lstrip("v") == base.app_version else None)
        if app is None:
            raise ValueError(f"version {self.version!r} overrides chart {base.chart!r}, whose chart and app "
                             "versions differ: set appVersion too so compatibility can be checked")
        return ChartPin(self.chart or base.chart, self.repository or base.repository, self.version, app)


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
        self.release = k8s.helm.v3.Release(
            name,
            name=release_name or name,
            chart=pin.chart,
            version=pin.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=pin.repository),
            namespace=namespace,
            values=merged,
            create_namespace=False,
            # wait for the chart's Deployments/CRDs so dependents never race the install
            skip_await=False,
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on or []),
        )
        self.register_outputs({"status": self.release.status})
