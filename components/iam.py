"""IAM policy documents the platform's AWS roles share."""

from __future__ import annotations

import json


def irsa_trust_policy(provider_arn: str, issuer: str, service_account: str) -> str:
    """Only `service_account` of this cluster, through its OIDC provider, may assume the role."""
    host = issuer.removeprefix("https://")
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:sub": service_account, f"{host}:aud": "sts.amazonaws.com"}}}]})
