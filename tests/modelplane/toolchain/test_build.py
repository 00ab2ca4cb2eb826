"""The toolchain's build module and cache, without running a Go build: the build itself is exercised by
`make toolchain`, which every control-plane test depends on."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from components import versions
from modelplane.toolchain import build
from modelplane.toolchain.recipes import (
    KUBERNETES_PROVIDER_COMMITS,
    GoTool,
    PinError,
    all_tools,
    control_plane,
    pinned,
    pulumi_tools,
)


def test_the_control_plane_is_built_at_the_one_kubernetes_version():
    etcd, kubernetes = control_plane()
    assert kubernetes.version == f"v{versions.KUBERNETES_VERSION}"
    assert kubernetes.sibling_version == "v0." + ".".join(versions.KUBERNETES_VERSION.split(".")[1:])
    assert f"-X k8s.io/component-base/version.gitVersion=v{versions.KUBERNETES_VERSION}" in kubernetes.ldflags
    assert set(kubernetes.binaries) == {"kube-apiserver", "kube-controller-manager", "kubectl"}
    assert etcd.version == f"v{versions.ETCD_VERSION}" and etcd.binaries == ("etcd",)


def test_a_pin_or_recipe_change_moves_the_cache_key():
    kubernetes = control_plane()[1]
    keys = {kubernetes.key, dataclasses.replace(kubernetes, version="v1.34.5").key,
            dataclasses.replace(kubernetes, ldflags=()).key}
    assert len(keys) == 3
    assert kubernetes.key == control_plane()[1].key


UPSTREAM = {
    "Go": "1.24.0",
    "Godebug": [{"Key": "default", "Value": "go1.24"}],
    "Require": [{"Path": "k8s.io/api", "Version": "v0.0.0"}, {"Path": "github.com/x/y", "Version": "v1.2.3"},
                {"Path": "k8s.io/kubectl", "Version": "v0.0.0"}],
    "Replace": [{"Old": {"Path": "k8s.io/api"}, "New": {"Path": "./staging/src/k8s.io/api"}},
                {"Old": {"Path": "k8s.io/kubectl"}, "New": {"Path": "./staging/src/k8s.io/kubectl"}},
                {"Old": {"Path": "github.com/x/y"}, "New": {"Path": "github.com/fork/y", "Version": "v1.2.4"}},
                {"Old": {"Path": "example.com/forbidden"}, "New": {"Path": "./FORBIDDEN_DEPENDENCY"}}],
}


def test_the_build_module_publishes_local_siblings_and_keeps_go_godebug_and_other_replacements():
    kubernetes = control_plane()[1]
    edits = build._edits(kubernetes, UPSTREAM)
    staging = kubernetes.sibling_version
    assert edits == [f"-require=k8s.io/kubernetes@{kubernetes.version}", "-go=1.24.0", "-godebug=default=go1.24",
                     f"-replace=k8s.io/api=k8s.io/api@{staging}", f"-replace=k8s.io/kubectl=k8s.io/kubectl@{staging}",
                     "-replace=github.com/x/y=github.com/fork/y@v1.2.4"]


def test_pulumi_and_its_kubernetes_provider_are_built_at_the_sdk_pins(tmp_path):
    cli, host, provider = pulumi_tools()
    assert cli.version == f"v{pinned('pulumi')}" and cli.sibling_version == cli.version
    assert cli.version_probes["pulumi"] == (("version",), cli.version)
    assert host.version == cli.version and set(host.module_files) <= set(host.binaries)
    assert provider.sibling_version == f"v{pinned('pulumi-kubernetes')}"
    assert provider.version == KUBERNETES_PROVIDER_COMMITS[pinned("pulumi-kubernetes")]
    assert provider.generate_env == {"VERSION": pinned("pulumi-kubernetes")}
    unknown = tmp_path / "requirements.txt"
    unknown.write_text("pulumi==3.260.0\npulumi-kubernetes==9.9.9\n")
    with pytest.raises(PinError, match=r"pulumi-kubernetes==9\.9\.9: no release commit recorded"):
        pulumi_tools(unknown)
    unknown.write_text("pulumi>=3\n")
    with pytest.raises(PinError, match="pins no exact version of pulumi"):
        pulumi_tools(unknown)


def test_a_tool_whose_binaries_cannot_say_their_version_is_never_taken_from_path(scratch_cache, monkeypatch):
    provider = pulumi_tools()[2]
    _on_path_elsewhere(scratch_cache, monkeypatch, "pulumi-resource-kubernetes", "anything")
    assert build._on_path(provider) is None
    assert build.missing([provider]) == ["pulumi-resource-kubernetes"]


def test_a_placeholder_without_a_published_version_is_refused_by_name():
    etcd = control_plane()[0]
    with pytest.raises(build.ToolchainError, match="k8s.io/api is required at v0.0.0"):
        build._edits(etcd, UPSTREAM)


def _fake_binary(where: Path, name: str, prints: str) -> Path:
    path = where / name
    path.write_text(f"#!/bin/sh\necho '{prints}'\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _on_path_elsewhere(scratch_cache: Path, monkeypatch, name: str, prints: str) -> Path:
    """A fake `name` in a directory put first on PATH, outside the toolchain's cache."""
    elsewhere = scratch_cache / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("PATH", f"{elsewhere}{os.pathsep}{os.environ['PATH']}")
    return _fake_binary(elsewhere, name, prints)


@pytest.fixture
def scratch_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "CACHE", tmp_path / "cache")
    return tmp_path


def test_a_tool_on_path_at_the_pin_is_linked_not_built(scratch_cache, monkeypatch):
    etcd = control_plane()[0]
    binary = _on_path_elsewhere(scratch_cache, monkeypatch, "etcd", f"etcd Version: {versions.ETCD_VERSION}")
    monkeypatch.setattr(build, "_build", lambda *_: pytest.fail("built although PATH had it at the pin"))
    said = []
    assert build.ensure(etcd, said.append) == build.bin_dir()
    assert (build.bin_dir() / "etcd").resolve() == binary
    assert "found on PATH" in said[0]
    assert build.missing([etcd]) == []


def test_a_tool_on_path_at_another_version_is_not_used(scratch_cache, monkeypatch):
    etcd = control_plane()[0]
    _on_path_elsewhere(scratch_cache, monkeypatch, "etcd", "etcd Version: 3.4.30")
    builds = []

    def fake_build(tool: GoTool, target: Path) -> float:
        target.mkdir(parents=True)
        _fake_binary(target, "etcd", f"etcd Version: {versions.ETCD_VERSION}")
        builds.append(tool.key)
        return 1.0

    monkeypatch.setattr(build, "_build", fake_build)
    assert build.missing([etcd]) == ["etcd"]
    build.ensure(etcd, lambda _: None)
    assert builds == [etcd.key]
    assert build.missing([etcd]) == []
    build.ensure(etcd, lambda _: None)
    assert builds == [etcd.key], "a warm cache is reused without a build"


def test_every_tool_of_make_toolchain_is_on_its_path():
    """`make test` runs `make toolchain` first: every binary is there at its pin."""
    assert build.missing(all_tools()) == []
