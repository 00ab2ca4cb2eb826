"""`make up STACK=S CLUSTER=controlplane` after `make controlplane-up`: the README's newcomer steps, typed
as a newcomer types them (harness/rehearsal.py; the engine tests run the same rehearsal per stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi import automation as auto

from harness.controlplane import ADMIN, MUTATING_VERBS
from harness.rehearsal import engine_env
from modelplane.engine.automation import EXAMPLE_PASSPHRASE

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.controlplane, pytest.mark.engine]


def make(state: Path, *targets: str) -> subprocess.CompletedProcess:
    """make, with this interpreter's virtualenv taken as installed (never rebuilt by the test)."""
    venv = Path(sys.prefix)
    env = {**os.environ, "MODELPLANE_CONTROLPLANE_STATE": str(state)}
    env.pop("PULUMI_CONFIG_PASSPHRASE", None)
    return subprocess.run(["make", "--no-print-directory", f"VENV={venv}", "-o", f"{venv}/.installed", *targets],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


def writes(workdir: Path) -> int:
    """The admin's mutating requests in the control plane's audit log so far (what `make up` sends as; the
    controller-manager writes on its own, under its own name)."""
    events = [json.loads(line) for line in (workdir / "audit.log").read_text().splitlines() if line.endswith("}")]
    return sum(1 for e in events if e.get("verb") in MUTATING_VERBS and e.get("user", {}).get("username") == ADMIN
               and e.get("stage") == "ResponseComplete")


def test_without_a_control_plane_it_says_what_to_run(tmp_path):
    run = make(tmp_path / "controlplane.json", "up", "STACK=local", "CLUSTER=controlplane")
    assert run.returncode != 0
    assert "no control plane is up: run `make controlplane-up` first" in run.stderr


def test_the_newcomer_steps_bring_a_stack_up_and_a_second_run_changes_nothing(tmp_path):
    state = tmp_path / "controlplane.json"
    assert make(state, "controlplane-up").returncode == 0
    workdir = Path(json.loads(state.read_text())["workdir"])
    try:
        before = writes(workdir)
        invalid = make(state, "up", "STACK=nope", "CLUSTER=controlplane")
        assert invalid.returncode != 0 and "Pulumi.nope.yaml does not exist" in invalid.stderr
        assert writes(workdir) == before, "an invalid stack reached the cluster"

        first = make(state, "up", "STACK=local", "CLUSTER=controlplane")
        assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
        assert "modelplane drift: exit 0 (no drift)" in first.stdout
        again = make(state, "up", "STACK=local", "CLUSTER=controlplane")
        assert again.returncode == 0, (again.stdout + again.stderr)[-4000:]

        # the engine's own record of the second run, read from the rehearsal's backend
        base = workdir / "stacks" / "local"
        engine = auto.select_stack("local", work_dir=str(base / "project"), opts=auto.LocalWorkspaceOptions(
            env_vars=engine_env(base, EXAMPLE_PASSPHRASE)))
        updates = [u for u in engine.history() if u.kind == "update"]
        assert len(updates) == 4  # two runs, each `up --target <the platform>` then `up`
        assert set(updates[0].resource_changes) == {"same"} and set(updates[1].resource_changes) == {"same"}

        before = writes(workdir)
        other = make(state, "up", "STACK=dev", "CLUSTER=controlplane")
        assert other.returncode != 0 and "holds stack local already" in other.stderr
        assert writes(workdir) == before, "a second stack reached the cluster"

        # make down keeps the data and says how to delete it; make up brings the rest back around it
        torn = make(state, "down", "STACK=local", "CLUSTER=controlplane")
        assert torn.returncode == 0, (torn.stdout + torn.stderr)[-4000:]
        assert "local is down" in torn.stdout and "postgresql metadata-postgresql: data" in torn.stdout
        assert "make down STACK=local PURGE=1 CONFIRM=local" in torn.stdout
        before = writes(workdir)
        unconfirmed = make(state, "down", "STACK=local", "CLUSTER=controlplane", "PURGE=1")
        assert unconfirmed.returncode != 0 and "add --confirm local" in unconfirmed.stderr
        assert writes(workdir) == before, "an unconfirmed purge reached the cluster"
        back = make(state, "up", "STACK=local", "CLUSTER=controlplane")
        assert back.returncode == 0 and "modelplane drift: exit 0 (no drift)" in back.stdout
    finally:
        down = make(state, "controlplane-down")
    assert down.returncode == 0 and not workdir.exists()
