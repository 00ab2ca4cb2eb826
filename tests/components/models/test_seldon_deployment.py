"""What the rendered SeldonDeployments say, for the shapes users roll models out with (seed 003 §4.4,
§5.1, §7.9.3; seed 004). All read from one render of the good corpus."""

from __future__ import annotations

from pathlib import Path

import yaml

from components.models.seldon_deployment import RESTRICTED_CONTAINER
from modelplane.plan.document import read_plan


def sdep(out: Path, ns: str, name: str) -> dict:
    return yaml.safe_load((out / "manifests" / ns / f"SeldonDeployment.{name}.yaml").read_text())


def predictors(out: Path, ns: str, name: str) -> dict[str, dict]:
    return {p["name"]: p for p in sdep(out, ns, name)["spec"]["predictors"]}


def containers(predictor: dict) -> dict[str, dict]:
    return {c["name"]: c for spec in predictor["componentSpecs"] for c in spec["spec"]["containers"]}


def test_single_model_takes_all_traffic_with_declared_resources(corpus_render):
    (default,) = predictors(corpus_render, "team-a", "iris").values()
    assert default["traffic"] == 100 and default["replicas"] == 1
    assert default["graph"] == {"name": "classifier", "type": "MODEL", "implementation": "SKLEARN_SERVER",
                                "modelUri": "gs://seldon-models/sklearn/iris", "children": []}
    # a pre-packaged server gets resources but no image: Seldon Core picks the server image
    assert containers(default) == {"classifier": {"name": "classifier", "resources": {
        "requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "100m", "memory": "512Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                            "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}}}
    # the restricted Pod Security profile, at the pod level too (the executor Seldon Core injects)
    assert default["componentSpecs"][0]["spec"]["securityContext"] == {
        "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert default["annotations"] == {"project.seldon.io/classifier": "default"}
    assert "logger" not in default["graph"]


def test_canary_90_10_splits_traffic_and_logs_both(corpus_render):
    p = predictors(corpus_render, "team-a", "iris-canary")
    assert {n: x["traffic"] for n, x in p.items()} == {"default": 90, "canary": 10}
    assert p["canary"]["graph"]["implementation"] == "XGBOOST_SERVER"
    assert all(x["graph"]["logger"] == {"mode": "all"} for x in p.values())


def test_shadow_gets_a_copy_not_a_share(corpus_render):
    p = predictors(corpus_render, "team-a", "iris-shadow")
    assert p["default"]["traffic"] == 100 and "shadow" not in p["default"]
    assert p["shadow"]["shadow"] is True and "traffic" not in p["shadow"]
    # seed 003 §4.4.2: requests to the shadow are logged too
    assert p["shadow"]["graph"]["logger"] == {"mode": "all"}


def test_multi_node_graph_keeps_shape_and_each_node_has_a_container(corpus_render):
    (default,) = predictors(corpus_render, "team-a", "fraud").values()
    graph = default["graph"]
    assert (graph["name"], graph["type"]) == ("features", "TRANSFORMER")
    (model,) = graph["children"]
    assert (model["name"], model["implementation"]) == ("model", "XGBOOST_SERVER")
    (output,) = model["children"]
    assert (output["name"], output["type"]) == ("explain-score", "OUTPUT_TRANSFORMER")
    c = containers(default)
    assert c["features"]["image"] == "registry.example.com/fraud/features:2.4.1"
    assert c["explain-score"]["image"] == "registry.example.com/fraud/explain-score:1.0.3"
    assert "image" not in c["model"]
    # node resources override the predictor's; limits default to requests
    assert c["model"]["resources"]["requests"] == {"cpu": "1", "memory": "2Gi"}
    assert c["features"]["resources"] == {"requests": {"cpu": "250m", "memory": "1Gi"},
                                          "limits": {"cpu": "1", "memory": "2Gi"}}
    assert default["annotations"] == {f"project.seldon.io/{n}": "payments"
                                      for n in ("features", "model", "explain-score")}


def test_project_annotation_for_every_component_per_predictor(corpus_render):
    p = predictors(corpus_render, "team-a", "churn")
    assert p["default"]["annotations"] == {"project.seldon.io/model": "growth"}
    assert p["canary"]["annotations"] == {"project.seldon.io/scaler": "research",
                                          "project.seldon.io/model": "research"}


def test_router_parameters_are_strings_as_the_crd_requires(corpus_render):
    (default,) = predictors(corpus_render, "team-a", "ab-test").values()
    assert default["graph"]["parameters"] == [{"name": "epsilon", "type": "FLOAT", "value": "0.1"},
                                              {"name": "verbose", "type": "BOOL", "value": "true"}]
    assert [c["name"] for c in default["graph"]["children"]] == ["model-a", "model-b"]


def test_explainer_and_model_store_secret(corpus_render):
    (default,) = predictors(corpus_render, "team-a", "income").values()
    assert default["graph"]["envSecretRefName"] == "model-store-credentials"
    assert default["explainer"] == {"type": "AnchorTabular", "replicas": 1,
                                    "modelUri": "gs://seldon-models/sklearn/income/explainer-py36-0.5.2",
                                    "envSecretRefName": "model-store-credentials",
                                    # the predictor's resources: an explainer requesting nothing would not be
                                    # accounted for by the scheduler (nor the footprint)
                                    "containerSpec": {"name": "explainer", "resources": {
                                        "requests": {"cpu": "100m", "memory": "512Mi"},
                                        "limits": {"cpu": "100m", "memory": "512Mi"}},
                                        "securityContext": RESTRICTED_CONTAINER}}


def test_triton_v2_protocol_and_gpu(corpus_render):
    doc = sdep(corpus_render, "team-a", "resnet")
    assert doc["spec"]["protocol"] == "v2"
    resources = containers(doc["spec"]["predictors"][0])["resnet"]["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == resources["requests"]["nvidia.com/gpu"] == "1"


def test_gitops_namespace_model_is_a_file_to_commit_not_an_object(corpus_render):
    assert not (corpus_render / "manifests" / "team-b").exists()
    committed = yaml.safe_load((corpus_render / "gitops" / "team-b" / "income-gitops.yaml").read_text())
    assert committed["kind"] == "SeldonDeployment" and committed["metadata"]["namespace"] == "team-b"
    plan = read_plan(corpus_render)
    sdeps = {r["inputs"]["metadata"]["name"] for r in plan["resources"] if r["type"].endswith(":SeldonDeployment")}
    assert "income-gitops" not in sdeps and "iris" in sdeps
    component = next(r for r in plan["resources"] if r["name"] == "team-b-income-gitops")
    assert component["inputs"]["gitops"]["path"] == "team-b/income-gitops.yaml"
    assert component["inputs"]["gitops"]["repo"] == "https://git.example.com/ml/gitops.git"
    summary = (corpus_render / "plan.md").read_text()
    assert "commit `gitops/team-b/income-gitops.yaml` to https://git.example.com/ml/gitops.git" in summary
    assert "| team-a/iris | default (100%, 1x) | applied by Pulumi |" in summary


def test_every_applied_model_waits_for_the_seldon_core_release(corpus_render):
    plan = read_plan(corpus_render)
    by_urn = {r["urn"]: r for r in plan["resources"]}
    sdeps = [r for r in plan["resources"] if r["type"].endswith(":SeldonDeployment")]
    assert len(sdeps) == 10
    for r in sdeps:
        deps = [by_urn[d] for d in r["dependsOn"]]
        assert any(d["type"] == "kubernetes:helm.sh/v3:Release" and d["name"] == "seldon-core" for d in deps), r["name"]
        assert r["provider"], "applied with the platform's provider"
