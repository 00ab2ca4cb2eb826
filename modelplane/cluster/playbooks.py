"""The repository's Ansible playbooks, run as DESIGN.md runs them: from the checkout, with its ansible.cfg, on
the cluster of one kubeconfig."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from components.names import REPO_ROOT


def run_playbook(playbook: str, extra_vars: list[str], kubeconfig: Path | None,
                 say: Callable[[str], None] = print, timeout: float = 900) -> None:
    """`ansible-playbook ansible/playbooks/<playbook> -e VAR ...`; its output goes to `say`; RuntimeError when
    it fails."""
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), f"ansible/playbooks/{playbook}"]
    for var in extra_vars:
        argv += ["-e", var]
    env = {**os.environ, "ANSIBLE_CONFIG": "ansible/ansible.cfg", "ANSIBLE_NOCOLOR": "1"}
    if kubeconfig:
        env["KUBECONFIG"] = str(kubeconfig)
        env.pop("K8S_AUTH_KUBECONFIG", None)
    run = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    for line in (run.stdout + run.stderr).splitlines():
        say(line)
    if run.returncode != 0:
        raise RuntimeError(f"{playbook} failed (exit {run.returncode}); its output is above")
