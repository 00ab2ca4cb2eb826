"""The CrossGuard pack, run for real: `policies/__main__.py` starts pulumi-policy's analyzer server,
and the test talks to it over gRPC the way the Pulumi engine does (Configure with the stack's pack
config, then AnalyzeStack with the planned resources). Its findings must equal `modelplane check`'s."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from modelplane.commands.check import pack_config_for
from modelplane.plan.document import read_plan
from policies.check import evaluate, resources_from_plan
from policies.crossguard import policy_name
from policies.rules import RULES, Context
from tests.conftest import STACKS

REPO = Path(__file__).resolve().parents[2]
LEVEL = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
         "disabled": analyzer_pb2.DISABLED}


@pytest.fixture(scope="module")
def analyzer():
    proc = subprocess.Popen([sys.executable, str(REPO / "policies" / "__main__.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=REPO / "policies")
    try:
        port = int(proc.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.kill()
        proc.wait()


def _struct(value: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def _configure(stub, stack: str) -> dict:
    config = json.loads(pack_config_for(stack))
    stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
        name: analyzer_pb2.PolicyConfig(enforcementLevel=LEVEL[c["enforcementLevel"]],
                                        properties=_struct({k: v for k, v in c.items() if k != "enforcementLevel"}))
        for name, c in config.items()}))
    return config


def _analyze(stub, plan: dict) -> list:
    request = analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(type=r["type"], name=r["name"], urn=r["urn"], properties=_struct(r["inputs"]),
                                      options=analyzer_pb2.AnalyzerResourceOptions(protect=r["options"]["protect"]),
                                      dependencies=r.get("dependsOn") or [])
        for r in plan["resources"]])
    return list(stub.AnalyzeStack(request).diagnostics)


def _plant_violations(plan: dict) -> dict:
    plan = json.loads(json.dumps(plan))
    sdep = next(r for r in plan["resources"] if r["type"].endswith(":SeldonDeployment"))
    predictor = sdep["inputs"]["spec"]["predictors"][0]
    predictor["replicas"] = 1
    predictor["componentSpecs"][0]["spec"]["containers"][0]["image"] = "seldonio/mock_classifier:latest"
    return plan


def test_pack_lists_one_policy_per_rule(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "modelplane"
    assert sorted(p.name for p in info.policies) == sorted(policy_name(r) for r in RULES.values())
    assert all(p.enforcementLevel == analyzer_pb2.MANDATORY for p in info.policies)


@pytest.mark.parametrize("stack", STACKS)
def test_committed_pack_config_is_current(stack):
    assert (REPO / "policies" / "config" / f"{stack}.json").read_text() == pack_config_for(stack), \
        f"run: modelplane policy-config --stack {stack}"


def test_crossguard_and_modelplane_check_find_the_same_violations(analyzer, rendered):
    plan = _plant_violations(read_plan(rendered["prod"]))
    config = _configure(analyzer, "prod")
    diagnostics = _analyze(analyzer, plan)

    from components.tenants import load_tenants

    tenants = load_tenants(REPO / "stacks" / "tenants" / "prod.yaml")
    ctx = Context("prod", resources_from_plan(plan), tenants, tenants.opa_grants())
    expected = {(policy_name(f.rule), f.violation.urn) for f in evaluate("prod", ctx).findings}
    assert {(d.policyName, d.urn) for d in diagnostics} == expected
    assert {d.policyName for d in diagnostics} == {"mp001-images-are-pinned",
                                                   "mp010-production-predictors-run-at-least-2-replicas"}
    assert all(d.enforcementLevel == analyzer_pb2.MANDATORY for d in diagnostics)
    assert any("uses the tag latest" in d.message and "Fix:" in d.message for d in diagnostics)
    assert config["mp001-images-are-pinned"]["enforcementLevel"] == "mandatory"


def test_dev_pack_config_makes_findings_advisory(analyzer, rendered):
    _configure(analyzer, "dev")
    diagnostics = _analyze(analyzer, read_plan(rendered["dev"]))
    assert [d.policyName for d in diagnostics] == [
        "mp006-the-ingress-gateway-serves-tls", "mp017-the-search-cluster-does-not-run-the-image-s-demo-certificates",
        "mp038-a-rotated-search-password-reaches-the-search-cluster"]
    assert all(d.enforcementLevel == analyzer_pb2.ADVISORY for d in diagnostics)
