"""Where the Zalando operator's logical backups go on EKS when the stack names no credentials: an encrypted,
private S3 bucket and an IAM role that only the database pods' service account may assume (IRSA), allowed to
write, read, list and expire that bucket's backups and nothing else."""

from __future__ import annotations

import json

import pulumi

from components.addons.postgres import LogicalBackup
from components.iam import irsa_trust_policy
from components.names import POD_SERVICE_ACCOUNT


def bucket_policy(bucket: str, prefix: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
         "Resource": f"arn:aws:s3:::{bucket}/{prefix}/*"}]})


class BackupBucket(pulumi.ComponentResource):
    """`role_arn`: what the service account POD_SERVICE_ACCOUNT in `namespace` is annotated with."""

    def __init__(self, name: str, target: LogicalBackup, *, namespace: str, oidc_provider_arn: pulumi.Input[str],
                 issuer: pulumi.Input[str], production: bool, tags: dict[str, str],
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:BackupBucket", name, None, opts)
        import pulumi_aws as aws

        child = pulumi.ResourceOptions(parent=self)
        # the backups outlive the stack in production: `pulumi destroy` keeps the bucket
        bucket = aws.s3.Bucket(name, bucket=target.bucket, tags=tags, opts=pulumi.ResourceOptions(
            parent=self, protect=production, retain_on_delete=production))
        aws.s3.BucketPublicAccessBlock(name, bucket=bucket.bucket, block_public_acls=True, block_public_policy=True,
                                       ignore_public_acls=True, restrict_public_buckets=True, opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(name, bucket=bucket.bucket, rules=[{
            "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=child)
        account = f"system:serviceaccount:{namespace}:{POD_SERVICE_ACCOUNT}"
        role = aws.iam.Role(f"{name}-writer", tags=tags, opts=child,
                            assume_role_policy=pulumi.Output.all(oidc_provider_arn, issuer).apply(
                                lambda a: irsa_trust_policy(a[0], a[1], account)))
        aws.iam.RolePolicy(f"{name}-writer", role=role.id, policy=bucket_policy(target.bucket, target.prefix),
                           opts=child)
        self.role_arn = role.arn
        self.register_outputs({"bucket": bucket.bucket, "roleArn": role.arn})
