"""Stacks deployed by the real Pulumi engine (Automation API) onto the loopback control plane, each stack
in its existing-cluster form on a control plane of its own, through the same rehearsal that
`make up CLUSTER=controlplane` runs (harness/rehearsal.py); deployed once per session and shared by the
tests that only read it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from harness.controlplane import ADMIN, ControlPlane
from harness.rehearsal import Rehearsal
from modelplane.cluster.crds import load_crds
from modelplane.engine.automation import EXAMPLE_PASSPHRASE

# the engine counts no step for the default provider of dynamic resources
DEFAULT_DYNAMIC_PROVIDER = ":pulumi-python::default"


@dataclass
class Deployment(Rehearsal):
    plane: ControlPlane | None = None
    second_up: auto.UpResult | None = None

    def steps(self) -> int:
        """The resources in the state that the engine counts a step for."""
        return len([r for r in self.export()["resources"] if not r["urn"].endswith(DEFAULT_DYNAMIC_PROVIDER)])

    def close(self) -> None:
        super().close()
        self.plane.stop()


def prepare(stack: str, base: Path, stacks: Path | None = None) -> Deployment:
    """A control plane of the stack's own with the upstream CRDs, then the rehearsal opened on it:
    everything but the engine's runs."""
    plane = ControlPlane(base / "controlplane").start()
    try:
        load_crds(plane.kubeconfig(ADMIN))
        deployment = Deployment.open(stack, base, plane.kubeconfig(ADMIN), stacks=stacks,
                                     passphrase=EXAMPLE_PASSPHRASE)
        deployment.plane = plane
        return deployment
    except BaseException:
        plane.stop()
        raise


def deploy(stack: str, base: Path) -> Deployment:
    deployment = prepare(stack, base)
    try:
        deployment.run()
        deployment.second_up = deployment.engine.up(on_output=deployment.say)
        return deployment
    except BaseException:
        deployment.close()
        raise


@pytest.fixture(scope="session")
def deployed(tmp_path_factory):
    """deployed(stack): the stack after preview, up and a second up (deployed on first use)."""
    done: dict[str, Deployment] = {}

    def get(stack: str) -> Deployment:
        if stack not in done:
            done[stack] = deploy(stack, tmp_path_factory.mktemp(f"engine-{stack}"))
        return done[stack]

    yield get
    for deployment in done.values():
        deployment.close()


def committed_config(stack: str) -> dict:
    from tests.conftest import REPO

    return yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
