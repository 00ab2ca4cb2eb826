from __future__ import annotations

import dataclasses

import pytest
import yaml

from components.versions import (
    CHARTS,
    KUBERNETES_SUPPORT,
    KUBERNETES_VERSION,
    compatibility_problems,
    kubernetes_minor,
    kubernetes_problems,
)
from modelplane.plan.upstream import charts_dir


def test_committed_pins_are_compatible():
    assert compatibility_problems() == []


def test_pin_below_seldon_matrix_is_refused():
    bad = dict(CHARTS, **{"seldon-core": dataclasses.replace(CHARTS["seldon-core"], version="1.8.0",
                                                            app_version="1.8.0")})
    problems = compatibility_problems(bad)
    assert any("seldon-core: 1.8.0 is below the supported minimum 1.9.1" in p for p in problems)


def test_istio_charts_must_move_together():
    bad = dict(CHARTS, istiod=dataclasses.replace(CHARTS["istiod"], version="1.28.0", app_version="1.28.0"))
    assert any("istio charts must share one version" in p for p in compatibility_problems(bad))


def test_unpinned_version_is_refused():
    bad = dict(CHARTS, minio=dataclasses.replace(CHARTS["minio"], version="latest"))
    assert any("minio" in p and "exact" in p for p in compatibility_problems(bad))


def test_knative_below_the_seed_minimum_is_refused():
    bad = dict(CHARTS, **{"knative-operator": dataclasses.replace(CHARTS["knative-operator"], version="v0.17.0",
                                                                  app_version="0.17.0")})
    assert "knative-operator: 0.17.0 is below the supported minimum 0.18.0" in compatibility_problems(bad)


def test_seldon_core_outside_the_v1_crd_series_is_refused():
    bad = dict(CHARTS, **{"seldon-core": dataclasses.replace(CHARTS["seldon-core"], version="1.17.1",
                                                            app_version="1.17.1")})
    assert any("not 1.18.x" in p for p in compatibility_problems(bad))


def test_the_target_kubernetes_is_inside_every_pins_range():
    assert kubernetes_minor() == ".".join(KUBERNETES_VERSION.split(".")[:2]) == "1.34"
    assert kubernetes_problems(KUBERNETES_VERSION) == []


@pytest.mark.parametrize(("version", "refused"), [
    ("1.31", {"knative-operator"}), ("1.29.3", {"istio-base", "istio-cni", "istiod", "istio-gateway",
                                                "knative-operator"}),
    ("1.36", {"istio-base", "istio-cni", "istiod", "istio-gateway"}), ("1.35.1-gke.200", set())])
def test_a_cluster_outside_a_pins_range_is_named(version, refused):
    assert {p.split()[0] for p in kubernetes_problems(version)} == refused


def test_the_support_floor_of_a_chart_is_its_own_kube_version():
    """Where a pinned chart declares `kubeVersion` (">=1.25.0-0"), the range here starts at that minor."""
    declared = {}
    for key, pin in CHARTS.items():
        chart = charts_dir() / f"{pin.chart}-{pin.version}" / "Chart.yaml"
        if chart.exists() and (constraint := yaml.safe_load(chart.read_text()).get("kubeVersion")):
            declared[key] = kubernetes_minor(constraint.removeprefix(">=").removesuffix("-0"))
    assert declared == {"argo-cd": "1.25", "kube-prometheus-stack": "1.25", "eck-operator": "1.21"}
    assert all(KUBERNETES_SUPPORT[key][0] == floor for key, floor in declared.items())
