"""ansible-lint's production profile over the roles, playbooks and collection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.ansible.conftest import REPO


def test_ansible_lint_production_profile_is_clean():
    lint = Path(sys.executable).parent / "ansible-lint"
    proc = subprocess.run([str(lint), "--nocolor", "ansible/"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "ANSIBLE_CONFIG": "ansible/ansible.cfg"}, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Profile 'production' was required, and it passed" in proc.stdout + proc.stderr
