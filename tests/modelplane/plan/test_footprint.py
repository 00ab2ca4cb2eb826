"""The footprint: read from the plan's releases and objects with the pinned charts' defaults, no estimates,
every number traced to the file it comes from."""

from __future__ import annotations

import re

import pytest

from components.quantity import Requests, cpu_cores, memory_gib
from modelplane.commands.cli import main
from modelplane.plan.charts import ChartStore
from modelplane.plan.document import read_plan
from modelplane.plan.footprint import ADDON_SHARE, MODELS, Footprint, Workload, footprint, release_workloads
from modelplane.plan.upstream import charts_dir
from tests.conftest import edit_stack


@pytest.mark.parametrize(("text", "cores"), [("500m", 0.5), ("2", 2.0), ("1.5", 1.5), (4, 4.0), ("250m", 0.25)])
def test_cpu(text, cores):
    assert cpu_cores(text) == cores


@pytest.mark.parametrize(("text", "gib"), [("1Gi", 1.0), ("512Mi", 0.5), ("2048Mi", 2.0), ("1Ti", 1024.0),
                                           ("1073741824", 1.0), ("1G", 1e9 / 2**30)])
def test_memory(text, gib):
    assert memory_gib(text) == pytest.approx(gib)


def _footprint(addons: Requests, models: Requests | None = None) -> Footprint:
    workloads = (Workload("release a", "a", 1, addons, "x"), Workload(MODELS, "m", 1, models or Requests(), "y"))
    return Footprint("small", "aws", "t3.xlarge", 3, Requests(10.0, 40.0), workloads)


def test_sixty_percent_rule_is_inclusive():
    assert _footprint(Requests(10.0 * ADDON_SHARE, 1.0)).problems() == []
    [problem] = _footprint(Requests(6.1, 1.0)).problems()
    assert problem.startswith("cluster.size: preset 'small' is too small for the enabled add-ons")


def test_addons_and_models_must_fit_together():
    [problem] = _footprint(Requests(5.0, 10.0), Requests(5.5, 1.0)).problems()
    assert "cannot schedule add-ons and models together" in problem


def table_rows(plan_md: str) -> list[list[str]]:
    section = plan_md.split("## Footprint (requests per workload)", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines() if line.startswith("| ")]
    return rows[1:]  # without the header


def test_dev_footprint_is_the_sum_of_its_table_and_every_number_names_its_file(tmp_path, capsys):
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("footprint:"))
    cpu, memory = map(float, re.search(r"add-ons request ([0-9.]+) CPU / ([0-9.]+) GiB", line).groups())
    rows = table_rows((tmp_path / "o" / "plan.md").read_text())
    counted = [r for r in rows if r[0] != MODELS and r[2] != "?"]
    assert sum(float(r[5]) for r in counted) == pytest.approx(cpu, abs=0.006)
    assert sum(gib(r[6]) for r in counted) == pytest.approx(memory, abs=0.006)
    for owner, workload, *_numbers, source in rows:
        assert re.search(r"values\.yaml\)|\(plan\.json\)|\(components/addons\)|\(stacks/Pulumi\.dev\.yaml|"
                         r"not counted: ", source), (owner, workload, source)
    # nothing is estimated: what no file sets is listed as requesting nothing, Seldon Deploy as not counted
    assert ["release argocd", "application-controller", "1", "0.000", "0", "0.000", "0",
            "requests nothing: chart default `controller.resources` (charts/argo-cd-9.1.0/values.yaml)"] in rows
    # issue 30, item 7: memory in the unit it needs; workloads requesting nothing make the totals lower bounds
    assert all(re.fullmatch(r"0|[0-9]+Mi|[0-9]+\.[0-9]{2}Gi", r[6]) for r in counted)
    nothing = sum(1 for r in counted if r[-1].startswith("requests nothing"))
    assert nothing and f"{nothing} workload(s) request nothing" in line and "lower bounds" in line
    assert "**Lower bounds:**" in (tmp_path / "o" / "plan.md").read_text()
    assert any(r[0] == "release seldon-deploy" and r[-1].startswith("not counted: licensed") for r in rows)
    assert "not counted: release seldon-deploy" in line


def gib(text: str) -> float:
    return float(text[:-2]) / 1024 if text.endswith("Mi") else float(text.removesuffix("Gi"))


def workloads(plan: dict, release: str, store: ChartStore, nodes: int = 2) -> dict[str, Workload]:
    [inputs] = [r["inputs"] for r in plan["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release"
                and r["name"] == release]
    return {w.name: w for w in release_workloads(store, inputs, nodes)}


def test_what_was_undercounted_before_is_counted(rendered):
    store = ChartStore(charts_dir())
    dev = read_plan(rendered["dev"])
    knative = workloads(dev, "knative-operator", store)
    assert knative["operator-webhook"].each == Requests.of("100m", "100Mi")
    fluent = workloads(dev, "fluent-bit", store, nodes=2)["fluent-bit"]
    assert fluent.per_node and fluent.replicas == 2
    fp = footprint(dev, type("C", (), {"size": "standard", "cloud": "gcp", "node_count": None})(), store)
    names = {(w.owner, w.name) for w in fp.workloads}
    assert ("KnativeEventing knative-eventing/knative-eventing", "mt-broker-ingress") in names
    [postgres] = [w for w in fp.workloads if w.owner.startswith("postgresql ")]
    assert postgres.replicas == 2 and postgres.each == Requests.of("100m", "100Mi")
    assert "configPostgresPodResources" in postgres.source


def test_a_stack_override_is_named_as_the_source_and_istiods_pilot_alias_counts(rendered):
    from modelplane.engine.render import render

    fp = render("local").footprint
    [istiod] = [w for w in fp.workloads if w.owner == "release istiod"]
    assert istiod.each == Requests.of("100m", "512Mi")
    assert istiod.source == "stack value `pilot.resources` (stacks/Pulumi.local.yaml addons.istio.values)"


def test_staging_counts_kibana_and_elasticsearch_from_their_resources(rendered):
    from modelplane.engine.render import render

    fp = render("staging").footprint
    kibana = next(w for w in fp.workloads if w.owner.startswith("Kibana"))
    assert kibana.each == Requests.of("500m", "2Gi")
    es = next(w for w in fp.workloads if w.owner.startswith("Elasticsearch"))
    assert es.replicas == 3 and es.each == Requests.of("1", "2Gi")


def test_without_chart_data_the_footprint_says_it_was_not_computed(tmp_path, capsys, monkeypatch):
    from modelplane.plan import upstream

    monkeypatch.setattr(upstream, "SHARED", tmp_path / "nowhere")
    monkeypatch.setattr(upstream, "PULLED_CHARTS", tmp_path / "nowhere-either")
    monkeypatch.delenv("MODELPLANE_CHARTS", raising=False)
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o")]) == 0
    assert "footprint: NOT computed — no chart data" in capsys.readouterr().out
    assert "## Footprint" not in (tmp_path / "o" / "plan.md").read_text()


def test_a_model_heavier_than_the_preset_fails_render(stack_tree, tmp_path, capsys):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:models"][0]["predictors"][0].update(
        replicas=40, resources={"cpu": "1", "memory": "2Gi"}))
    out = tmp_path / "o"
    assert main(["render", "--stack", "dev", "--out", str(out), "--root", str(stack_tree)]) == 2
    assert "cannot schedule add-ons and models together" in capsys.readouterr().err
    assert not out.exists()
