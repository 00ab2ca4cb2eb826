"""Preflight checks: boto3 against moto (with the EKS versions endpoint moto 5.2.5 lacks added by the test),
google-cloud-container's REST transport against a loopback double of the GKE server-config endpoint."""

from __future__ import annotations

import json

import boto3
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import container_v1
from moto import mock_aws

from components.cluster.eks import EksClusterConfig
from components.cluster.gke import GkeClusterConfig
from modelplane.cluster.preflight import eks_checks, gke_checks
from modelplane.commands.cli import main
from tests.fakes.loopback import LoopbackApi

# what DescribeClusterVersions answers per region in these tests
OFFERED = {"eu-west-1": ["1.34", "1.33", "1.32"], "ap-southeast-7": ["1.32", "1.31"], "af-south-1": ["1.33"]}


@pytest.fixture
def aws(monkeypatch):
    """moto, plus eks:DescribeClusterVersions (GET /cluster-versions) answering from OFFERED."""
    import moto.eks.urls as eks_urls
    from moto.eks.responses import EKSResponse

    def describe_cluster_versions(self):
        wanted = self.querystring.get("clusterVersions")
        versions = [v for v in OFFERED.get(self.region, []) if not wanted or v in wanted]
        return 200, {}, json.dumps({"clusterVersions": [
            {"clusterVersion": v, "clusterType": "eks", "status": "STANDARD_SUPPORT"} for v in versions]})

    monkeypatch.setattr(EKSResponse, "describe_cluster_versions", describe_cluster_versions, raising=False)
    monkeypatch.setitem(eks_urls.url_paths, "{0}/cluster-versions$", eks_urls.response.dispatch)
    with mock_aws():
        yield boto3.session.Session(region_name="eu-west-1")


def _eks(**kw) -> EksClusterConfig:
    base = {"cloud": "aws", "region": "eu-west-1", "size": "ha", "kubernetesVersion": "1.33",
            "vpcCidr": "10.20.0.0/16"}
    return EksClusterConfig.model_validate({**base, **kw})


def _by_name(checks):
    return {c.name: c for c in checks}


def test_eks_version_and_instance_type_offered(aws):
    checks = _by_name(eks_checks(_eks(), aws))
    assert checks["eks-version"].status == "ok"
    assert checks["instance-type"].status == "ok"
    assert "m6i.2xlarge" in checks["instance-type"].message


def test_region_without_the_eks_version_fails_clearly(aws):
    checks = _by_name(eks_checks(_eks(region="ap-southeast-7"), aws))
    assert checks["eks-version"].status == "failed"
    assert checks["eks-version"].message == ("cluster.kubernetesVersion: EKS 1.33 is not offered in ap-southeast-7 "
                                             "(offered: 1.31, 1.32)")


def test_instance_type_missing_in_region_names_the_preset(aws):
    # af-south-1 has no t2 instances: the `standard` preset (the seed's 4 x t2.xlarge) cannot run there
    checks = _by_name(eks_checks(_eks(region="af-south-1", size="standard"), aws))
    assert checks["eks-version"].status == "ok"
    assert checks["instance-type"].status == "failed"
    assert "preset 'standard' uses t2.xlarge" in checks["instance-type"].message


def test_given_subnets_must_exist_in_two_zones(aws):
    ec2 = aws.client("ec2", region_name="eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"eu-west-1{z}")["Subnet"]
               ["SubnetId"] for i, z in enumerate("ab")]
    ok = _by_name(eks_checks(_eks(vpcCidr=None, subnetIds=subnets), aws))
    assert ok["subnets"].status == "ok" and "2 availability zones" in ok["subnets"].message
    missing = _by_name(eks_checks(_eks(vpcCidr=None, subnetIds=[subnets[0], "subnet-0000000000000dead"]), aws))
    assert missing["subnets"].status == "failed"
    message = missing["subnets"].message
    assert message.startswith("cluster.subnetIds: ") and "does not exist" in message


def test_without_aws_credentials_the_check_is_skipped_and_says_so(monkeypatch, tmp_path):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    [check] = eks_checks(_eks(), boto3.session.Session())
    assert check.status == "skipped" and "NOT checked" in check.message


SERVER_CONFIG = {
    "defaultClusterVersion": "1.33.5-gke.1000",
    "validMasterVersions": ["1.34.1-gke.200", "1.33.5-gke.1000", "1.32.9-gke.300"],
    "channels": [
        {"channel": "RAPID", "defaultVersion": "1.34.1-gke.200", "validVersions": ["1.34.1-gke.200"]},
        {"channel": "REGULAR", "defaultVersion": "1.33.5-gke.1000",
         "validVersions": ["1.33.5-gke.1000", "1.32.9-gke.300"]},
    ],
}


@pytest.fixture
def gke():
    api = LoopbackApi()
    api.route("GET", r"/v1/projects/[^/]+/locations/[^/]+/serverConfig", lambda r: (200, SERVER_CONFIG))
    with api:
        client = container_v1.ClusterManagerClient(
            credentials=AnonymousCredentials(), transport="rest", client_options={"api_endpoint": api.url})
        yield api, client


def _gke(**kw) -> GkeClusterConfig:
    base = {"cloud": "gcp", "project": "ml-platform-dev", "region": "europe-west1", "zone": "europe-west1-b"}
    return GkeClusterConfig.model_validate({**base, **kw})


def test_gke_version_valid_in_channel(gke):
    api, client = gke
    checks = _by_name(gke_checks(_gke(kubernetesVersion="1.33"), client))
    assert checks["gke-channel"].status == "ok" and checks["gke-version"].status == "ok"
    assert api.requests[0].path.startswith("/v1/projects/ml-platform-dev/locations/europe-west1-b/serverConfig")


def test_gke_version_outside_channel_fails_naming_the_field(gke):
    _api, client = gke
    checks = _by_name(gke_checks(_gke(kubernetesVersion="1.34"), client))
    assert checks["gke-version"].status == "failed"
    assert checks["gke-version"].message.startswith("cluster.kubernetesVersion: 1.34 is not valid in the REGULAR")


def test_gke_channel_not_offered(gke):
    _api, client = gke
    [check] = gke_checks(_gke(releaseChannel="STABLE"), client)
    assert check.status == "failed" and "STABLE is not offered" in check.message


def test_gke_api_error_is_a_failure_not_a_pass():
    api = LoopbackApi()
    api.route("GET", r"/v1/.*", lambda r: (403, {"error": {"code": 403, "message": "permission denied",
                                                           "status": "PERMISSION_DENIED"}}))
    with api:
        client = container_v1.ClusterManagerClient(
            credentials=AnonymousCredentials(), transport="rest", client_options={"api_endpoint": api.url})
        [check] = gke_checks(_gke(), client)
    assert check.status == "failed" and "permission denied" in check.message


def test_cli_preflight_on_an_existing_cluster_stack(capsys):
    assert main(["preflight", "--stack", "local"]) == 0
    assert "[skipped] cluster" in capsys.readouterr().out
