from __future__ import annotations

import dataclasses

from components.versions import CHARTS, compatibility_problems


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
