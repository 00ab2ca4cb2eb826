"""A playbook run without the variable it needs says how to call it, before anything touches a cluster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ansible.conftest import PLAYBOOKS, REPO


@pytest.mark.parametrize(("playbook", "call"), [
    ("onboard.yml", "ansible-playbook ansible/playbooks/onboard.yml -e tenants_file=stacks/tenants/<env>.yaml"),
    ("offboard.yml", "ansible-playbook ansible/playbooks/offboard.yml -e tenant=NAME"),
])
def test_a_missing_required_variable_names_the_call(playbook, call, tmp_path):
    """Issue 30, item 8: it failed with `'tenants_file' is undefined`. No kubeconfig is given: the assert
    runs first, so no cluster is asked."""
    env = {**os.environ, "ANSIBLE_CONFIG": "ansible/ansible.cfg", "ANSIBLE_NOCOLOR": "1",
           "KUBECONFIG": str(tmp_path / "none")}
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOKS / playbook)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert call in out and "is undefined" not in out
    assert "ok=0" in out and "failed=1" in out


@pytest.mark.controlplane
def test_onboarding_before_the_platform_says_the_platform_is_missing_not_the_file(tmp_path):
    """Issue 30, item 4: the playbook stopped with the platform facts ConfigMap not found under the heading
    `stacks/tenants/dev.yaml: invalid`, although the file was valid."""
    from harness.controlplane import ADMIN, ControlPlane

    plane = ControlPlane(tmp_path / "empty").start()
    try:
        env = {**os.environ, "ANSIBLE_CONFIG": "ansible/ansible.cfg", "ANSIBLE_NOCOLOR": "1",
               "KUBECONFIG": str(plane.kubeconfig(ADMIN))}
        env.pop("K8S_AUTH_KUBECONFIG", None)
        proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOKS / "onboard.yml"),
                               "-e", "tenants_file=stacks/tenants/dev.yaml"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=300)
    finally:
        plane.stop()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert f"the platform is not installed in the cluster at {plane.server}" in out
    assert "stacks/tenants/dev.yaml itself is valid" in out and "invalid" not in out
