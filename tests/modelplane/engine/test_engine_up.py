"""`pulumi preview` and `pulumi up` of every committed stack, for real: the Pulumi CLI and the Kubernetes
provider built from their Go modules (make toolchain), driven through the Automation API, against the
1.34 control plane. Each stack runs in its existing-cluster form (its cluster pointed at the control
plane's kubeconfig, everything else as committed), with stand-in charts (harness/standin_charts.py)
from a chart source directory, and with the operators' status set by harness/operators.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from kubernetes import client
from pulumi import automation as auto

from components.addons.logging import SECURITY_APPLY_JOB, SECURITY_DIGEST, LoggingConfig
from components.generated_certificate import TYPE as GENERATED_CERTIFICATE
from components.names import REDACTED, chart_name
from components.timestamp import PLANNED
from harness.rehearsal import engine_env, platform_urns
from harness.standin_charts import RECORD_SUFFIX, chart_defaults, helm_coalesce, recorded_values
from modelplane.cluster.provided import tls_secret_problems
from modelplane.engine.automation import EXAMPLE_PASSPHRASE, open_stack, scratch_project
from modelplane.engine.statediff import compare, matches
from modelplane.plan.document import HELM_RELEASE
from tests.conftest import STACKS
from tests.modelplane.engine.conftest import committed_config

pytestmark = [pytest.mark.controlplane, pytest.mark.engine]


@pytest.mark.parametrize("stack", STACKS)
def test_preview_then_up_complete_and_a_second_up_changes_nothing(deployed, stack):
    d = deployed(stack)
    count = d.steps()
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
        if not matches(expected, values, placeholders=(REDACTED, PLANNED)):
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


def test_prod_issues_the_search_certificate_before_the_releases_that_mount_it(deployed):
    """Issue 29, item 1: the Secret every search node and Dashboards mounts exists before their releases (the
    state's dependencies say so), and it is right: preflight's own checks of a provided one pass on it."""
    d = deployed("prod")
    state = {r["urn"]: r for r in d.export()["resources"]}
    [secret] = [u for u, r in state.items() if r["type"] == "kubernetes:core/v1:Secret"
                and r["outputs"]["metadata"]["name"] == "opensearch-tls"]
    [issued] = [u for u, r in state.items() if r["type"] == GENERATED_CERTIFICATE]
    assert issued in state[secret]["dependencies"]
    for release in ("logging-opensearch", "opensearch-dashboards"):
        [urn] = [u for u, r in state.items() if r["type"] == HELM_RELEASE and u.endswith(f"::{release}")]
        assert secret in state[urn]["dependencies"], release
    data = client.CoreV1Api(d.api()).read_namespaced_secret("opensearch-tls", "seldon-logs").data
    logging = LoggingConfig.model_validate(committed_config("prod")["modelplane:addons"]["logging"])
    assert tls_secret_problems(data, logging) == []


@pytest.mark.parametrize("stack", STACKS)
def test_drift_finds_nothing_right_after_up_and_onboarding(deployed, stack, capsys):
    """Models of GitOps namespaces are synced as Argo CD would (Rehearsal.sync_gitops)."""
    code = deployed(stack).drift()
    assert code == 0, capsys.readouterr().out


SECRET_KEYS = re.compile(r"password|token|secret|key|credential", re.IGNORECASE)


def secret_values(d) -> set[str]:
    """Every secret the stack holds: its config secrets as the engine decrypts them, and the values of the
    Secrets it created (generated passwords included), read back from the cluster. A literal the stack file
    itself holds in plaintext (local/dev only: MinIO's minioadmin in local) is no secret the engine can keep."""
    config = d.engine.get_all_config()
    values = {c.value for c in config.values() if c.secret}
    literal = "\n".join(c.value for c in config.values() if not c.secret)
    core = client.CoreV1Api(d.api())
    ours = {(r["inputs"]["metadata"]["namespace"], r["inputs"]["metadata"]["name"])
            for r in d.plan["resources"] if r["type"] == "kubernetes:core/v1:Secret"}
    for namespace, name in ours:
        for key, value in (core.read_namespaced_secret(name, namespace).data or {}).items():
            if SECRET_KEYS.search(key):
                values.add(base64.b64decode(value).decode())
    return {v for v in values if len(v) >= 8 and v not in literal}


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_in_plaintext_in_the_state_or_the_engines_output(deployed, stack):
    d = deployed(stack)
    secrets = secret_values(d)
    assert secrets, "the search must have something to look for"
    state = json.dumps(d.export())
    output = "".join(d.output)
    forms = {s: (s, base64.b64encode(s.encode()).decode()) for s in secrets}
    leaked = sorted(f"{where}: {secret[:3]}…" for secret, shapes in forms.items() for shape in shapes
                    for where, text in (("state", state), ("output", output)) if shape in text)
    print(f"[{stack}] searched state and output for {len(secrets)} secret values")
    assert leaked == []


def test_every_committed_secret_opens_through_the_engine(tmp_path):
    """The committed `secure:` values are ciphertext of the example passphrase: the engine decrypts each."""
    project = scratch_project(tmp_path / "project")
    env = engine_env(tmp_path, EXAMPLE_PASSPHRASE)
    opened = {}
    for stack in STACKS:
        secure = {f"modelplane:{k.split(':', 1)[1]}" for k, v in committed_config(stack).items()
                  if isinstance(v, dict) and set(v) == {"secure"}}
        config = open_stack(stack, project, env).get_all_config()
        assert {k for k, v in config.items() if v.secret} == secure
        opened[stack] = {k: config[k].value for k in secure}
        assert all(value and not value.startswith("v1:") for value in opened[stack].values())
    assert sum(len(v) for v in opened.values()) == 8


def test_refresh_reports_exactly_the_hand_changes_and_up_restores_them(deployed, capsys):
    """Three hand changes on prod: a label Pulumi set on its Namespace, a key of its ConfigMap, and a
    ClusterRole deleted (no stack has a RoleBinding of Pulumi's: tenants' are Ansible's). Drift names the
    three; `pulumi refresh` reports exactly those; the next `up` restores them."""
    d = deployed("prod")
    api = d.api()
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    role_resource = next(r for r in d.plan["resources"]
                         if r["type"] == "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
    facts_resource = next(r for r in d.plan["resources"] if r["type"].endswith(":ConfigMap"))
    role, facts = role_resource["inputs"]["metadata"]["name"], facts_resource["inputs"]["metadata"]
    core.patch_namespace("seldon-system", {"metadata": {"labels": {"app.kubernetes.io/part-of": "by-hand"}}})
    key = sorted(core.read_namespaced_config_map(facts["name"], facts["namespace"]).data)[0]
    core.patch_namespaced_config_map(facts["name"], facts["namespace"], {"data": {key: "changed by hand"}})
    rbac.delete_cluster_role(role)
    changed = {"Namespace -/seldon-system", f"ConfigMap {facts['namespace']}/{facts['name']}",
               f"ClusterRole -/{role}"}

    code = d.drift("--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    assert {(f["owner"], f["ref"]) for f in report["findings"]} == {("Pulumi", ref) for ref in changed}

    total = d.steps()
    refresh = d.engine.refresh()
    assert refresh.summary.resource_changes == {"update": 2, "delete": 1, "same": total - 3}
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in d.export()["resources"]}
    assert state["seldon-system"]["outputs"]["metadata"]["labels"]["app.kubernetes.io/part-of"] == "by-hand"
    assert state[facts_resource["name"]]["outputs"]["data"][key] == "changed by hand"
    assert role_resource["name"] not in state
    up = d.engine.up()
    # a ConfigMap whose data changed is replaced (the provider's default), the label forced back (patchForce)
    assert up.summary.resource_changes == {"update": 1, "replace": 1, "create": 1, "same": total - 3}
    labels = core.read_namespace("seldon-system").metadata.labels
    assert labels["app.kubernetes.io/part-of"] == "modelplane"
    assert core.read_namespaced_config_map(facts["name"], facts["namespace"]).data[key] != "changed by hand"
    assert rbac.read_cluster_role(role).metadata.name == role


def test_a_rotated_search_password_reaches_the_search_cluster(deployed):
    """Issue 29, item 4 (runs last: it changes prod's password). OpenSearch reads internal_users.yml only when
    it creates its security index, so the rotation replaces the securityadmin Job, which applies the new file
    with the admin certificate. The Job's pod is stood in as succeeded (no kubelet); the Job controller of the
    control plane completes the Job, and `pulumi up` waits for that."""
    d = deployed("prod")
    batch, core = client.BatchV1Api(d.api()), client.CoreV1Api(d.api())
    before = batch.read_namespaced_job(SECURITY_APPLY_JOB, "seldon-logs")
    assert before.status.succeeded == 1
    d.engine.set_config("modelplane:elasticPassword", auto.ConfigValue("Rotated-password-0123456789!", secret=True))
    events: list[auto.EngineEvent] = []
    d.engine.up(on_output=d.say, on_event=events.append)
    replaced = sorted({e.resource_pre_event.metadata.urn.rsplit("::", 1)[-1] for e in events
                       if e.resource_pre_event and e.resource_pre_event.metadata.op == "replace"})
    # the provider replaces a Secret whose data changes; the Job's new pod template replaces it
    assert replaced == ["opensearch-security-apply", "seldon-logs-elastic-credentials",
                        "seldon-logs-opensearch-internal-users", "seldon-system-elastic-credentials"]
    after = batch.read_namespaced_job(SECURITY_APPLY_JOB, "seldon-logs")
    assert after.metadata.uid != before.metadata.uid and after.status.succeeded == 1
    users = base64.b64decode(core.read_namespaced_secret("opensearch-internal-users", "seldon-logs")
                             .data["internal_users.yml"])
    digest = after.spec.template.metadata.annotations[SECURITY_DIGEST]
    assert digest == hashlib.sha256(users).hexdigest()[:16] != \
        before.spec.template.metadata.annotations[SECURITY_DIGEST]
    assert "Rotated-password" not in json.dumps(d.export()) + "".join(d.output)
