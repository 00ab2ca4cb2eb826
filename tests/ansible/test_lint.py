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


MODULES = REPO / "ansible" / "collections" / "ansible_collections" / "modelplane" / "platform" / "plugins" / "modules"


def test_ansible_doc_parses_every_module_of_the_collection():
    """Issue 30, item 8: `make lint` passed while ansible-doc could not parse license_check's documentation."""
    doc = Path(sys.executable).parent / "ansible-doc"
    names = sorted(f"modelplane.platform.{p.stem}" for p in MODULES.glob("*.py"))
    proc = subprocess.run([str(doc), "--json", *names], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "ANSIBLE_CONFIG": "ansible/ansible.cfg"}, timeout=300)
    assert proc.returncode == 0 and "ERROR" not in proc.stderr, proc.stderr
    assert len(names) == 6 and all(f'"{name}"' in proc.stdout for name in names)
