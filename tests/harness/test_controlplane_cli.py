"""`make controlplane-up` / `controlplane-down` (python -m harness.controlplane) as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.controlplane


def _run(state: Path, command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.controlplane", command], cwd=REPO, text=True,
                          capture_output=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                               "MODELPLANE_CONTROLPLANE_STATE": str(state)})


def test_up_writes_every_kubeconfig_it_lists_and_down_stops_every_process(tmp_path):
    """Issue 30, item 8: up listed users whose kubeconfigs it had not written; down said "stopped" while
    kube-apiserver still ran."""
    state = tmp_path / "controlplane.json"
    up = _run(state, "up")
    assert up.returncode == 0, up.stderr
    listed = [line.split(": ", 1) for line in up.stdout.splitlines() if line.startswith("  ")]
    assert [who.split()[0] for who, _ in listed] == ["admin", "alice", "bob", "carol"]
    for _who, path in listed:
        assert yaml.safe_load(Path(path).read_text())["users"][0]["user"]["token"]
    pids = yaml.safe_load(state.read_text())["pids"]
    down = _run(state, "down")
    assert down.returncode == 0 and "have exited" in down.stdout
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} still runs after down"
    assert not state.exists()
