"""The day-1/day-2 rules (policies/rules/operations.py) on the committed stacks' plans: each fails on the
shape prod had before its fix and passes on the fixed one."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from modelplane.plan.charts import ChartStore
from modelplane.plan.document import HELM_RELEASE
from modelplane.plan.upstream import charts_dir
from policies.check import resources_from_plan
from policies.rules import RULES, Context
from tests.conftest import STACKS

CERTIFICATE = "pulumi-python:dynamic/modelplane:GeneratedCertificate"


def context(plan: dict, environment: str = "prod", provided: list[str] = (), charts: bool = False) -> Context:
    return Context(environment, resources_from_plan(plan), provided=list(provided),
                   charts=ChartStore(charts_dir()) if charts else None)


def plan_of(rendered, stack: str) -> dict:
    return json.loads((rendered[stack] / "plan.json").read_text())


def without(plan: dict, *, types: tuple[str, ...] = (), secret: str | None = None) -> dict:
    def kept(r: dict) -> bool:
        meta = r["inputs"].get("metadata") or {}
        return r["type"] not in types and not (r["type"].endswith(":Secret") and meta.get("name") == secret)

    return {**plan, "resources": [r for r in plan["resources"] if kept(r)]}


@pytest.mark.parametrize("stack", STACKS)
def test_the_committed_stacks_pass_the_day_two_rules(rendered, stack):
    plan = plan_of(rendered, stack)
    for rule_id in ("MP019", "MP021", "MP035", "MP036", "MP037", "MP038", "MP039", "MP040", "MP041", "MP042",
                    "MP043"):
        found = RULES[rule_id](context(plan, stack, charts=True))
        if rule_id == "MP038" and stack in ("local", "dev"):
            # the demo security setup (no own certificates) reads its password once: advisory in local/dev
            assert [v.resource for v in found] == ["Helm release logging-opensearch"]
            assert RULES[rule_id].enforcement(stack) == "advisory"
        else:
            assert found == [], rule_id


def test_mp035_prod_before_the_certificate_was_issued_mounts_a_secret_nothing_creates(rendered):
    old = without(plan_of(rendered, "prod"), types=(CERTIFICATE,), secret="opensearch-tls")
    found = {(v.resource, v.message.split(" makes")[0]) for v in RULES["MP035"](context(old))}
    assert found == {("Helm release logging-opensearch", "values.secretMounts[0].secretName"),
                     ("Helm release opensearch-dashboards", "values.secretMounts[0].secretName")}
    assert RULES["MP035"](context(old, provided=["Secret seldon-logs/opensearch-tls"])) == []


@pytest.mark.parametrize("stack", ["local", "prod"])
def test_mp036_minio_with_the_charts_rolling_update_is_found(rendered, stack):
    plan = plan_of(rendered, stack)
    old = copy.deepcopy(plan)
    [minio] = [r for r in old["resources"] if r["type"] == HELM_RELEASE and r["name"] == "minio"]
    del minio["inputs"]["values"]["deploymentUpdate"]  # the shape before the fix: the chart's default
    [found] = RULES["MP036"](context(old, stack, charts=True))
    assert found.message.startswith("values.deploymentUpdate.type is RollingUpdate")
    assert RULES["MP036"](context(plan, stack, charts=True)) == []


def test_mp037_prod_before_the_backup_bucket_and_role_could_not_write(rendered):
    plan = plan_of(rendered, "prod")
    old = without(plan, types=("aws:s3/bucket:Bucket", "kubernetes:core/v1:ServiceAccount"))
    [found] = RULES["MP037"](context(old))
    assert (found.resource, found.message.split(":")[0]) == (
        "postgresql seldon-system/seldon-metadata", "enableLogicalBackup is on, but the backup job has no credentials")
    assert RULES["MP037"](context(plan)) == []


def test_mp038_prod_before_the_security_job_kept_a_rotated_password_in_its_secret(rendered):
    plan = plan_of(rendered, "prod")
    old = copy.deepcopy(without(plan, types=("kubernetes:batch/v1:Job",)))
    [search] = [r for r in old["resources"] if r["type"] == HELM_RELEASE and r["name"] == "logging-opensearch"]
    settings = yaml.safe_load(search["inputs"]["values"]["config"]["opensearch.yml"])
    del settings["plugins.security.authcz.admin_dn"]
    search["inputs"]["values"]["config"]["opensearch.yml"] = yaml.safe_dump(settings)
    [found] = RULES["MP038"](context(old))
    assert found.message.startswith("opensearch.yml sets no plugins.security.authcz.admin_dn")
    assert RULES["MP038"](context(plan)) == []


@pytest.mark.parametrize(("rule_id", "stack", "release", "path", "expected"), [
    ("MP039", "prod", "logging-opensearch", ("opensearchJavaOpts",), "heap -Xmx512m is under 40 % of the 2Gi"),
    ("MP040", "prod", "prometheus", ("prometheus", "prometheusSpec", "retentionSize"), "no retentionSize"),
    ("MP041", "local", "argo-workflows", ("workflow",), "writes a workflow Role and RoleBinding into default"),
    ("MP021", "dev", "prometheus", ("coreDns",), "GKE runs kube-dns"),
    ("MP042", "local", "minio", ("environment",), "no MINIO_BROWSER_REDIRECT_URL"),
    ("MP043", "prod", "minio", ("persistence", "annotations"), "deletes the MinIO volume claim"),
    ("MP043", "local", "seldon-core", ("crd", "annotations"), "deletes the SeldonDeployment CRD"),
])
def test_the_lower_day_two_defects_are_found_in_the_shape_before_their_fix(rendered, rule_id, stack, release, path,
                                                                          expected):
    """Issue 29, item 5: each value the fix added, taken out again, brings its finding back."""
    plan = plan_of(rendered, stack)
    old = copy.deepcopy(plan)
    [found_release] = [r for r in old["resources"] if r["type"] == HELM_RELEASE and r["name"] == release]
    parent = found_release["inputs"]["values"]
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    assert any(expected in v.message for v in RULES[rule_id](context(old, stack, charts=True)))
    assert RULES[rule_id](context(plan, stack, charts=True)) == []


def test_dev_argo_cd_knows_its_url(rendered):
    assert RULES["MP020"](context(plan_of(rendered, "dev"), "dev")) == []


def test_mp019_volumes_that_do_not_wait_for_the_eks_storage_class_are_named(rendered):
    """Issue 29, item 5: nothing ordered the platform's volumes after the EBS driver and its class."""
    plan = plan_of(rendered, "prod")
    gp3 = next(r["urn"] for r in plan["resources"] if r["type"].endswith(":StorageClass"))
    old = copy.deepcopy(plan)
    for r in old["resources"]:
        r["dependsOn"] = [d for d in r.get("dependsOn") or [] if d != gp3]
    found = sorted(v.resource for v in RULES["MP019"](context(old, charts=True)))
    assert found == ["logging-opensearch (opensearch 3.1.0)", "minio (minio 5.4.0)",
                     "postgresql seldon-metadata", "prometheus (kube-prometheus-stack 77.0.0)"]
    assert RULES["MP019"](context(plan, charts=True)) == []


def test_mp043_argo_charts_that_would_drop_their_crds_are_named(rendered):
    plan = copy.deepcopy(plan_of(rendered, "prod"))
    [argocd] = [r for r in plan["resources"] if r["type"] == HELM_RELEASE and r["name"] == "argocd"]
    argocd["inputs"]["values"]["crds"] = {"keep": False}
    [found] = RULES["MP043"](context(plan, charts=True))
    assert found.message.startswith("values.crds.keep is false")
