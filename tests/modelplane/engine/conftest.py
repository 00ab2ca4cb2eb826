"""Stacks deployed by the real Pulumi engine (Automation API) onto the loopback control plane, each stack
in its existing-cluster form on a control plane of its own, deployed once per session and shared by the
tests that only read it."""

from __future__ import annotations

import contextlib
import copy
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from components.config import CHART_SOURCE_ENV
from harness.controlplane import ADMIN, ControlPlane
from modelplane.cluster.apply import apply_objects
from modelplane.cluster.crds import load_crds
from modelplane.commands.cli import main
from modelplane.engine.automation import EXAMPLE_PASSPHRASE, open_stack, scratch_project, stored_state
from modelplane.engine.render import render
from modelplane.plan.document import gitops_models
from tests.ansible.conftest import BATCH_CREDENTIALS, playbook
from tests.fakes.operators import StandInOperators
from tests.fakes.standin_charts import write_standin_charts
from tests.modelplane.drift.test_drift_on_controlplane import ARGOCD_TRACKING

# the engine counts no step for the default provider of dynamic resources
DEFAULT_DYNAMIC_PROVIDER = ":pulumi-python::default"


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class Deployment:
    stack: str
    plane: ControlPlane
    project: Path
    charts: Path
    env: dict[str, str]
    engine: auto.Stack
    plan: dict
    operators: StandInOperators
    preview: auto.PreviewResult | None = None
    platform_up: auto.UpResult | None = None
    up: auto.UpResult | None = None
    second_up: auto.UpResult | None = None
    events: list[auto.EngineEvent] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    @property
    def kubeconfig(self) -> Path:
        return self.plane.kubeconfig(ADMIN)

    def api(self) -> client.ApiClient:
        return config.new_client_from_config(str(self.kubeconfig))

    def render(self) -> dict:
        """`modelplane render` of the same project and chart source: the plan the engine is held to."""
        with environment(**{CHART_SOURCE_ENV: str(self.charts)}):
            return render(self.stack, root=self.project).plan

    def drift(self, *args: str) -> int:
        """`modelplane drift` of this stack's project, chart source and cluster."""
        with environment(**{CHART_SOURCE_ENV: str(self.charts)}):
            return main(["drift", "--stack", self.stack, "--root", str(self.project), "--kubeconfig",
                         str(self.kubeconfig), *args])

    def steps(self) -> int:
        """The resources in the state that the engine counts a step for."""
        return len([r for r in self.export()["resources"] if not r["urn"].endswith(DEFAULT_DYNAMIC_PROVIDER)])

    def close(self) -> None:
        self.operators.stop()
        self.plane.stop()

    def export(self) -> dict:
        """The state as the backend stores it (secrets as ciphertext)."""
        return stored_state(self.engine)


MODEL_TYPE = "modelplane:models:SeldonModel"


def platform_urns(plan: dict) -> list[str]:
    """Everything but the models: what exists before onboarding (the README's order, step 1)."""
    return [r["urn"] for r in plan["resources"] if MODEL_TYPE not in r["urn"].split("::")[2].split("$")]


def onboard(d: Deployment) -> None:
    """Step 2 of the README's order: the real onboarding playbook creates the tenant namespaces."""
    creds = d.project / "batch-credentials.yml"
    creds.write_text(yaml.safe_dump(BATCH_CREDENTIALS))
    run = playbook(d.plane, "onboard.yml", "-e", f"@{creds}",
                   extra={"tenants_file": d.project / "stacks" / "tenants" / f"{d.stack}.yaml"})
    assert run.rc == 0, run.output[-3000:]


def sync_gitops(d: Deployment) -> None:
    """Models of GitOps namespaces are Argo CD's to apply, and no Argo CD runs here: apply them as its sync
    would (with its tracking label), as tests/modelplane/drift does."""
    synced = []
    for model in gitops_models(d.plan):
        manifest = copy.deepcopy(model["manifest"])
        application = f"seldon-gitops-{manifest['metadata']['namespace']}"
        manifest["metadata"].setdefault("labels", {})[ARGOCD_TRACKING] = application
        synced.append(manifest)
    assert apply_objects(d.kubeconfig, synced).rejected == []


def engine_env(base: Path, **extra: str) -> dict[str, str]:
    """The engine's environment for tests: a file backend and Pulumi home under `base`, the example stacks'
    passphrase, no update check and no plugin download."""
    (base / "backend").mkdir(parents=True, exist_ok=True)
    return {"PULUMI_BACKEND_URL": f"file://{base / 'backend'}", "PULUMI_HOME": str(base / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": EXAMPLE_PASSPHRASE, "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # a policy pack runs on the first python on PATH, as with Pulumi's own language host
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", **extra}


def prepare(stack: str, base: Path, stacks: Path | None = None) -> Deployment:
    """A control plane of the stack's own, the stand-in charts and operators, the stack in its
    existing-cluster form and the plan: everything but the engine's runs."""
    plane = ControlPlane(base / "controlplane").start()
    try:
        load_crds(plane.kubeconfig(ADMIN))
        operators = StandInOperators(plane.kubeconfig(ADMIN))
        operators.start()
        charts = write_standin_charts(base / "charts")
        project = scratch_project(base / "project", kubeconfig=plane.kubeconfig(ADMIN), stacks=stacks)
        env = engine_env(base, **{CHART_SOURCE_ENV: str(charts)})
        deployment = Deployment(stack, plane, project, charts, env, open_stack(stack, project, env), {}, operators)
        deployment.plan = deployment.render()
        return deployment
    except BaseException:
        plane.stop()
        raise


def deploy(stack: str, base: Path) -> Deployment:
    deployment = prepare(stack, base)
    try:
        engine, output = deployment.engine, deployment.output.append
        deployment.preview = engine.preview(on_output=output)
        # the README's order: the platform, then onboarding, then the models by the next `pulumi up`
        deployment.platform_up = engine.up(on_output=output, target=platform_urns(deployment.plan),
                                           on_event=deployment.events.append)
        onboard(deployment)
        deployment.up = engine.up(on_output=output, on_event=deployment.events.append)
        deployment.second_up = engine.up(on_output=output)
        sync_gitops(deployment)
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
