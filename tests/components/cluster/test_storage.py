"""Volumes on each cloud: EKS installs the EBS CSI driver with its IRSA role and a default encrypted gp3
class; every volume of every stack names a class the plan creates or the stack names."""

from __future__ import annotations

import json

import pytest

from components.platform import FORCE_APPLY
from modelplane.plan.charts import ChartStore
from modelplane.plan.document import read_plan
from modelplane.plan.storage import storage_problems, volumes
from modelplane.plan.upstream import charts_dir
from tests.conftest import edit_stack, render_plan


@pytest.fixture(scope="module")
def store() -> ChartStore:
    return ChartStore(charts_dir())


def _one(plan: dict, type_: str) -> dict:
    [found] = [r for r in plan["resources"] if r["type"] == type_]
    return found


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_eks_stacks_install_the_ebs_csi_driver_and_a_default_gp3_class(rendered, stack):
    plan = read_plan(rendered[stack])
    addon = _one(plan, "aws:eks/addon:Addon")["inputs"]
    assert addon["addonName"] == "aws-ebs-csi-driver"
    role = next(r for r in plan["resources"] if r["type"] == "aws:iam/role:Role" and r["name"].endswith("-ebs-csi"))
    assert addon["serviceAccountRoleArn"] == f"arn:aws:iam::000000000000:role/{role['name']}"
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"]["Federated"].startswith("arn:aws:iam::000000000000:oidc-provider/")
    [(sub_key, sub)] = [(k, v) for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert sub == "system:serviceaccount:kube-system:ebs-csi-controller-sa"
    attachment = next(r for r in plan["resources"] if r["type"] == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
                      and r["name"].endswith("-ebs-csi"))["inputs"]
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    sc = _one(plan, "kubernetes:storage.k8s.io/v1:StorageClass")
    assert sc["inputs"]["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true",
                                                       **FORCE_APPLY}
    assert sc["inputs"]["provisioner"] == "ebs.csi.aws.com"
    assert sc["inputs"]["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert sc["inputs"]["reclaimPolicy"] == ("Retain" if stack == "prod" else "Delete")
    assert _one(plan, "aws:eks/addon:Addon")["urn"] in sc["dependsOn"]
    # the real apiserver refuses changes to these (tests/integration): Pulumi replaces the class instead
    assert sc["options"]["replaceOnChanges"] == ["parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"]
    assert sc["options"]["deleteBeforeReplace"] is True


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_every_volume_on_eks_resolves_to_a_class_the_plan_creates(rendered, store, stack):
    plan = read_plan(rendered[stack])
    found = volumes(plan, store)
    assert len(found) >= 3 and {v.storage_class for v in found} == {"gp3"}
    assert storage_problems(plan, store) == []


def test_a_stateful_workload_without_a_class_on_eks_fails(rendered, store):
    plan = read_plan(rendered["prod"])
    release = next(r for r in plan["resources"] if r["type"].endswith(":Release") and r["name"] == "minio")
    del release["inputs"]["values"]["persistence"]["storageClass"]
    assert storage_problems(plan, store) == [
        "minio (minio 5.4.0): values.persistence.storageClass names no StorageClass, and EKS has no default class"]


def test_gke_names_its_own_class_and_an_existing_cluster_inherits_its_default(rendered, store):
    dev = read_plan(rendered["dev"])
    assert {v.storage_class for v in volumes(dev, store)} == {"standard-rwo"}
    assert storage_problems(dev, store) == []
    local = read_plan(rendered["local"])
    assert {v.storage_class for v in volumes(local, store)} == {None} and storage_problems(local, store) == []


def test_cluster_storage_class_overrides_and_is_recorded_for_review(stack_tree, tmp_path, store):
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:cluster"].update(storageClass="io2-encrypted"))
    plan = render_plan(stack_tree, "prod", tmp_path / "o")
    assert {v.storage_class for v in volumes(plan, store)} == {"io2-encrypted"}
    assert storage_problems(plan, store) == []  # the stack names it: recorded in the platform facts


def test_a_bad_storage_class_name_is_refused(stack_tree, tmp_path, capsys):
    from modelplane.commands.cli import main

    edit_stack(stack_tree, "prod", lambda c: c["modelplane:cluster"].update(storageClass="GP3 fast"))
    assert main(["render", "--stack", "prod", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "cluster.storageClass: 'GP3 fast' is not a DNS-1123 label" in capsys.readouterr().err
