"""Checks against the cloud's own APIs before `pulumi up`: what config validation cannot know offline.

AWS (boto3): the EKS Kubernetes version is offered in the region, the preset's instance type exists there,
and given subnets exist. GCP (google-cloud-container): the release channel and version are valid for the
location (the server config). Without credentials a check is skipped, saying so; it never passes silently.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from components.cluster.eks import EksClusterConfig
from components.cluster.gke import GkeClusterConfig
from components.cluster.presets import PRESETS
from components.names import CHART_ARCHIVE_SUFFIX

Status = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str

    def __str__(self) -> str:
        return f"[{self.status}] {self.name}: {self.message}"


def eks_checks(cfg: EksClusterConfig, session=None) -> list[Check]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = session or boto3.session.Session()
    if session.get_credentials() is None:
        return [Check("aws", "skipped", "no AWS credentials configured (AWS_PROFILE, AWS_ACCESS_KEY_ID or an "
                                        "instance role); the EKS version and instance type were NOT checked")]
    checks = []
    try:
        checks.append(_eks_version(session.client("eks", region_name=cfg.region), cfg))
        ec2 = session.client("ec2", region_name=cfg.region)
        checks.append(_instance_type(ec2, cfg))
        if cfg.subnet_ids:
            checks.append(_subnets(ec2, cfg))
    except (BotoCoreError, ClientError) as exc:
        checks.append(Check("aws", "failed", f"the AWS API call failed: {exc}"))
    return checks


def _eks_version(eks, cfg: EksClusterConfig) -> Check:
    offered, token = [], None
    while True:
        page = eks.describe_cluster_versions(**({"nextToken": token} if token else {}))
        offered += [v["clusterVersion"] for v in page.get("clusterVersions", [])]
        token = page.get("nextToken")
        if not token:
            break
    if cfg.kubernetes_version in offered:
        return Check("eks-version", "ok", f"EKS {cfg.kubernetes_version} is offered in {cfg.region}")
    return Check("eks-version", "failed",
                 f"cluster.kubernetesVersion: EKS {cfg.kubernetes_version} is not offered in {cfg.region} "
                 f"(offered: {', '.join(sorted(offered)) or 'none'})")


def _instance_type(ec2, cfg: EksClusterConfig) -> Check:
    machine = PRESETS[cfg.size].shape("aws").machine_type
    found = ec2.describe_instance_type_offerings(
        LocationType="region", Filters=[{"Name": "instance-type", "Values": [machine]}])["InstanceTypeOfferings"]
    if found:
        return Check("instance-type", "ok", f"{machine} (preset {cfg.size!r}) is offered in {cfg.region}")
    return Check("instance-type", "failed", f"cluster.size: preset {cfg.size!r} uses {machine}, which is not "
                                            f"offered in {cfg.region}")


def _subnets(ec2, cfg: EksClusterConfig) -> Check:
    from botocore.exceptions import ClientError

    try:
        found = ec2.describe_subnets(SubnetIds=cfg.subnet_ids)["Subnets"]
    except ClientError as exc:
        return Check("subnets", "failed", f"cluster.subnetIds: {exc.response['Error']['Message']}")
    zones = {s["AvailabilityZone"] for s in found}
    if len(zones) < 2:
        return Check("subnets", "failed", f"cluster.subnetIds: all in {', '.join(zones)}; EKS needs subnets in "
                                          "at least two availability zones")
    return Check("subnets", "ok", f"{len(found)} subnets in {len(zones)} availability zones")


def gke_checks(cfg: GkeClusterConfig, client=None) -> list[Check]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from google.api_core.exceptions import GoogleAPIError

    if client is None:
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        with warnings.catch_warnings():  # the end-of-support notice for this Python, on import
            warnings.simplefilter("ignore", FutureWarning)
            from google.cloud import container_v1

        try:
            credentials, _ = google.auth.default()
        except DefaultCredentialsError:
            return [Check("gcp", "skipped", "no Google credentials configured (gcloud auth application-default "
                                            "login or GOOGLE_APPLICATION_CREDENTIALS); the GKE version was NOT "
                                            "checked")]
        client = container_v1.ClusterManagerClient(credentials=credentials)
    location = cfg.zone or cfg.region
    try:
        server = client.get_server_config(name=f"projects/{cfg.project}/locations/{location}")
    except GoogleAPIError as exc:
        return [Check("gke-server-config", "failed", f"the GKE API call failed for {location}: {exc}")]
    channels = {c.channel.name: list(c.valid_versions) for c in server.channels}
    if cfg.release_channel not in channels:
        return [Check("gke-channel", "failed", f"cluster.releaseChannel: {cfg.release_channel} is not offered in "
                                               f"{location} (offered: {', '.join(sorted(channels)) or 'none'})")]
    checks = [Check("gke-channel", "ok", f"{cfg.release_channel} is offered in {location}")]
    if cfg.kubernetes_version:
        valid = channels[cfg.release_channel]
        if any(v == cfg.kubernetes_version or v.startswith(cfg.kubernetes_version + ".") for v in valid):
            checks.append(Check("gke-version", "ok", f"{cfg.kubernetes_version} is valid in the "
                                                     f"{cfg.release_channel} channel in {location}"))
        else:
            checks.append(Check("gke-version", "failed",
                                f"cluster.kubernetesVersion: {cfg.kubernetes_version} is not valid in the "
                                f"{cfg.release_channel} channel in {location} (valid: {', '.join(valid) or 'none'})"))
    return checks


def cluster_checks(cluster) -> list[Check]:
    if isinstance(cluster, EksClusterConfig):
        return eks_checks(cluster)
    if isinstance(cluster, GkeClusterConfig):
        return gke_checks(cluster)
    return [Check("cluster", "skipped", "an existing cluster: nothing to check in a cloud API")]


def chart_source_checks(releases: list[dict]) -> list[Check]:
    """With a chart source, every release's archive must be there before `pulumi up` (Helm reads it then)."""
    archives = [r["chart"] for r in releases if str(r.get("chart", "")).endswith(CHART_ARCHIVE_SUFFIX)]
    if not archives:
        return []
    missing = sorted(a for a in archives if not Path(a).is_file())
    if missing:
        return [Check("chart-source", "failed", f"chartSource: {len(missing)} of {len(archives)} chart archives "
                      f"missing: {', '.join(missing)} (modelplane charts pull DIR, or helm package)")]
    return [Check("chart-source", "ok", f"all {len(archives)} chart archives present")]
