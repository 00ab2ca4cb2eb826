"""`modelplane diff`: what a config change does to the plan. The promotion of a canary is the case a
reviewer most needs to read right (seed 003 §4.4.1, §5.1.1: the canary becomes the main model)."""

from __future__ import annotations

from modelplane.commands.cli import main
from modelplane.plan.diff import changed_fields, diff_plans
from modelplane.plan.document import read_plan
from tests.conftest import edit_stack

SDEP = "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment"


def _promote_canary(config):
    iris = next(m for m in config["modelplane:models"] if m["name"] == "iris")
    canary = next(p for p in iris["predictors"] if p["name"] == "canary")
    canary.pop("traffic")  # the only predictor left serves everything
    iris["predictors"] = [canary]


def test_promoting_the_canary_updates_one_seldondeployment_in_place(stack_tree, tmp_path, capsys):
    before, after = tmp_path / "before", tmp_path / "after"
    assert main(["render", "--stack", "dev", "--out", str(before), "--root", str(stack_tree)]) == 0
    edit_stack(stack_tree, "dev", _promote_canary)
    assert main(["render", "--stack", "dev", "--out", str(after), "--root", str(stack_tree)]) == 0
    old, new = (read_plan(d) for d in (before, after))

    changes = diff_plans(old, new)
    assert [(c.action, c.type, c.name) for c in changes] == [("update", SDEP, "team-a-iris")]
    assert changes[0].fields == ["spec.predictors[default]: removed", "spec.predictors[canary].traffic: 10 -> 100"]
    sdep = next(r for r in new["resources"] if r["type"] == SDEP and r["name"] == "team-a-iris")
    (main_predictor,) = sdep["inputs"]["spec"]["predictors"]
    assert main_predictor["graph"]["implementation"] == "XGBOOST_SERVER"

    capsys.readouterr()
    assert main(["diff", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    assert f"update {SDEP} team-a-iris" in out and "0 to create, 1 to update, 0 to delete" in out
    # issue 30, item 8: as git diff --exit-code, for CI steps that must notice a change
    assert main(["diff", "--exit-code", str(before), str(after)]) == 1
    assert main(["diff", "--exit-code", str(before), str(before)]) == 0


def test_named_lists_are_compared_by_name():
    old = {"p": [{"name": "a", "x": 1}, {"name": "b", "x": 2}]}
    new = {"p": [{"name": "b", "x": 3}, {"name": "c", "x": 4}]}
    assert changed_fields(old, new) == ["p[a]: removed", "p[b].x: 2 -> 3", "p[c]: added"]
    assert changed_fields({"l": [1, 2]}, {"l": [1, 2, 3]}) == ["l: [1, 2] -> [1, 2, 3]"]
    assert changed_fields({"a": {"b": 1}}, {"a": {"b": 1}}) == []


def test_moving_a_model_to_another_namespace_is_a_delete_and_a_create():
    def plan(name):
        return {"resources": [{"urn": f"urn::{name}", "type": SDEP, "name": name, "inputs": {}}]}

    changes = diff_plans(plan("team-a-iris"), plan("team-b-iris"))
    assert [(c.action, c.name) for c in changes] == [("delete", "team-a-iris"), ("create", "team-b-iris")]


def test_diff_of_a_missing_plan_exits_2_naming_it(tmp_path, capsys):
    assert main(["diff", str(tmp_path / "nope"), str(tmp_path / "nope2")]) == 2
    assert "plan.json does not exist" in capsys.readouterr().err
