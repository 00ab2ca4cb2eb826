"""Every object a tenant needs, built from the typed tenants model and the platform facts."""

from __future__ import annotations

import base64

from components.stack import load
from components.tenancy import platform_facts
from components.tenants import parse_tenants
from modelplane.engine.stackfile import read_stack
from modelplane.onboarding import objects as build

TENANTS = parse_tenants({"tenants": [
    {"name": "fraud", "groups": {"ds": "write", "auditors": "read"}, "users": {"alice": "read"},
     "quota": {"cpu": "4", "memory": "8Gi", "pods": 20}, "gitops": {"repo": "https://git.example.com/m.git"}},
    {"name": "plain"},
    {"name": "batchy", "batch": True, "visibility": "global", "users": {"bob": "write"}},
]}).tenants
MULTI = build.PlatformFacts(tenancy="multi", environment="prod", seldonDeployNamespace="seldon-system",
                            seldonDeployServiceAccount="seldon-deploy", argocdNamespace="argocd",
                            argocdProject="seldon", batchStorageEndpoint="http://minio:9000",
                            ingressNamespaces='["istio-system", "seldon-system"]', podSecurityEnforce="privileged")
SINGLE = MULTI.model_copy(update={"tenancy": "single", "seldonDeployServiceAccount": ""})
OPTIONS = build.Options()


def names(objects: list[dict]) -> set[tuple[str, str]]:
    return {(o["kind"], o["metadata"]["name"]) for o in objects}


def test_a_full_tenant_gets_every_object_in_its_namespace():
    objects = build.tenant_objects(TENANTS[0], MULTI, OPTIONS)
    assert objects[0]["kind"] == "Namespace"
    assert names(objects) == {
        ("Namespace", "fraud"), ("NetworkPolicy", "modelplane-default-deny"),
        ("NetworkPolicy", "modelplane-allow-same-namespace"), ("NetworkPolicy", "modelplane-allow-platform"),
        ("RoleBinding", "modelplane-write"), ("RoleBinding", "modelplane-read"), ("ResourceQuota", "modelplane-quota"),
        ("LimitRange", "modelplane-defaults"), ("Role", "seldon-deploy"), ("RoleBinding", "seldon-deploy"),
        ("Application", "seldon-gitops-fraud")}
    assert all(o["metadata"]["namespace"] == "fraud" for o in objects[1:] if o["kind"] != "Application")
    labels = objects[0]["metadata"]["labels"]
    assert labels["seldon.group.ds"] == "write" and labels["seldon.gitops"] == "enabled"
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    read = next(o for o in objects if o["metadata"]["name"] == "modelplane-read")
    assert read["subjects"] == [{"kind": "Group", "name": "auditors", "apiGroup": "rbac.authorization.k8s.io"},
                                {"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]
    app = next(o for o in objects if o["kind"] == "Application")
    assert app["metadata"]["namespace"] == "argocd" and "finalizers" not in app["metadata"]
    assert app["spec"]["source"]["path"] == "fraud"
    allow = next(o for o in objects if o["metadata"]["name"] == "modelplane-allow-platform")
    assert allow["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"] == [
        "istio-system", "seldon-system"]


def test_what_a_tenant_does_not_ask_for_is_stale_and_not_built():
    plain = TENANTS[1]
    assert names(build.tenant_objects(plain, SINGLE, OPTIONS)) == {
        ("Namespace", "plain"), ("NetworkPolicy", "modelplane-default-deny"),
        ("NetworkPolicy", "modelplane-allow-same-namespace"), ("NetworkPolicy", "modelplane-allow-platform")}
    assert names(build.stale_objects(plain, SINGLE)) == {
        ("RoleBinding", "modelplane-write"), ("RoleBinding", "modelplane-read"), ("ResourceQuota", "modelplane-quota"),
        ("LimitRange", "modelplane-defaults"), ("RoleBinding", "seldon-deploy"), ("Role", "seldon-deploy"),
        ("RoleBinding", "workflow"), ("Role", "workflow")}
    assert not names(build.tenant_objects(TENANTS[0], MULTI, OPTIONS)) & names(build.stale_objects(TENANTS[0], MULTI))


def test_batch_tenant_gets_workflow_access_and_its_secret():
    objects = build.tenant_objects(TENANTS[2], MULTI, OPTIONS)
    assert {("ServiceAccount", "workflow"), ("Role", "workflow"), ("RoleBinding", "workflow")} <= names(objects)
    [secret] = build.batch_secret(TENANTS[2], MULTI, {"access_key_id": "k", "secret_access_key": "s3cr3t"})
    assert base64.b64decode(secret["data"]["RCLONE_CONFIG_S3_SECRET_ACCESS_KEY"]) == b"s3cr3t"
    assert base64.b64decode(secret["data"]["RCLONE_CONFIG_S3_ENDPOINT"]) == b"http://minio:9000"
    assert build.batch_secret(TENANTS[0], MULTI, {"access_key_id": "k", "secret_access_key": "s"}) == []


def test_the_facts_the_pulumi_program_publishes_are_what_onboarding_reads():
    flat, secret_keys = read_stack("prod")
    config, _ = load(flat, secret_keys, "prod")
    facts = build.PlatformFacts.model_validate(platform_facts(config))
    assert facts.tenancy == "multi" and "istio-system" in facts.ingressNamespaces
