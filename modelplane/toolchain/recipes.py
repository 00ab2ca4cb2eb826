"""What the toolchain builds: each tool's Go module, version, main packages and version stamp.

Versions come from where the project pins them (the Kubernetes release from components.versions, Pulumi and
its Kubernetes provider from the SDK pins in requirements.txt), never typed here a second time. A recipe's
digest covers everything that shapes its binaries, so the cache rebuilds exactly when a pin or a recipe
changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from components.names import REPO_ROOT
from components.versions import ETCD_VERSION, KUBERNETES_VERSION

GOMAIN = Path(__file__).parent / "gomain"
REQUIREMENTS = REPO_ROOT / "requirements.txt"

# pulumi-kubernetes' provider module has no version tags of its own: a release is addressed by its commit
KUBERNETES_PROVIDER_COMMITS = {"4.25.0": "v4.0.0-20260115033456-f47bc2d6f199"}


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
    # the published version of the sibling modules that the upstream go.mod requires and replaces with a
    # local path (Kubernetes' staging repositories, required as v0.0.0 and published as v0.<minor>.<patch>;
    # a provider's own SDK): what the release built from its own tree
    sibling_version: str | None = None
    # package directories of the upstream module copied into the build module and built from there: mains
    # that embed a file `go generate` makes from committed inputs, run in the copy with generate_env
    copied_mains: tuple[str, ...] = ()
    generate_env: dict[str, str] = field(default_factory=dict)
    # binary -> a file of the upstream module installed as it is (scripts that ship with an SDK)
    module_files: dict[str, str] = field(default_factory=dict)

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
        sibling_version=f"v0.{minor}.{_patch}",
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


class PinError(ValueError):
    pass


def pinned(package: str, requirements: Path = REQUIREMENTS) -> str:
    """The exact version `package==X` pins in requirements.txt."""
    for line in requirements.read_text().splitlines():
        if match := re.fullmatch(rf"{re.escape(package)}==([\w.]+)\s*(#.*)?", line.strip()):
            return match.group(1)
    raise PinError(f"{requirements.name} pins no exact version of {package} (expected `{package}==X.Y.Z`)")


def _pulumi_cli(version: str) -> GoTool:
    return GoTool(
        name="pulumi", module="github.com/pulumi/pulumi/pkg/v3", version=f"v{version}",
        packages=("github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",), binaries=("pulumi",),
        version_probes={"pulumi": (("version",), f"v{version}")},
        ldflags=(f"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v{version}",),
        sibling_version=f"v{version}",
    )


def _python_language_host(version: str) -> GoTool:
    """Our language host for Python: the upstream one (sdk/python/cmd/pulumi-language-python/v3) is not
    served by the module proxy. It runs programs and policy packs through the SDK's own exec shim."""
    return GoTool(
        name="pulumi-language-python", module="github.com/pulumi/pulumi/sdk/v3", version=f"v{version}",
        packages=("gomain/pulumi-language-python",),
        binaries=("pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-pulumi-python"),
        version_probes={},
        ldflags=(f"-X main.Version={version}",),
        module_files={"pulumi-language-python-exec": "python/cmd/pulumi-language-python-exec",
                      "pulumi-resource-pulumi-python": "python/dist/pulumi-resource-pulumi-python"},
    )


def _kubernetes_provider(version: str) -> GoTool:
    commit = KUBERNETES_PROVIDER_COMMITS.get(version)
    if commit is None:
        raise PinError(f"pulumi-kubernetes=={version}: no release commit recorded for it in "
                       "modelplane/toolchain/recipes.py KUBERNETES_PROVIDER_COMMITS")
    main = "cmd/pulumi-resource-kubernetes"
    return GoTool(
        name="pulumi-resource-kubernetes", module="github.com/pulumi/pulumi-kubernetes/provider/v4",
        version=commit, packages=(main,), binaries=("pulumi-resource-kubernetes",), version_probes={},
        ldflags=(f"-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version={version}",),
        sibling_version=f"v{version}", copied_mains=(main,), generate_env={"VERSION": version},
    )


def pulumi_tools(requirements: Path = REQUIREMENTS) -> list[GoTool]:
    """The Pulumi CLI, our Python language host and the Kubernetes provider, at the SDK pins."""
    sdk = pinned("pulumi", requirements)
    return [_pulumi_cli(sdk), _python_language_host(sdk),
            _kubernetes_provider(pinned("pulumi-kubernetes", requirements))]


def all_tools() -> list[GoTool]:
    return control_plane() + pulumi_tools()
