"""Volumes on EKS: the EBS CSI driver as an EKS add-on with its IRSA role, and an encrypted gp3 StorageClass
marked default. New EKS clusters ship neither a CSI driver nor a default class, so without this every
PersistentVolumeClaim of the platform stays Pending."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import EKS_STORAGE_CLASS
from components.iam import irsa_trust_policy

ADDON = "aws-ebs-csi-driver"
CONTROLLER_SA = "system:serviceaccount:kube-system:ebs-csi-controller-sa"
POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
DEFAULT_CLASS = {"storageclass.kubernetes.io/is-default-class": "true"}


class EbsStorage(pulumi.ComponentResource):
    def __init__(self, name: str, *, cluster_name: pulumi.Input[str], oidc_provider_arn: pulumi.Input[str],
                 issuer: pulumi.Input[str], provider: k8s.Provider, depends_on: list[pulumi.Resource],
                 production: bool, tags: dict[str, str], opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:cluster:EbsStorage", name, None, opts)
        import pulumi_aws as aws

        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-ebs-csi", tags=tags, opts=child,
            assume_role_policy=pulumi.Output.all(oidc_provider_arn, issuer).apply(
                lambda a: irsa_trust_policy(a[0], a[1], CONTROLLER_SA)))
        attached = aws.iam.RolePolicyAttachment(f"{name}-ebs-csi", role=role.name, policy_arn=POLICY, opts=child)
        self.addon = aws.eks.Addon(
            f"{name}-ebs-csi", cluster_name=cluster_name, addon_name=ADDON, service_account_role_arn=role.arn,
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="OVERWRITE", tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attached, *depends_on]))
        self.storage_class = k8s.storage.v1.StorageClass(
            EKS_STORAGE_CLASS, metadata={"name": EKS_STORAGE_CLASS, "annotations": DEFAULT_CLASS},
            provisioner="ebs.csi.aws.com", parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer", allow_volume_expansion=True,
            # production volumes outlive their claims: deleting a release never deletes request logs or metrics
            reclaim_policy="Retain" if production else "Delete",
            # a StorageClass's parameters are immutable: a change replaces it (same name, so delete first)
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[self.addon],
                                        replace_on_changes=["parameters", "provisioner", "reclaimPolicy",
                                                            "volumeBindingMode"],
                                        delete_before_replace=True))
        self.register_outputs({"storageClass": EKS_STORAGE_CLASS})
