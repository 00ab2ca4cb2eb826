"""Cluster components through the rendered plan: each cloud with each size preset, protection in prod,
kubeconfig secret, the VPC option, and the footprint-vs-capacity rule."""

from __future__ import annotations

import pytest
import yaml

from components.cluster.network import subnet_cidrs
from components.cluster.presets import PRESETS
from modelplane.commands.cli import main
from tests.conftest import edit_stack, render_plan

CLOUDS = {
    "aws": {"cloud": "aws", "region": "eu-west-1", "kubernetesVersion": "1.32",
            "subnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]},
    "gcp": {"cloud": "gcp", "project": "ml-platform-test", "region": "europe-west1", "zone": "europe-west1-b",
            "kubernetesVersion": "1.33"},
    "existing": {"cloud": "existing", "kubeconfig": "/home/ops/.kube/config", "context": "staging-admin"},
}


def _cluster_stack(root, cloud: str, size: str, environment: str = "dev", **cluster) -> dict:
    """A stack with only the cluster (add-ons off): renders for any preset, so each one can be inspected."""
    path = root / "stacks" / "Pulumi.clusters.yaml"
    addons = {name: {"enabled": False} for name in ("istio", "knative", "seldonCore", "seldonDeploy", "prometheus",
                                                     "logging", "postgres", "argocd")}
    path.write_text(yaml.safe_dump({"config": {
        "modelplane:environment": environment,
        "modelplane:cluster": {**CLOUDS[cloud], "size": size, **cluster},
        "modelplane:addons": addons}}))
    (root / "stacks" / "tenants" / "clusters.yaml").write_text("tenants: []\n")
    return render_plan(root, "clusters", root / f"out-{cloud}-{size}-{environment}")


def _one(plan, type_):
    [found] = [r for r in plan["resources"] if r["type"] == type_]
    return found


@pytest.mark.parametrize("size", sorted(PRESETS))
def test_eks_node_group_follows_the_preset(stack_tree, size):
    plan = _cluster_stack(stack_tree, "aws", size)
    shape = PRESETS[size].shape("aws")
    nodes = _one(plan, "aws:eks/nodeGroup:NodeGroup")["inputs"]
    assert nodes["instanceTypes"] == [shape.machine_type]
    assert nodes["scalingConfig"] == {"desiredSize": shape.count, "minSize": shape.count, "maxSize": shape.count * 2}
    assert nodes["diskSize"] == PRESETS[size].disk_gb >= 100
    cluster = _one(plan, "aws:eks/cluster:Cluster")
    assert cluster["inputs"]["version"] == "1.32" and nodes["version"] == "1.32"
    assert not cluster["options"]["protect"] and cluster["inputs"].get("enabledClusterLogTypes", []) == []
    assert _one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")["inputs"]["clientIdLists"] == [
        "sts.amazonaws.com"]
    assert _one(plan, "pulumi:providers:kubernetes")["inputs"]["kubeconfig"] == "<redacted>"


@pytest.mark.parametrize("size", sorted(PRESETS))
def test_gke_node_pool_follows_the_preset(stack_tree, size):
    plan = _cluster_stack(stack_tree, "gcp", size)
    shape = PRESETS[size].shape("gcp")
    pool = _one(plan, "gcp:container/nodePool:NodePool")["inputs"]
    assert pool["nodeConfig"]["machineType"] == shape.machine_type
    assert pool["nodeConfig"]["diskSizeGb"] == PRESETS[size].disk_gb
    assert pool["nodeCount"] == shape.count  # zonal outside prod: all nodes in the one zone
    assert pool["location"] == "europe-west1-b"
    cluster = _one(plan, "gcp:container/cluster:Cluster")["inputs"]
    assert cluster["minMasterVersion"] == "1.33" and cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "ml-platform-test.svc.id.goog"}
    assert cluster["deletionProtection"] is False
    assert _one(plan, "pulumi:providers:kubernetes")["inputs"]["kubeconfig"] == "<redacted>"


def test_gke_in_prod_is_regional_protected_and_spread_over_zones(stack_tree):
    plan = _cluster_stack(stack_tree, "gcp", "ha", environment="prod")
    cluster = _one(plan, "gcp:container/cluster:Cluster")
    pool = _one(plan, "gcp:container/nodePool:NodePool")
    assert cluster["inputs"]["location"] == pool["inputs"]["location"] == "europe-west1"
    assert cluster["inputs"]["deletionProtection"] is True
    assert cluster["options"]["protect"] and pool["options"]["protect"]
    assert pool["inputs"]["nodeCount"] * 3 >= PRESETS["ha"].shape("gcp").count


def test_eks_in_prod_is_protected_with_control_plane_logs(stack_tree):
    plan = _cluster_stack(stack_tree, "aws", "standard", environment="prod")
    cluster = _one(plan, "aws:eks/cluster:Cluster")
    assert cluster["options"]["protect"] and _one(plan, "aws:eks/nodeGroup:NodeGroup")["options"]["protect"]
    assert set(cluster["inputs"]["enabledClusterLogTypes"]) == {"api", "audit", "authenticator",
                                                                 "controllerManager", "scheduler"}


def test_eks_creates_a_vpc_when_no_subnets_are_given(stack_tree):
    plan = _cluster_stack(stack_tree, "aws", "small", subnetIds=None, vpcCidr="10.40.0.0/16")
    subnets = [r for r in plan["resources"] if r["type"] == "aws:ec2/subnet:Subnet"]
    assert sorted(s["inputs"]["availabilityZone"] for s in subnets) == sorted(["eu-west-1a", "eu-west-1b",
                                                                             "eu-west-1c"] * 2)
    private = [s for s in subnets if "kubernetes.io/role/internal-elb" in s["inputs"]["tags"]]
    assert {s["inputs"]["cidrBlock"] for s in private} == set(subnet_cidrs("10.40.0.0/16", 3)["private"])
    nat = _one(plan, "aws:ec2/natGateway:NatGateway")
    public = {s["urn"] for s in subnets if "kubernetes.io/role/elb" in s["inputs"]["tags"]}
    assert public & set(nat["dependsOn"])
    nodes = _one(plan, "aws:eks/nodeGroup:NodeGroup")
    assert {s["urn"] for s in private} <= set(nodes["dependsOn"])


def test_existing_cluster_creates_nothing_and_targets_the_context(stack_tree):
    plan = _cluster_stack(stack_tree, "existing", "local")
    custom = [r for r in plan["resources"] if r["custom"]]
    assert [r["type"] for r in custom if not r["type"].startswith("kubernetes:")] == ["pulumi:providers:kubernetes"]
    provider = _one(plan, "pulumi:providers:kubernetes")["inputs"]
    assert provider["kubeconfig"] == "/home/ops/.kube/config" and provider["context"] == "staging-admin"


def test_kind_cluster_name_becomes_the_context(stack_tree):
    plan = _cluster_stack(stack_tree, "existing", "local", kubeconfig=None, context=None, kindCluster="mp")
    assert _one(plan, "pulumi:providers:kubernetes")["inputs"]["context"] == "kind-mp"


def test_render_prints_the_footprint_against_the_preset(tmp_path, capsys):
    assert main(["render", "--stack", "prod", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("footprint:"))
    assert "of size preset `ha` (6 x m6i.2xlarge: 47.5 CPU / 174.0 GiB allocatable)" in line
    assert "(limit 60%)" in line
    assert "## Cloud resources" in (tmp_path / "o" / "plan.md").read_text()


def test_preset_too_small_for_the_addons_fails_render_naming_it(stack_tree, tmp_path, capsys):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:cluster"].update(size="local"))
    out = tmp_path / "o"
    assert main(["render", "--stack", "dev", "--out", str(out), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert "cluster.size: preset 'local' is too small for the enabled add-ons" in err
    assert not out.exists()


def test_overriding_requests_in_values_counts_toward_the_footprint(stack_tree, tmp_path, capsys):
    def heavier(config):
        config["modelplane:addons"]["prometheus"] = {"values": {"prometheus": {"prometheusSpec": {
            "resources": {"requests": {"cpu": "6", "memory": "8Gi"}}}}}}
    edit_stack(stack_tree, "dev", heavier)
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "preset 'standard' is too small" in capsys.readouterr().err


@pytest.mark.parametrize(("change", "message"), [
    ({"vpcCidr": "10.0.0.0/16"}, "cluster.subnetIds: set exactly one of subnetIds"),
    ({"subnetIds": None}, "cluster.subnetIds: set exactly one of subnetIds"),
    ({"nodeDiskGb": 20}, "cluster.nodeDiskGb"),
    ({"kubernetesVersion": "latest"}, "cluster.kubernetesVersion"),
])
def test_bad_eks_config_names_the_field(stack_tree, tmp_path, capsys, change, message):
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:cluster"].update(change))
    assert main(["render", "--stack", "prod", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert message in capsys.readouterr().err


def test_node_count_overrides_the_preset_and_the_capacity(stack_tree, tmp_path, capsys):
    plan = _cluster_stack(stack_tree, "aws", "ha", nodeCount=12)
    nodes = _one(plan, "aws:eks/nodeGroup:NodeGroup")["inputs"]
    assert nodes["scalingConfig"]["desiredSize"] == 12 and nodes["instanceTypes"] == ["m6i.2xlarge"]
    gke = _cluster_stack(stack_tree, "gcp", "ha", environment="prod", nodeCount=12)
    assert _one(gke, "gcp:container/nodePool:NodePool")["inputs"]["nodeCount"] == 4  # per zone, 3 zones
    assert "(12 x e2-standard-8: 94.9 CPU" in capsys.readouterr().out
