"""The request-log path of each committed stack, walked link by link; a planted break is named."""

from __future__ import annotations

import copy

import pytest

from modelplane.plan.charts import ChartStore
from modelplane.plan.document import read_plan
from modelplane.plan.requestlog import request_log_path
from modelplane.plan.upstream import charts_dir
from tests.conftest import STACKS


@pytest.fixture(scope="module")
def store() -> ChartStore:
    return ChartStore(charts_dir())


def broken(plan: dict, store) -> list[str]:
    return [f"{link.step}: {link.detail}" for link in request_log_path(plan, store) if not link.ok]


@pytest.mark.parametrize("stack", STACKS)
def test_every_link_of_the_committed_stacks_holds(rendered, store, stack):
    links = request_log_path(read_plan(rendered[stack]), store)
    print("\n" + "\n".join(map(str, links)))
    assert [link.step for link in links] == [
        "executor → logger endpoint", "broker-ingress → Broker", "Broker → request logger (Trigger)",
        "Knative Service → local gateway Service", "local gateway Service → Gateway listener",
        "Gateway selector → gateway pods", "request logger → search cluster"]
    assert broken(read_plan(rendered[stack]), store) == []


def _release(plan: dict, name: str) -> dict:
    return next(r["inputs"] for r in plan["resources"] if r["type"].endswith(":Release") and r["name"] == name)


def _serving(plan: dict) -> dict:
    return next(r["inputs"] for r in plan["resources"] if r["inputs"].get("kind") == "KnativeServing")


def test_a_wrong_selector_label_is_named(rendered, store):
    plan = copy.deepcopy(read_plan(rendered["prod"]))
    _release(plan, "cluster-local-gateway")["values"]["labels"]["istio"] = "local-gateway"
    [problem] = broken(plan, store)
    assert problem.startswith("Gateway selector → gateway pods: knative-local-gateway selects "
                              "{'istio': 'cluster-local-gateway'}; cluster-local-gateway (gateway 1.29.6) pods carry")


def test_a_wrong_port_is_named(rendered, store):
    plan = copy.deepcopy(read_plan(rendered["prod"]))
    ports = _release(plan, "cluster-local-gateway")["values"]["service"]["ports"]
    next(p for p in ports if p["port"] == 80)["targetPort"] = 80
    assert broken(plan, store) == ["local gateway Service → Gateway listener: cluster-local-gateway (gateway 1.29.6) "
                                   "Service port 80 targets 80; knative-local-gateway listens on 8081"]


def test_the_old_wiring_is_caught_twice(rendered, store):
    """What the platform rendered before: the operator's default local Gateway (selecting the ingress gateway's
    pods) and the chart's default ports on the cluster-local-gateway Service."""
    plan = copy.deepcopy(read_plan(rendered["dev"]))
    _serving(plan)["spec"]["ingress"] = {"istio": {"enabled": True}}
    del _release(plan, "cluster-local-gateway")["values"]["service"]["ports"]
    steps = [p.split(":")[0] for p in broken(plan, store)]
    assert steps == ["local gateway Service → Gateway listener", "Gateway selector → gateway pods"]


def test_a_broker_name_nobody_subscribes_and_a_search_host_nobody_serves(rendered, store):
    plan = copy.deepcopy(read_plan(rendered["dev"]))
    deploy = _release(plan, "seldon-deploy")["values"]
    deploy["requestLogger"]["trigger"]["broker"] = "logs"
    deploy["requestLogger"]["elasticsearch"]["host"] = "elasticsearch.seldon-logs.svc.cluster.local"
    assert [p.split(":")[0] for p in broken(plan, store)] == ["Broker → request logger (Trigger)",
                                                             "request logger → search cluster"]


def test_without_knative_the_plain_logger_is_followed(stack_tree, tmp_path, store):
    from tests.conftest import edit_stack, render_plan

    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"].update(knative={"enabled": False}))
    plan = render_plan(stack_tree, "dev", tmp_path / "o")
    links = request_log_path(plan, store)
    assert [(link.step, link.ok) for link in links] == [("executor → logger endpoint", True),
                                                        ("request logger → search cluster", True)]
