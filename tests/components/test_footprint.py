"""Footprint arithmetic: quantities, requests read from release values, the 60 % rule."""

from __future__ import annotations

import pytest

from components.footprint import ADDON_SHARE, Footprint, declared
from components.quantity import Requests, cpu_cores, memory_gib


@pytest.mark.parametrize(("text", "cores"), [("500m", 0.5), ("2", 2.0), ("1.5", 1.5), (4, 4.0), ("250m", 0.25)])
def test_cpu(text, cores):
    assert cpu_cores(text) == cores


@pytest.mark.parametrize(("text", "gib"), [("1Gi", 1.0), ("512Mi", 0.5), ("2048Mi", 2.0), ("1Ti", 1024.0),
                                           ("1073741824", 1.0), ("1G", 1e9 / 2**30)])
def test_memory(text, gib):
    assert memory_gib(text) == pytest.approx(gib)


def test_declared_reads_values_and_falls_back_per_field():
    values = {"pilot": {"resources": {"requests": {"cpu": "100m"}}}}
    assert declared(values, ("pilot",), Requests.of("500m", "2Gi")) == Requests(0.1, 2.0)
    assert declared({}, ("pilot",), Requests.of("500m", "2Gi")) == Requests(0.5, 2.0)


def _footprint(addons: Requests, models: Requests | None = None) -> Footprint:
    return Footprint("small", "aws", "t3.xlarge", 3, Requests(10.0, 40.0), addons, models or Requests())


def test_sixty_percent_rule_is_inclusive():
    assert _footprint(Requests(10.0 * ADDON_SHARE, 1.0)).problems() == []
    [problem] = _footprint(Requests(6.1, 1.0)).problems()
    assert problem.startswith("cluster.size: preset 'small' is too small for the enabled add-ons")


def test_addons_and_models_must_fit_together():
    [problem] = _footprint(Requests(5.0, 10.0), Requests(5.5, 1.0)).problems()
    assert "cannot schedule add-ons and models together" in problem
