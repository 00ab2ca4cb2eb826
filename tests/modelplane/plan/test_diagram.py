"""plan.md's picture: install order and wiring, resolved against what the plan creates."""

from __future__ import annotations

import re

import pytest

from modelplane.plan.charts import ChartStore
from modelplane.plan.diagram import install_edges, mermaid, nodes, wiring
from modelplane.plan.document import read_plan
from modelplane.plan.upstream import charts_dir
from tests.conftest import STACKS


@pytest.fixture(scope="module")
def store() -> ChartStore:
    return ChartStore(charts_dir())


def wires(plan: dict, store) -> set[tuple[str, str, str | None]]:
    return {(w.source.label.split()[0], w.path, w.target.label.split()[0] if w.target else None)
            for w in wiring(nodes(plan), store)}


def test_dev_wiring_points_each_derived_value_at_the_release_that_serves_it(rendered, store):
    found = wires(read_plan(rendered["dev"]), store)
    assert {("seldon-deploy", "values.elasticsearch.url", "logging-opensearch"),
            ("seldon-deploy", "values.requestLogger.elasticsearch.host", "logging-opensearch"),
            ("seldon-deploy", "values.prometheus.seldon.url", "prometheus"),
            # issue 30, item 7: the Broker the URL's path names, not KnativeEventing (which serves the host)
            ("seldon-core", "values.executor.requestLogger.defaultEndpoint", "Broker"),
            ("fluent-bit", "values.config.outputs", "logging-opensearch"),
            ("opensearch-dashboards", "values.opensearchHosts", "logging-opensearch")} <= found


@pytest.mark.parametrize("stack", STACKS)
def test_no_value_of_a_committed_stack_points_at_nothing(rendered, store, stack):
    plan = read_plan(rendered[stack])
    assert [(w.source.label, w.path, w.host) for w in wiring(nodes(plan), store) if w.target is None] == []
    assert "points at nothing" not in (rendered[stack] / "plan.md").read_text()


def test_a_value_naming_a_service_nobody_serves_is_listed(rendered, store, tmp_path):
    from modelplane.plan.report import plan_markdown

    plan = read_plan(rendered["dev"])
    fluent = next(r for r in plan["resources"] if r["name"] == "fluent-bit" and r["type"].endswith("Release"))
    outputs = fluent["inputs"]["values"]["config"]["outputs"]
    fluent["inputs"]["values"]["config"]["outputs"] = outputs.replace("opensearch-cluster-master", "opensearch-master")
    text = plan_markdown(plan, [], charts=store)
    assert ("- fluent-bit (fluent-bit 0.54.0): `values.config.outputs` names "
            "`opensearch-master.seldon-logs.svc.cluster.local`") in text


def test_install_order_is_shown_without_implied_edges(rendered):
    plan = read_plan(rendered["prod"])
    graph = nodes(plan)
    edges = {(a.label.split()[0], b.label.split()[0]) for a, b in install_edges(plan, graph)}
    assert {("istio-base", "istio-cni"), ("istio-cni", "istiod"), ("istiod", "istio-ingressgateway"),
            ("istiod", "cluster-local-gateway")} <= edges
    assert ("istio-base", "istio-ingressgateway") not in edges  # implied through istiod
    assert ("istio-base", "istiod") not in edges  # implied through istio-cni


def test_the_mermaid_block_declares_every_node_it_links(rendered, store):
    lines = mermaid(read_plan(rendered["prod"]), store)
    assert lines[0] == "```mermaid" and lines[1] == "flowchart LR" and lines[-1] == "```"
    declared = {m.group(1) for line in lines if (m := re.match(r"\s+(n\d+)[\[(]", line))}
    linked = {i for line in lines for i in re.findall(r"\b(n\d+)\b", line) if "--" in line or "-." in line}
    assert linked and linked <= declared
    assert sum(line.count("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines)
