"""Serving core (issue 5): pinned releases, Seldon Deploy values derived from the other add-ons, and an
install order in which nothing races a CRD or a webhook. All asserted on `modelplane render` output."""

from __future__ import annotations

import pytest
import yaml

from components.versions import CHARTS
from modelplane.commands.cli import main
from modelplane.plan.document import helm_releases, read_plan, seldon_deploy_values
from tests.conftest import edit_stack, render_plan


def _find(plan, type_suffix, name) -> dict:
    return next(r for r in plan["resources"] if r["type"].endswith(type_suffix) and r["name"] == name)


def _deps(plan, resource) -> set[tuple[str, str]]:
    by_urn = {r["urn"]: r for r in plan["resources"]}
    return {(by_urn[d]["type"].rsplit(":", 1)[-1], by_urn[d]["name"]) for d in resource["dependsOn"]}


def test_every_release_uses_the_pin_from_the_versions_module(rendered):
    pinned = {(p.chart, p.version, p.repository) for p in CHARTS.values()}
    releases = helm_releases(read_plan(rendered["dev"]))
    assert len(releases) == 14
    for _name, _ns, chart, version, repo in releases:
        assert (chart, version, repo) in pinned


def test_render_prints_releases_with_pins(tmp_path, capsys):
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "14 Helm releases" in out
    assert "seldon-core                  seldon-system      seldon-core-operator 1.18.2" in out
    assert "## Seldon Deploy values (derived from the other add-ons)" in (tmp_path / "o" / "plan.md").read_text()


def test_seldon_deploy_values_are_derived_from_the_platform(rendered):
    values = seldon_deploy_values(read_plan(rendered["dev"]))
    assert values["virtualService"] == {"create": True, "gateways": ["istio-system/seldon-gateway"]}
    assert values["ingressGateway"]["ingressNamespace"] == "istio-system"
    assert values["requestLogger"]["create"] is True
    assert values["requestLogger"]["trigger"] == {"create": True, "broker": "default",
                                                  "apiVersion": "eventing.knative.dev/v1"}
    assert values["requestLogger"]["elasticsearch"] == {
        "host": "opensearch-cluster-master.seldon-logs.svc.cluster.local", "port": "9200", "protocol": "https"}
    assert values["elasticsearch"] == {"url": "https://opensearch-cluster-master.seldon-logs.svc.cluster.local:9200",
                                       "basicAuth": True, "basicAuthSecret": "elastic-credentials"}
    assert values["prometheus"]["seldon"]["url"].startswith("http://prometheus-prometheus.monitoring.svc")
    assert values["gitops"] == {"argocd": {"enabled": True}, "git": {"secret": "git-creds"}}
    assert values["metadata"]["pg"] == {"enabled": True, "secret": "metadata-postgres"}
    assert values["rbac"]["clusterWide"] is True  # dev is single-tenant
    assert seldon_deploy_values(read_plan(rendered["prod"]))["rbac"]["clusterWide"] is False


def test_seldon_core_logs_to_the_broker_through_the_gateway(rendered):
    core = _find(read_plan(rendered["dev"]), "Release", "seldon-core")["inputs"]["values"]
    assert core["istio"] == {"enabled": True, "gateway": "istio-system/seldon-gateway"}
    assert core["executor"]["requestLogger"]["defaultEndpoint"] == \
        "http://broker-ingress.knative-eventing.svc.cluster.local/seldon-logs/default"


def test_oidc_env_is_derived_and_only_the_client_secret_is_hidden(rendered):
    env = seldon_deploy_values(read_plan(rendered["prod"]))["env"]
    assert env["CLIENT_SECRET"] == "<redacted>"
    assert env["OIDC_PROVIDER"] == "https://sso.example.com/realms/ml"
    assert env["CLIENT_ID"] == "seldon-deploy"
    assert set(env) == {"OIDC_PROVIDER", "CLIENT_ID", "CLIENT_SECRET", "REDIRECT_URL", "OIDC_SCOPES",
                        "USERID_CLAIM_KEY"}
    assert seldon_deploy_values(read_plan(rendered["prod"]))["enableAppAuth"] is True


def _no_logging(config):
    config["modelplane:addons"]["logging"]["enabled"] = False
    for model in config["modelplane:models"]:
        model.pop("logger", None)


def test_disabling_logging_turns_the_request_logger_off(stack_tree, tmp_path):
    edit_stack(stack_tree, "dev", _no_logging)
    plan = render_plan(stack_tree, "dev", tmp_path / "o")
    values = seldon_deploy_values(plan)
    assert values["requestLogger"] == {"create": False}
    assert values["elasticsearch"] == {"url": "", "basicAuth": False}
    core = _find(plan, "Release", "seldon-core")["inputs"]["values"]
    assert "executor" not in core
    assert not [r for r in plan["resources"] if "elastic-credentials" in r["name"]]


def test_disabling_knative_keeps_the_chart_logger_off(stack_tree, tmp_path):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"].update(knative={"enabled": False}))
    plan = render_plan(stack_tree, "dev", tmp_path / "o")
    assert seldon_deploy_values(plan)["requestLogger"] == {"create": False}
    assert not [r for r in plan["resources"] if r["type"].endswith(":Broker")]


def test_disabling_argocd_and_postgres_turns_their_features_off(stack_tree, tmp_path):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"].update(
        argocd={"enabled": False}, postgres={"enabled": False}))
    tenants = stack_tree / "stacks" / "tenants" / "dev.yaml"  # without Argo CD no tenant can be on GitOps
    data = yaml.safe_load(tenants.read_text())
    for tenant in data["tenants"]:
        tenant.pop("gitops", None)
    tenants.write_text(yaml.safe_dump(data))
    values = seldon_deploy_values(render_plan(stack_tree, "dev", tmp_path / "o"))
    assert values["gitops"] == {"argocd": {"enabled": False}}
    assert values["metadata"] == {"pg": {"enabled": False}}


INSTALL_ORDER = [
    # (type, name) of a resource -> what it must wait for
    (("Gateway", "seldon-gateway"), {("Release", "istio-base"), ("Release", "istio-ingressgateway")}),
    (("Release", "istio-cni"), {("Release", "istio-base")}),
    (("Release", "istiod"), {("Release", "istio-base"), ("Release", "istio-cni")}),
    (("Release", "knative-operator"), {("Release", "istiod"), ("Release", "cluster-local-gateway")}),
    (("KnativeServing", "knative-serving"), {("Release", "knative-operator"), ("Namespace", "knative-serving")}),
    (("KnativeEventing", "knative-eventing"), {("Release", "knative-operator"), ("Namespace", "knative-eventing")}),
    (("Broker", "request-logger-broker"), {("KnativeEventing", "knative-eventing"), ("Namespace", "seldon-logs")}),
    (("Release", "seldon-core"), {("Release", "istiod"), ("Gateway", "seldon-gateway"),
                                  ("Namespace", "seldon-system")}),
    (("Release", "seldon-deploy"), {("Release", "seldon-core"), ("Broker", "request-logger-broker"),
                                    ("Release", "logging-opensearch"), ("Release", "prometheus"),
                                    ("Release", "argocd"), ("Secret", "seldon-system-elastic-credentials"),
                                    ("Secret", "seldon-system-metadata-postgres"),
                                    ("Secret", "seldon-system-git-creds")}),
    (("SeldonDeployment", "team-a-iris"), {("Release", "seldon-core")}),
]


@pytest.mark.parametrize(("resource", "needs"), INSTALL_ORDER, ids=[r[0][1] for r in INSTALL_ORDER])
def test_install_order_waits_for_crds_and_webhooks(rendered, resource, needs):
    plan = read_plan(rendered["dev"])
    assert needs <= _deps(plan, _find(plan, resource[0], resource[1]))


def test_knative_components_are_awaited_until_ready(rendered):
    plan = read_plan(rendered["dev"])
    for name in ("knative-serving", "knative-eventing"):
        meta = _find(plan, f":Knative{name.split('-')[1].capitalize()}", name)["inputs"]["metadata"]
        assert meta["annotations"]["pulumi.com/waitFor"] == "condition=Ready"


def _release(plan: dict, name: str) -> dict | None:
    return next((r["inputs"] for r in plan["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release"
                 and r["name"] == name), None)


def _namespace_labels(plan: dict, name: str) -> dict:
    return _find(plan, ":Namespace", name)["inputs"]["metadata"]["labels"]


def test_istio_runs_its_cni_agent_so_injection_needs_no_privileged_init_container(rendered):
    """dev is a GKE stack: the agent's binaries go where GKE keeps CNI plugins, with the ResourceQuota GKE
    needs for node-critical pods; istiod injects without istio-init; Istio's namespace runs the privileged
    DaemonSet and says so; tenants enforce baseline (Seldon Core's executor cannot meet restricted)."""
    plan = read_plan(rendered["dev"])
    cni = _release(plan, "istio-cni")
    assert (cni["chart"], cni["version"], cni["namespace"]) == ("cni", CHARTS["istio-cni"].version, "istio-system")
    assert cni["values"] == {"cniBinDir": "/home/kubernetes/bin", "resourceQuotas": {"enabled": True}}
    assert _release(plan, "istiod")["values"]["cni"] == {"enabled": True}
    assert _namespace_labels(plan, "istio-system")["pod-security.kubernetes.io/enforce"] == "privileged"
    assert "pod-security.kubernetes.io/enforce" not in _namespace_labels(plan, "seldon-system")
    facts = _find(plan, ":ConfigMap", "platform-facts")["inputs"]["data"]
    assert (facts["podSecurityEnforce"], facts["podSecurityAudit"]) == ("baseline", "restricted")
    prod = read_plan(rendered["prod"])
    assert _release(prod, "istio-cni")["values"] == {}  # EKS: the chart's /opt/cni/bin


def test_istio_without_its_cni_agent_leaves_tenants_privileged(stack_tree, tmp_path):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"]["istio"].update(cni={"enabled": False}))
    plan = render_plan(stack_tree, "dev", tmp_path / "o")
    assert _release(plan, "istio-cni") is None
    assert "cni" not in _release(plan, "istiod")["values"]
    assert "pod-security.kubernetes.io/enforce" not in _namespace_labels(plan, "istio-system")
    facts = _find(plan, ":ConfigMap", "platform-facts")["inputs"]["data"]
    assert facts["podSecurityEnforce"] == "privileged"
