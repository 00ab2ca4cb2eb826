"""What the toolchain builds: each tool's Go module, version, main packages and version stamp.

Versions come from where the project pins them (the Kubernetes release from components.versions), never
typed here a second time. A recipe's digest covers everything that shapes its binaries, so the cache
rebuilds exactly when a pin or a recipe changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from components.versions import ETCD_VERSION, KUBERNETES_VERSION

GOMAIN = Path(__file__).parent / "gomain"


@dataclass(frozen=True)
class GoTool:
    """A set of binaries built from one upstream Go module by a build module of ours that requires it."""

    name: str
    module: str
    version: str
    # main packages, in `module` or (as "gomain/<binary>") a main of ours that calls the module's entry point
    packages: tuple[str, ...]
    binaries: tuple[str, ...]
    # binary -> (argv after it, text its output must contain): how a binary found on PATH is recognised
    version_probes: dict[str, tuple[tuple[str, ...], str]]
    ldflags: tuple[str, ...] = ()
    # the version given to modules that the upstream go.mod requires as v0.0.0 and replaces with a local
    # path (Kubernetes' staging repositories, published on their own as v0.<minor>.<patch>)
    staging_version: str | None = None

    @property
    def digest(self) -> str:
        recipe = asdict(self)
        recipe["gomain"] = {p: (GOMAIN / p.removeprefix("gomain/") / "main.go").read_text()
                            for p in self.packages if p.startswith("gomain/")}
        return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}-{self.digest}"


def _kubernetes() -> GoTool:
    major, minor, _patch = KUBERNETES_VERSION.split(".")
    stamp = "k8s.io/component-base/version"
    version = f"v{KUBERNETES_VERSION}"
    return GoTool(
        name="kubernetes", module="k8s.io/kubernetes", version=version,
        packages=("k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kube-controller-manager",
                  "k8s.io/kubernetes/cmd/kubectl"),
        binaries=("kube-apiserver", "kube-controller-manager", "kubectl"),
        version_probes={"kube-apiserver": (("--version",), f"Kubernetes {version}"),
                        "kube-controller-manager": (("--version",), f"Kubernetes {version}"),
                        "kubectl": (("version", "--client"), f"Client Version: {version}")},
        # what hack/lib/version.sh stamps into a release build; the apiserver's /version and kubectl's
        # client version read it
        ldflags=(f"-X {stamp}.gitVersion={version}", f"-X {stamp}.gitMajor={major}",
                 f"-X {stamp}.gitMinor={minor}", f"-X {stamp}.gitTreeState=clean",
                 f"-X k8s.io/client-go/pkg/version.gitVersion={version}"),
        staging_version=f"v0.{minor}.{_patch}",
    )


def _etcd() -> GoTool:
    return GoTool(
        name="etcd", module="go.etcd.io/etcd/server/v3", version=f"v{ETCD_VERSION}",
        packages=("gomain/etcd",), binaries=("etcd",),
        version_probes={"etcd": (("--version",), f"etcd Version: {ETCD_VERSION}")},
    )


def control_plane() -> list[GoTool]:
    """etcd, kube-apiserver, kube-controller-manager and kubectl at the pinned versions."""
    return [_etcd(), _kubernetes()]


def all_tools() -> list[GoTool]:
    return control_plane()
