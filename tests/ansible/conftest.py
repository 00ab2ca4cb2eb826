"""Running the real playbooks against the real control plane, with the prod platform applied first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from kubernetes import config

from harness.controlplane import ADMIN, STAND_IN_SECRET
from modelplane.cluster.apply import apply_objects, read_manifests

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / "ansible" / "playbooks"
TENANTS = Path(__file__).resolve().parent / "tenants"
BATCH_CREDENTIALS = {"tenant_onboard_batch_credentials": {"access_key_id": "batch-user",
                                                          "secret_access_key": "batch-secret-value"}}


@dataclass
class Run:
    rc: int
    output: str
    changed: int
    mutating: list[dict]
    dry_runs: list[dict]


@pytest.fixture(scope="module")
def platform(controlplane, rendered):
    """The prod stack's rendered platform (multi-tenant, Argo CD, MinIO) on the control plane."""
    objects = [o for o in read_manifests(rendered["prod"] / "manifests", fill_redacted=STAND_IN_SECRET)
               if o["kind"] != "SeldonDeployment"]
    report = apply_objects(controlplane.kubeconfig(ADMIN), objects)
    assert report.rejected == []
    return controlplane


@pytest.fixture(scope="module")
def api(platform):
    return config.new_client_from_config(str(platform.kubeconfig(ADMIN)))


@pytest.fixture(scope="module")
def extra_vars_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vars") / "batch.yml"
    path.write_text(yaml.safe_dump(BATCH_CREDENTIALS))
    return path


def playbook_command(plane, name: str, *args: str, extra: dict | None = None) -> tuple[list[str], dict]:
    """ansible-playbook exactly as DESIGN.md runs it, from the repo root, as the admin."""
    env = {**os.environ, "KUBECONFIG": str(plane.kubeconfig(ADMIN)), "ANSIBLE_CONFIG": "ansible/ansible.cfg",
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}
    env.pop("K8S_AUTH_KUBECONFIG", None)
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOKS / name), *args]
    for key, value in (extra or {}).items():
        argv += ["-e", f"{key}={value}"]
    return argv, env


def playbook(plane, name: str, *args: str, extra: dict | None = None) -> Run:
    """Run a playbook to its end; counts the admin's writes."""
    since = len(plane.audit_events())
    argv, env = playbook_command(plane, name, *args, extra=extra)
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    return finished(plane, proc.returncode, proc.stdout + proc.stderr, since)


def start_playbook(plane, name: str, *args: str, extra: dict | None = None) -> subprocess.Popen:
    argv, env = playbook_command(plane, name, *args, extra=extra)
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finished(plane, rc: int, output: str, since: int) -> Run:
    recap = re.search(r"localhost\s+:\s+ok=\d+\s+changed=(\d+)", output)
    return Run(rc, output, int(recap.group(1)) if recap else -1,
               plane.mutating_requests(ADMIN, since), plane.dry_runs(ADMIN, since))


def generated_tenants(prefix: str, count: int) -> dict:
    """`count` tenants of mixed shapes, as bench_onboard sizes them: every one with groups and a user, every
    second with a quota, every third on GitOps, every fifth globally visible."""
    rows = []
    for i in range(count):
        tenant = {"name": f"{prefix}-{i:04d}", "groups": {f"team-{i % 7}": "write", "auditors": "read"},
                  "users": {f"user-{i}": "read"}}
        if i % 2 == 0:
            tenant["quota"] = {"cpu": "8", "memory": "32Gi", "pods": 50}
        if i % 3 == 0:
            tenant["gitops"] = {"repo": "https://git.example.com/ml/gitops.git"}
        if i % 5 == 0:
            tenant["visibility"] = "global"
        rows.append(tenant)
    return {"tenants": rows}


def describe_requests(events: list[dict]) -> list[str]:
    return [f"{e['verb']} {e['requestURI']}" for e in events]
