"""`pulumi preview` and `pulumi up` of every committed stack, for real: the Pulumi CLI and the Kubernetes
provider built from their Go modules (make toolchain), driven through the Automation API, against the
1.34 control plane. Each stack runs in its existing-cluster form (its cluster pointed at the control
plane's kubeconfig, everything else as committed), with stand-in charts (tests/fakes/standin_charts.py)
from a chart source directory, and with the operators' status set by tests/fakes/operators.py."""

from __future__ import annotations

import copy

import pytest
from kubernetes import client

from components.names import REDACTED, chart_name
from components.timestamp import PLANNED
from modelplane.cluster.apply import apply_objects
from modelplane.commands.cli import main
from modelplane.engine.statediff import compare
from modelplane.plan.document import HELM_RELEASE, gitops_models
from tests.conftest import STACKS
from tests.fakes.standin_charts import RECORD_SUFFIX, chart_defaults, helm_coalesce, recorded_values
from tests.modelplane.drift.test_drift_on_controlplane import ARGOCD_TRACKING
from tests.modelplane.engine.conftest import CHART_SOURCE, environment, platform_urns

pytestmark = [pytest.mark.controlplane, pytest.mark.engine]


@pytest.mark.parametrize("stack", STACKS)
def test_preview_then_up_complete_and_a_second_up_changes_nothing(deployed, stack):
    d = deployed(stack)
    # the engine counts no step for the default provider of dynamic resources
    count = len([r for r in d.export()["resources"] if not r["urn"].endswith(":pulumi-python::default")])
    models = len(d.plan["resources"]) - len(platform_urns(d.plan))
    assert d.preview.change_summary == {"create": count}
    assert d.platform_up.summary.resource_changes["create"] == count - models
    assert d.up.summary.result == "succeeded"
    assert d.up.summary.resource_changes == {"create": models, "same": count - models}
    assert d.second_up.summary.resource_changes == {"same": count}


@pytest.mark.parametrize("stack", STACKS)
def test_the_offline_plan_equals_what_the_engine_did(deployed, stack):
    """plan.json's resources (type, parent, provider, options, dependencies, inputs: for Kubernetes objects
    the manifest) against `pulumi stack export`, secrets redacted on both sides. What the comparison sets
    aside is printed by reason; every other difference fails the test, named."""
    d = deployed(stack)
    result = compare(d.plan, d.export())
    for reason, what in sorted(result.set_aside.items()):
        print(f"[{stack}] set aside, {reason}: {len(what)}")
    assert result.compared == len(d.plan["resources"])
    assert [str(x) for x in result.differences] == []


def _values_match(planned: object, recorded: object) -> bool:
    """Helm got exactly the plan's values; a redacted secret or a value known only at `up` stands for any
    non-empty string."""
    if planned in (REDACTED, PLANNED):
        return isinstance(recorded, str) and recorded != ""
    if isinstance(planned, dict) and isinstance(recorded, dict):
        return planned.keys() == recorded.keys() and all(_values_match(planned[k], recorded[k]) for k in planned)
    if isinstance(planned, list) and isinstance(recorded, list):
        return len(planned) == len(recorded) and all(map(_values_match, planned, recorded))
    return planned == recorded


def _releases(plan: dict) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == HELM_RELEASE]


@pytest.mark.parametrize("stack", STACKS)
def test_every_release_was_installed_by_helm_with_exactly_the_plans_values(deployed, stack):
    d = deployed(stack)
    core = client.CoreV1Api(d.api())
    wrong = {}
    for release in _releases(d.plan):
        inputs = release["inputs"]
        record = core.read_namespaced_config_map(inputs["name"] + RECORD_SUFFIX, inputs["namespace"]).to_dict()
        values = recorded_values(record)
        expected = helm_coalesce(chart_defaults(chart_name(inputs), inputs["version"]), inputs["values"])
        if not _values_match(expected, values):
            wrong[inputs["name"]] = {key: {"plan": expected.get(key), "helm": values.get(key)}
                                     for key in expected.keys() | values.keys() if expected.get(key) != values.get(key)}
        helm = core.list_namespaced_secret(inputs["namespace"], label_selector=f"owner=helm,name={inputs['name']}")
        assert [(s.metadata.labels["status"], s.type) for s in helm.items] == [("deployed", "helm.sh/release.v1")]
    assert wrong == {}


@pytest.mark.parametrize("stack", STACKS)
def test_the_engine_created_everything_in_the_plans_order(deployed, stack):
    """Each resource started only after every custom resource the plan says it depends on was done."""
    d = deployed(stack)
    started, done = {}, {}
    for position, event in enumerate(d.events):  # both `up`s, in the order the engine reported them
        if event.resource_pre_event:
            started.setdefault(event.resource_pre_event.metadata.urn, position)
        if event.res_outputs_event:
            done.setdefault(event.res_outputs_event.metadata.urn, position)
    custom = {r["urn"] for r in d.plan["resources"] if r.get("custom")}
    early = [(r["name"], dep.rsplit("::", 1)[-1]) for r in d.plan["resources"] if r.get("custom")
             for dep in r.get("dependsOn") or [] if dep in custom and not done[dep] < started[r["urn"]]]
    assert early == []
    releases = sorted(_releases(d.plan), key=lambda r: started[r["urn"]])
    print(f"[{stack}] Helm releases in the order the engine installed them:",
          ", ".join(r["name"] for r in releases))


@pytest.mark.parametrize("stack", STACKS)
def test_drift_finds_nothing_right_after_up_and_onboarding(deployed, stack, capsys):
    """Models of GitOps namespaces are Argo CD's to apply, and no Argo CD runs here: they are applied as its
    sync would (with its tracking label), as tests/modelplane/drift does."""
    d = deployed(stack)
    synced = []
    for model in gitops_models(d.plan):
        manifest = copy.deepcopy(model["manifest"])
        application = f"seldon-gitops-{manifest['metadata']['namespace']}"
        manifest["metadata"].setdefault("labels", {})[ARGOCD_TRACKING] = application
        synced.append(manifest)
    assert apply_objects(d.kubeconfig, synced).rejected == []
    with environment(**{CHART_SOURCE: str(d.charts)}):
        code = main(["drift", "--stack", stack, "--root", str(d.project), "--kubeconfig", str(d.kubeconfig)])
    assert code == 0, capsys.readouterr().out
