"""Every Pod Security Standards control, passing and failing, in a SeldonDeployment and in a Deployment; the
violation names the object, the container and the field."""

from __future__ import annotations

import copy

import pytest

from components.tenants import Tenant, TenantsFile
from policies.rules import RULES, Context, Resource

RESTRICTED = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True,
              "seccompProfile": {"type": "RuntimeDefault"}}
POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
RES = {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
APPARMOR = "container.apparmor.security.beta.kubernetes.io/m"

# rule: (where the break goes: container | pod | annotations, the break, text the violation names)
CONTROLS = {
    "MP023": ("container", {"securityContext": {**RESTRICTED, "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}},
              "container m: securityContext.capabilities.add ['NET_ADMIN'] not allowed"),
    "MP024": ("container", {"ports": [{"containerPort": 9000, "hostPort": 9000}]}, "container m: ports: hostPort 9000"),
    "MP025": ("annotations", {APPARMOR: "unconfined"}, f"metadata.annotations: {APPARMOR}: unconfined"),
    "MP026": ("container", {"securityContext": {**RESTRICTED, "seLinuxOptions": {"type": "spc_t"}}},
              "container m: securityContext.seLinuxOptions.type: spc_t"),
    "MP027": ("container", {"securityContext": {**RESTRICTED, "procMount": "Unmasked"}},
              "container m: securityContext.procMount: Unmasked"),
    "MP028": ("container", {"securityContext": {**RESTRICTED, "seccompProfile": {"type": "Unconfined"}}},
              "container m: securityContext.seccompProfile.type: Unconfined"),
    "MP029": ("pod", {"securityContext": {**POD, "sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}},
              "securityContext.sysctls: kernel.msgmax is not a safe sysctl"),
    "MP030": ("pod", {"volumes": [{"name": "shared", "nfs": {"server": "nfs.example.com", "path": "/models"}}]},
              "volume shared: type nfs not allowed"),
    "MP031": ("container", {"securityContext": {**RESTRICTED, "allowPrivilegeEscalation": True}},
              "container m: securityContext.allowPrivilegeEscalation is not false"),
    "MP032": ("container", {"securityContext": {**RESTRICTED, "runAsNonRoot": False}},
              "container m: securityContext.runAsNonRoot is not true"),
    "MP033": ("container", {"securityContext": {**RESTRICTED, "windowsOptions": {"hostProcess": True}}},
              "container m: securityContext.windowsOptions.hostProcess: true"),
}


def template(where: str = "", change: dict | None = None) -> dict:
    """A pod template meeting the restricted profile, with one break applied."""
    container = {"name": "m", "image": "registry.example.com/m:1.0.0", "resources": RES,
                 "securityContext": dict(RESTRICTED)}
    pod = {"metadata": {"annotations": {}}, "spec": {"securityContext": dict(POD), "containers": [container]}}
    if where == "container":
        container.update(copy.deepcopy(change))
    elif where == "pod":
        pod["spec"].update(copy.deepcopy(change))
    elif where == "annotations":
        pod["metadata"]["annotations"].update(change)
    return pod


def seldon(pod: dict, namespace: str = "team-a") -> Resource:
    spec = {"predictors": [{"name": "default", "traffic": 100, "graph": {"name": "m", "type": "MODEL"},
                            "componentSpecs": [pod]}]}
    return Resource("kubernetes:machinelearning.seldon.io/v1:SeldonDeployment", "iris", "urn:sdep",
                    {"apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
                     "metadata": {"name": "iris", "namespace": namespace}, "spec": spec})


def deployment(pod: dict, namespace: str = "team-a") -> Resource:
    return Resource("kubernetes:apps/v1:Deployment", "web", "urn:deploy", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": namespace},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": pod}})


def context(*resources: Resource) -> Context:
    return Context("prod", list(resources), TenantsFile(tenants=[Tenant.model_validate({"name": "team-a"})]))


def messages(rule_id: str, resource: Resource) -> list[str]:
    return [f"{v.resource}: {v.message}" for v in RULES[rule_id](context(resource))]


@pytest.mark.parametrize("kind", [seldon, deployment], ids=["SeldonDeployment", "Deployment"])
@pytest.mark.parametrize("rule_id", sorted(CONTROLS))
def test_each_control_passes_the_restricted_template_and_fails_its_break(rule_id, kind):
    where, change, expected = CONTROLS[rule_id]
    assert messages(rule_id, kind(template())) == []
    found = messages(rule_id, kind(template(where, change)))
    assert len(found) == 1 and expected in found[0] and "(restricted profile)" in found[0], found
    assert found[0].startswith("SeldonDeployment team-a/iris: predictor default componentSpecs[0]" if kind is seldon
                               else "Deployment team-a/web: template")


def test_every_pod_security_rule_has_a_control_fixture():
    assert sorted(CONTROLS) == sorted(r for r in RULES if RULES[r].title.startswith("Pod Security:"))


def test_platform_namespaces_meet_baseline_only():
    loose = template("container", {"securityContext": {}})
    assert messages("MP031", deployment(loose, "monitoring")) == []
    assert messages("MP031", deployment(loose)) != []
    assert messages("MP023", deployment(template(*CONTROLS["MP023"][:2]), "monitoring")) == [
        "Deployment monitoring/web: template container m: securityContext.capabilities.add ['NET_ADMIN'] not "
        "allowed (baseline profile)"]


def test_containers_seldon_core_adds_and_the_explainer_are_checked():
    sdep = seldon(template())
    predictor = sdep.inputs["spec"]["predictors"][0]
    predictor["graph"]["children"] = [{"name": "transformer", "type": "TRANSFORMER"}]
    predictor["explainer"] = {"type": "AnchorTabular", "containerSpec": {"name": "explainer"}}
    found = messages("MP031", sdep)
    assert found == [
        "SeldonDeployment team-a/iris: predictor default graph node transformer (container Seldon Core adds): "
        "securityContext.allowPrivilegeEscalation is not false (restricted profile)",
        "SeldonDeployment team-a/iris: predictor default explainer container explainer: "
        "securityContext.allowPrivilegeEscalation is not false (restricted profile)"]


def test_tenants_are_held_to_the_stacks_pod_security_level():
    """tenancy.podSecurity: baseline (published as podSecurityAudit in the platform facts) relaxes tenants'
    templates to baseline: no restricted-only control applies, baseline ones still do."""
    facts = Resource("kubernetes:core/v1:ConfigMap", "platform-facts", "urn:facts", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "modelplane-platform", "namespace": "seldon-system"},
        "data": {"podSecurityAudit": "baseline"}})
    loose = deployment(template("container", {"securityContext": {}}))
    assert RULES["MP031"](Context("prod", [facts, loose], context().tenants)) == []
    assert RULES["MP031"](Context("prod", [loose], context().tenants)) != []
    broken = deployment(template(*CONTROLS["MP024"][:2]))
    assert RULES["MP024"](Context("prod", [facts, broken], context().tenants))[0].message.endswith("(baseline profile)")


def _seldon_core(values: dict) -> Resource:
    return Resource("kubernetes:helm.sh/v3:Release", "seldon-core", "urn:release:seldon-core",
                    {"chart": "seldon-core-operator", "version": "1.18.2", "values": values})


@pytest.mark.parametrize("values, found", [
    ({}, []),
    ({"executor": {"user": 8888}, "defaultUserID": "8888"}, []),
    ({"executor": {"user": 0}}, ["Helm release seldon-core: values.executor.user: 0: Seldon Core runs what it adds "
                                 "to every model pod as root, in restricted namespaces too (e.g. team-a/iris) "
                                 "(restricted profile)"]),
    ({"defaultUserID": "0"}, ["Helm release seldon-core: values.defaultUserID: '0': Seldon Core runs what it adds "
                              "to every model pod as root, in restricted namespaces too (e.g. team-a/iris) "
                              "(restricted profile)"]),
])
def test_the_executor_seldon_core_injects_runs_as_the_user_its_release_names(values, found):
    """The executor container is in no spec modelplane writes: its user is Seldon Core's release values."""
    model = seldon(template())
    assert [f"{v.resource}: {v.message}" for v in RULES["MP032"](context(_seldon_core(values), model))] == found
    # models only in namespaces held to baseline: nothing restricted runs the executor
    assert RULES["MP032"](context(_seldon_core(values), seldon(template(), namespace="seldon-system"))) == []
