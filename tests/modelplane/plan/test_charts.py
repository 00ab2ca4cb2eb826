"""Every Helm release's values against the pinned chart's own data (../shared/charts)."""

from __future__ import annotations

import pytest

from components.versions import CHARTS
from modelplane.plan.charts import UNAVAILABLE, ChartStore, check_release, check_releases
from modelplane.plan.document import HELM_RELEASE, read_plan
from modelplane.plan.upstream import charts_dir
from tests.conftest import STACKS


@pytest.fixture(scope="module")
def store() -> ChartStore:
    return ChartStore(charts_dir())


def releases(plan: dict) -> list[dict]:
    return [r["inputs"] for r in plan["resources"] if r["type"] == HELM_RELEASE]


@pytest.mark.parametrize("key", sorted(CHARTS))
def test_every_pin_has_its_chart_data(store, key):
    pin = CHARTS[key]
    if pin.chart in UNAVAILABLE:
        pytest.skip(f"{pin.chart}: {UNAVAILABLE[pin.chart]}")
    assert store.get(pin.chart, pin.version) is not None, f"{key}: no folder {store.folder(pin.chart, pin.version)}"


@pytest.mark.parametrize("key", sorted(k for k, p in CHARTS.items() if p.chart not in UNAVAILABLE))
def test_app_version_is_what_the_chart_installs(store, key):
    pin = CHARTS[key]
    chart = store.get(pin.chart, pin.version)
    if pin.app_from == "appVersion":
        recorded = chart.app_version
    elif pin.app_from == "version":
        recorded = pin.version
    else:
        recorded = chart.default_at(pin.app_from.removeprefix("values:"))
    assert recorded is not None, f"{key}: nothing at {pin.app_from}"
    assert str(recorded).lstrip("v") == pin.app_version


@pytest.mark.parametrize("stack", STACKS)
def test_every_release_of_the_committed_stacks_fits_its_chart(store, rendered, stack):
    checks = check_releases(store, releases(read_plan(rendered[stack])))
    assert {c.chart for c in checks if c.unchecked} <= set(UNAVAILABLE)
    assert [(c.release, str(p)) for c in checks for p in c.problems] == []
    print(f"\n[{stack}] {sum(1 for c in checks if not c.unchecked)} releases checked against their chart data; "
          f"not checked: {[(c.release, c.unchecked) for c in checks if c.unchecked]}")


def test_every_release_of_the_model_corpus_fits_its_chart(store, corpus_render):
    assert [str(p) for c in check_releases(store, releases(read_plan(corpus_render))) for p in c.problems] == []


def problems(store, chart: str, values: dict) -> list[str]:
    pin = next(p for p in CHARTS.values() if p.chart == chart)
    return [str(p) for p in check_release(store, "r", chart, pin.version, values).problems]


def test_a_typo_is_named_with_its_full_path(store):
    assert problems(store, "argo-cd", {"controller": {"resourcess": {"requests": {"cpu": "1"}}}}) == [
        "controller.resourcess: not a value of chart argo-cd 9.1.0 (did you mean 'resources'?)"]
    assert problems(store, "kube-prometheus-stack", {"prometheus": {"prometheusSpec": {"retentionnn": "1d"}}}) == [
        "prometheus.prometheusSpec.retentionnn: not a value of chart kube-prometheus-stack 77.0.0 "
        "(did you mean 'retention'?)"]


def test_a_wrong_type_is_named(store):
    [problem] = problems(store, "opensearch", {"replicas": "three"})
    assert problem.startswith("replicas: string 'three' where chart opensearch 3.1.0 has a number")


def test_a_key_of_another_chart_version_is_named(store):
    # argo-cd charts before 5.0 took argocd-cm under server.config; 9.1.0 reads configs.cm
    [problem] = problems(store, "argo-cd", {"server": {"config": {"url": "https://cd.example.com"}}})
    assert problem.startswith("server.config: not a value of chart argo-cd 9.1.0")


def test_subchart_values_are_checked_against_the_subchart(store):
    assert problems(store, "kube-prometheus-stack", {"kube-state-metrics": {"metricLabelsAllowlst": []}}) == [
        "kube-state-metrics.metricLabelsAllowlst: not a value of chart kube-state-metrics 6.1.4 "
        "(did you mean 'metricLabelsAllowlist'?)"]
    assert problems(store, "kube-prometheus-stack", {"grafana": {"enabled": False}}) == []


def test_the_chart_schema_is_applied(store):
    assert problems(store, "gateway", {"kind": "StatefulSet"}) == [
        "kind: values.schema.json of gateway 1.29.6: 'StatefulSet' is not one of ['Deployment', 'DaemonSet']"]


def test_open_maps_take_any_key_and_istiods_pilot_alias_is_checked(store):
    assert problems(store, "argo-cd", {"configs": {"params": {"server.insecure": True}}}) == []
    assert problems(store, "istiod", {"pilot": {"resourcess": {}}}) == [
        "pilot.resourcess: not a value of chart istiod 1.29.6 (did you mean 'resources'?)"]
    assert problems(store, "opensearch", {"resources": {"request": {"cpu": "1"}}}) == [
        "resources.request: not a field of a Kubernetes ResourceRequirements"]


def test_a_release_whose_chart_folder_is_missing_fails(store):
    check = check_release(store, "minio", "minio", "5.3.0", {})
    assert [str(p) for p in check.problems] == [
        f"(chart): no chart data for minio 5.3.0 ({store.folder('minio', '5.3.0')} does not exist): "
        "its values cannot be checked"]


def test_a_section_of_fluent_bits_config_is_not_an_open_map(store):
    # the chart's templates read config.service, .inputs, .filters, .outputs by name: a typo is lost
    assert problems(store, "fluent-bit", {"config": {"ouputs": "[OUTPUT]\n"}}) == [
        "config.ouputs: not a value of chart fluent-bit 0.54.0 (did you mean 'outputs'?)"]
