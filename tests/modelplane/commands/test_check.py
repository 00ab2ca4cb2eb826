"""`modelplane check`: the committed stacks pass, a planted violation fails naming rule and resource,
every format is machine-readable, and overrides are recorded."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from modelplane.commands.cli import main
from modelplane.plan import upstream
from modelplane.plan.upstream import charts_dir
from policies.rules import RULES
from tests.conftest import STACKS, edit_stack


def _plant(config):
    churn = next(m for m in config["modelplane:models"] if m["name"] == "churn")
    churn["predictors"][1]["replicas"] = 1
    config["modelplane:addons"]["istio"].pop("loadBalancerSourceRanges")


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_pass(rendered, capsys, stack):
    assert main(["check", "--stack", stack, "--plan", str(rendered[stack]), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] and len(report["rules"]) == len(RULES)
    assert all(f["enforcement"] == "advisory" for f in report["findings"])
    if stack in ("staging", "prod"):
        assert report["findings"] == []


def test_planted_violations_fail_prod_naming_rule_resource_and_fix(stack_tree, capsys):
    edit_stack(stack_tree, "prod", _plant)
    assert main(["check", "--stack", "prod", "--root", str(stack_tree)]) == 1
    out = capsys.readouterr().out
    assert "MANDATORY MP010 Production predictors run at least 2 replicas" in out
    assert "SeldonDeployment marketing/churn: predictor canary has 1 replica(s)" in out
    assert "MANDATORY MP007" in out and "Helm release istio-ingressgateway: values.service: LoadBalancer" in out
    assert "fix: Set replicas: 2 or more" in out
    assert out.rstrip().endswith("2 mandatory violation(s), 0 advisory finding(s): FAIL")


def test_junit_output_parses_with_a_failure_per_violated_rule(stack_tree, capsys):
    edit_stack(stack_tree, "prod", _plant)
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out.split("?>", 1)[1])
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == len(RULES)
    failed = {c.get("name").split()[0] for c in cases if c.find("failure") is not None}
    assert failed == {"MP007", "MP010"} and suite.get("failures") == "2"
    mp010 = next(c for c in cases if c.get("name").startswith("MP010"))
    assert "marketing/churn" in mp010.find("failure").text


def test_override_downgrades_with_its_reason_printed(stack_tree, capsys):
    def change(config):
        _plant(config)
        config["modelplane:policy"] = {"overrides": {
            "MP010": {"enforcement": "advisory", "reason": "churn canary is a 1-replica smoke test until 2026-12"},
            "MP007": {"enforcement": "disabled", "reason": "ingress sits behind the corporate WAF (ticket NET-42)"}}}
    edit_stack(stack_tree, "prod", change)
    assert main(["check", "--stack", "prod", "--root", str(stack_tree)]) == 0
    out = capsys.readouterr().out
    assert "ADVISORY  MP010" in out and "MP007" not in out.split("note:")[0]
    assert "enforcement overridden in stack config: churn canary is a 1-replica smoke test" in out
    assert "note: MP007 is disabled in this stack (policy.overrides): ingress sits behind" in out


@pytest.mark.parametrize("override, expected", [
    ({"MP999": {"enforcement": "advisory", "reason": "no such rule here"}}, "policy.overrides.MP999: no such rule"),
    ({"MP010": {"enforcement": "advisory", "reason": "short"}}, "policy.overrides.MP010.reason"),
    ({"mp010": {"enforcement": "advisory", "reason": "lower-case id here"}}, "policy.overrides.mp010"),
])
def test_bad_override_exits_2_naming_the_field(stack_tree, capsys, override, expected):
    edit_stack(stack_tree, "prod", lambda c: c.update({"modelplane:policy": {"overrides": override}}))
    assert main(["check", "--stack", "prod", "--root", str(stack_tree)]) == 2
    assert expected in capsys.readouterr().err


def _misspell_retention(config):
    config["modelplane:addons"]["prometheus"] = {"values": {"prometheus": {"prometheusSpec": {"retentionnn": "1d"}}}}


def test_a_values_key_the_pinned_chart_lacks_fails_prod_with_chart_data(stack_tree, capsys):
    edit_stack(stack_tree, "prod", _misspell_retention)
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--charts", str(charts_dir())]) == 1
    out = capsys.readouterr().out
    assert "MANDATORY MP016" in out
    assert ("Helm release prometheus: values.prometheus.prometheusSpec.retentionnn: not a value of chart "
            "kube-prometheus-stack 77.0.0 (did you mean 'retention'?)") in out
    assert "note: Helm values of 15 release(s) checked against the chart data" in out


def test_check_finds_the_chart_data_render_finds(stack_tree, capsys, monkeypatch):
    """Issue 30, item 2: with no flag and no variable, check read no chart data and passed a misspelt value."""
    monkeypatch.delenv("MODELPLANE_CHARTS", raising=False)
    edit_stack(stack_tree, "prod", _misspell_retention)
    assert main(["check", "--stack", "prod", "--root", str(stack_tree)]) == 1
    out = capsys.readouterr().out
    assert "MANDATORY MP016" in out and f"checked against the chart data in {upstream.SHARED / 'charts'}" in out


def test_without_chart_data_mp016_is_skipped_with_the_reason_not_passed(stack_tree, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("MODELPLANE_CHARTS", raising=False)
    monkeypatch.setattr(upstream, "SHARED", tmp_path / "no-shared")
    monkeypatch.setattr(upstream, "PULLED_CHARTS", tmp_path / "no-cache")
    edit_stack(stack_tree, "prod", _misspell_retention)
    assert main(["check", "--stack", "prod", "--root", str(stack_tree)]) == 0
    assert "note: Helm values were NOT checked against the pinned charts (MP016)" in capsys.readouterr().out
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--format", "junit"]) == 0
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    case = next(c for c in suite.iter("testcase") if c.get("name").startswith("MP016 "))
    assert case.find("skipped").get("message").startswith("no chart data")
    assert int(suite.get("skipped")) >= 1
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--format", "json"]) == 0
    assert list(json.loads(capsys.readouterr().out)["skipped"]) == ["MP016"]


def test_chart_data_from_the_environment_and_a_missing_directory(stack_tree, capsys, monkeypatch):
    edit_stack(stack_tree, "prod", _misspell_retention)
    monkeypatch.setenv("MODELPLANE_CHARTS", str(charts_dir()))
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["findings"]] == ["MP016"]
    monkeypatch.setenv("MODELPLANE_CHARTS", str(stack_tree / "nowhere"))
    assert main(["check", "--stack", "prod", "--root", str(stack_tree)]) == 2
    assert f"MODELPLANE_CHARTS: invalid\n  (environment variable): {stack_tree / 'nowhere'} is not a directory" in (
        capsys.readouterr().err)
    monkeypatch.delenv("MODELPLANE_CHARTS")
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--charts", str(stack_tree / "x")]) == 2
    assert "--charts: invalid\n  (flag): " in capsys.readouterr().err


def test_checking_a_plan_imports_neither_the_pulumi_sdk_nor_pydantic(tmp_path):
    """Only rendering needs the Pulumi SDK, and only validating a stack needs pydantic (and Vault, for
    vault: references): `check --plan` evaluates the rules on the plan and the inputs render recorded in it
    (modelplane.plan.checkinputs). Measure with `python -X importtime`."""
    import subprocess
    import sys

    from modelplane.commands.cli import main as cli

    assert cli(["render", "--stack", "prod", "--out", str(tmp_path / "plan")]) == 0
    heavy = ("pulumi", "pulumi_kubernetes", "pydantic", "pydantic_core", "hvac", "kubernetes")
    probe = ("import sys; from modelplane.commands.cli import main; "
             f"code = main(['check', '--stack', 'prod', '--plan', {str(tmp_path / 'plan')!r}]); "
             f"print('EXIT', code, 'HEAVY', sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120).stdout
    assert "EXIT 0 HEAVY []" in out, out[-2000:]


@pytest.mark.parametrize("fmt", ["json", "junit"])
def test_an_invalid_stack_is_reported_in_the_format_asked_for(stack_tree, capsys, fmt):
    """Issue 30, item 6: `check --format json|junit` on an invalid stack wrote only text to stderr."""
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"]["logging"].update(flavour="opensearch"))
    assert main(["check", "--stack", "dev", "--root", str(stack_tree), "--format", fmt]) == 2
    captured = capsys.readouterr()
    assert "addons.logging.flavour: unknown key" in captured.err
    if fmt == "json":
        report = json.loads(captured.out)
        assert report["passed"] is False and report["error"]["source"] == "stack 'dev'"
        assert any(p.startswith("addons.logging.flavour: unknown key") for p in report["error"]["problems"])
    else:
        suite = ET.fromstring(captured.out).find("testsuite")
        assert suite.get("errors") == "1"
        assert "addons.logging.flavour: unknown key" in suite.find("testcase").find("error").text
