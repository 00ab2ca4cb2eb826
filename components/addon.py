"""The one add-on shape every add-on uses: config model and Helm-release component.

Config (in stack config under `addons.<name>`): enabled, chart, repository, version, namespace,
values. chart/repository/version default to the pins in `components.versions`; `values` is deep-merged
over the values modelplane derives from the rest of the platform, so an override wins but nothing
has to be typed twice.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from components.base import DnsLabel, Strict
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
