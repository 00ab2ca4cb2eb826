"""Onboarding and offboarding on the real control plane: objects, idempotency counted in the audit log,
an RBAC isolation matrix through SubjectAccessReview, check mode, offboarding and purge."""

from __future__ import annotations

import base64
import json
import time

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from components.tenants import load_tenants
from modelplane.cluster.apply import read_manifests
from tests.ansible.conftest import TENANTS, describe_requests, playbook
from tests.fakes.pod_shapes import istio_injected, seldon_core_pods

pytestmark = pytest.mark.controlplane
FILE = TENANTS / "varied-10.yaml"
SELDON = "machinelearning.seldon.io"


@pytest.fixture(scope="module")
def onboarded(platform, api, extra_vars_file):
    core = client.CoreV1Api(api)
    # a namespace that predates modelplane: legacy-app adopts it
    core.create_namespace({"metadata": {"name": "legacy-app", "labels": {"team": "legacy"}}})
    core.create_namespaced_secret("legacy-app", {"metadata": {"name": "old-data"}, "stringData": {"k": "v"}})
    first = playbook(platform, "onboard.yml", "-e", f"@{extra_vars_file}", extra={"tenants_file": FILE})
    assert first.rc == 0, first.output
    return first


def test_first_run_creates_everything(onboarded):
    print(f"\nfirst onboarding of 10 tenants: changed={onboarded.changed}, "
          f"{len(onboarded.mutating)} mutating requests")
    assert onboarded.changed > 0
    assert onboarded.mutating


def test_namespaces_carry_visibility_gitops_and_pod_security_labels(onboarded, api):
    core = client.CoreV1Api(api)
    for tenant in load_tenants(FILE).tenants:
        ns = core.read_namespace(tenant.name)
        labels = ns.metadata.labels
        assert labels["app.kubernetes.io/managed-by"] == "modelplane"
        assert labels["modelplane.io/tenant"] == "true"
        assert labels["seldon.restricted"] == ("false" if tenant.visibility == "global" else "true")
        assert {k: v for k, v in labels.items() if k.startswith(("seldon.group.", "seldon.user."))} == {
            **{f"seldon.group.{g}": a for g, a in tenant.groups.items()},
            **{f"seldon.user.{u}": a for u, a in tenant.users.items()}}
        # Istio's CNI agent allows baseline; Seldon Core's executor does not meet restricted
        assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
        assert labels["pod-security.kubernetes.io/warn"] == "restricted"
        if tenant.gitops:
            assert labels["seldon.gitops"] == "enabled"
            assert labels["argocdapp"] == tenant.argocd_app
            assert ns.metadata.annotations["git-repo"] == str(tenant.gitops.repo)
        else:
            assert "seldon.gitops" not in labels and "git-repo" not in (ns.metadata.annotations or {})
    assert core.read_namespace("legacy-app").metadata.labels["team"] == "legacy"


def test_quota_limits_network_policies(onboarded, api):
    core, net = client.CoreV1Api(api), client.NetworkingV1Api(api)
    quota = core.read_namespaced_resource_quota("modelplane-quota", "batch-scoring").spec.hard
    assert quota == {"requests.cpu": "500m", "limits.cpu": "500m", "requests.memory": "512Mi",
                     "limits.memory": "512Mi", "pods": "10"}
    assert core.read_namespaced_limit_range("modelplane-defaults", "batch-scoring").spec.limits[0].default_request
    assert core.list_namespaced_resource_quota("nlp").items == []
    for tenant in load_tenants(FILE).tenants:
        policies = {p.metadata.name: p for p in net.list_namespaced_network_policy(tenant.name).items}
        assert set(policies) == {"modelplane-default-deny", "modelplane-allow-same-namespace",
                                 "modelplane-allow-platform"}
        allowed = policies["modelplane-allow-platform"].spec.ingress[0]._from[0].namespace_selector
        assert set(allowed.match_expressions[0].values) == {
            "istio-system", "knative-serving", "monitoring", "seldon-logs", "seldon-system"}


def test_batch_gitops_and_seldon_deploy_access(onboarded, api):
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    custom = client.CustomObjectsApi(api)
    for ns in ("batch-scoring", "risk-gitops"):
        core.read_namespaced_service_account("workflow", ns)
        assert rbac.read_namespaced_role_binding("workflow", ns).subjects[0].name == "workflow"
        secret = core.read_namespaced_secret("seldon-job-secret", ns).data
        assert set(secret) >= {"RCLONE_CONFIG_S3_ACCESS_KEY_ID", "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY",
                               "RCLONE_CONFIG_S3_ENDPOINT"}
    with pytest.raises(ApiException):
        core.read_namespaced_service_account("workflow", "fraud")
    # prod runs Seldon Deploy without cluster-wide RBAC: each tenant grants its service account (Option 1)
    binding = rbac.read_namespaced_role_binding("seldon-deploy", "fraud")
    assert (binding.subjects[0].name, binding.subjects[0].namespace) == ("seldon-deploy", "seldon-system")
    app = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", "risk-models")
    assert app["spec"]["destination"]["namespace"] == "risk-gitops"
    assert app["spec"]["source"] == {"repoURL": "https://git.example.com/ml/risk.git", "targetRevision": "release",
                                     "path": "risk-gitops", "directory": {"recurse": True}}
    assert app["spec"]["syncPolicy"] == {"automated": {}}
    assert "finalizers" not in app["metadata"]  # deleting the app must never delete the models it synced
    custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", "seldon-gitops-vision")
    project = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "appprojects", "seldon")
    assert {d["namespace"] for d in project["spec"]["destinations"]} >= {"vision", "risk-gitops"}


def test_opa_grants(onboarded, api):
    cm = client.CoreV1Api(api).read_namespaced_config_map("seldon-deploy-policies", "seldon-system")
    policies = json.loads(cm.data["data"])
    assert {"action": "write", "resource": "namespace/fraud"} in policies["role_grants"]["ds-team-a"]
    assert {"action": "read", "resource": "namespace/fraud"} in policies["role_grants"]["auditors"]
    assert {"action": "write", "resource": "namespace/fraud"} not in policies["role_grants"]["auditors"]
    assert {"action": "read", "resource": "namespace/nlp"} in policies["user_grants"]["*"]
    assert {"action": "write", "resource": "namespace/nlp"} in policies["user_grants"]["alice"]


def test_second_run_changes_nothing_and_writes_nothing(onboarded, platform, extra_vars_file):
    again = playbook(platform, "onboard.yml", "-e", f"@{extra_vars_file}", extra={"tenants_file": FILE})
    print(f"\nre-run: changed={again.changed}, mutating requests={len(again.mutating)}")
    assert again.rc == 0, again.output
    assert again.changed == 0
    assert sorted({" ".join(r.split("/")[:3] + r.split("/")[5:7]) for r in describe_requests(again.mutating)}) == []


def _can(api, user: str, groups: list[str], verb: str, ns: str) -> bool:
    review = client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
        user=user, groups=groups, resource_attributes=client.V1ResourceAttributes(
            namespace=ns, verb=verb, group=SELDON, resource="seldondeployments")))
    return client.AuthorizationV1Api(api).create_subject_access_review(review).status.allowed


def principals(tenants) -> dict[tuple[str, str], None]:
    found = {}
    for t in tenants:
        found.update({("group", g): None for g in t.groups})
        found.update({("user", u): None for u in t.users})
    return found


def test_isolation_matrix(onboarded, api):
    """Every principal of the file against every tenant: write exactly where granted, read where granted."""
    tenants = load_tenants(FILE).tenants
    cross_tenant_writes, checked = [], 0
    for kind, name in principals(tenants):
        user, groups = (name, []) if kind == "user" else (f"someone-in-{name}", [name])
        for t in tenants:
            access = (t.users if kind == "user" else t.groups).get(name)
            can_write, can_read = _can(api, user, groups, "create", t.name), _can(api, user, groups, "list", t.name)
            assert can_write == (access == "write"), (kind, name, t.name)
            assert can_read == (access in ("read", "write")), (kind, name, t.name)
            if can_write and access != "write":
                cross_tenant_writes.append((name, t.name))
            checked += 1
    print(f"\nisolation matrix: {checked} principal x namespace pairs, {len(cross_tenant_writes)} cross-tenant writes")
    assert cross_tenant_writes == []


def _pod_as(api, namespace: str, name: str, spec: dict) -> str:
    """`admitted`, or the server's reason for refusing a pod (server-side dry run: nothing is stored)."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    try:
        client.CoreV1Api(api).create_namespaced_pod(namespace, pod, dry_run="All")
    except ApiException as exc:
        return json.loads(exc.body)["message"]
    return "admitted"


def test_isolation_matrix_a_tenant_cannot_run_a_privileged_pod(onboarded, platform, rendered):
    """The matrix's Pod Security row: alice may write in nlp (RBAC lets her create pods there), yet the
    namespace onboarding labelled refuses a privileged, a hostPath and a host-network pod; a model pod as
    Seldon Core builds it and Istio (with its CNI agent) injects it is admitted."""
    alice = config.new_client_from_config(str(platform.kubeconfig("alice")))
    box = {"name": "m", "image": "registry.example.com/m:1.0.0"}
    breaks = {"privileged": {"containers": [{**box, "securityContext": {"privileged": True}}]},
              "hostpath": {"containers": [box], "volumes": [{"name": "node", "hostPath": {"path": "/"}}]},
              "hostnetwork": {"containers": [box], "hostNetwork": True}}
    for name, spec in breaks.items():
        answer = _pod_as(alice, "nlp", name, spec)
        assert 'violates PodSecurity "baseline:latest"' in answer, (name, answer)
    assert _pod_as(alice, "nlp", "plain", {"containers": [box]}) == "admitted"
    sdep = next(o for o in read_manifests(rendered["prod"] / "manifests") if o["kind"] == "SeldonDeployment")
    model = istio_injected(seldon_core_pods(sdep)[0][1], cni=True, proxy_seccomp=True)
    assert _pod_as(alice, "nlp", "model", model["spec"]) == "admitted"
    assert _pod_as(alice, "vision", "elsewhere", {"containers": [box]}) == (
        'pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "vision"')


def test_check_mode_writes_nothing_and_reports(onboarded, platform, extra_vars_file, tmp_path, api):
    changed = yaml.safe_load(FILE.read_text())
    changed["tenants"][0]["groups"]["auditors"] = "write"
    changed["tenants"].append({"name": "brand-new", "users": {"erin": "write"}})
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(changed))
    run = playbook(platform, "onboard.yml", "--check", "--diff", "-e", f"@{extra_vars_file}",
                   extra={"tenants_file": path})
    print(f"\ncheck mode: changed={run.changed}, mutating requests={len(run.mutating)}, "
          f"server dry runs={len(run.dry_runs)}")
    assert run.rc == 0, run.output
    assert run.mutating == []
    assert run.changed > 0
    assert "would create namespace brand-new" in run.output
    assert "seldon.group.auditors: write" in run.output  # the diff
    assert "role_grants auditors write namespace/fraud" in run.output
    with pytest.raises(ApiException):
        client.CoreV1Api(api).read_namespace("brand-new")


def test_offboarding_removes_access_keeps_data_and_purge_needs_confirm(onboarded, platform, api):
    core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
    core.create_namespaced_persistent_volume_claim("vision", {
        "metadata": {"name": "features"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
    core.create_namespaced_secret("vision", {"metadata": {"name": "model-creds"}, "stringData": {"k": "v"}})
    cm = core.read_namespaced_config_map("seldon-deploy-policies", "seldon-system")
    policies = json.loads(cm.data["data"])
    policies["role_grants"].setdefault("hand-made", []).append({"action": "read", "resource": "namespace/vision"})
    cm.data["data"] = json.dumps(policies)
    core.replace_namespaced_config_map("seldon-deploy-policies", "seldon-system", cm)
    assert _can(api, "x", ["ds-team-b"], "create", "vision")

    run = playbook(platform, "offboard.yml", extra={"tenant": "vision"})
    assert run.rc == 0, run.output
    assert not _can(api, "x", ["ds-team-b"], "create", "vision")
    assert not _can(api, "x", ["auditors"], "list", "vision")
    labels = core.read_namespace("vision").metadata.labels
    assert not [k for k in labels if k.startswith("seldon.") and k != "seldon.restricted"]
    assert labels["seldon.restricted"] == "true" and "argocdapp" not in labels
    core.read_namespaced_persistent_volume_claim("features", "vision")
    core.read_namespaced_secret("model-creds", "vision")
    with pytest.raises(ApiException):
        custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications",
                                            "seldon-gitops-vision")
    project = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "appprojects", "seldon")
    assert "vision" not in {d["namespace"] for d in project["spec"]["destinations"]}
    policies = json.loads(core.read_namespaced_config_map("seldon-deploy-policies", "seldon-system").data["data"])
    vision = [(p, e) for grants in policies.values() for p, es in grants.items() for e in es
              if e["resource"] == "namespace/vision"]
    assert vision == [("hand-made", {"action": "read", "resource": "namespace/vision"})]

    refused = playbook(platform, "offboard.yml", extra={"tenant": "vision", "purge": "true"})
    assert refused.rc != 0 and "confirm" in refused.output and refused.mutating == []
    core.read_namespace("vision")

    purged = playbook(platform, "offboard.yml", extra={"tenant": "vision", "purge": "true", "confirm": "vision"})
    assert purged.rc == 0, purged.output
    deadline = time.monotonic() + 60
    while _exists(core, "vision") and time.monotonic() < deadline:  # the namespace controller empties it
        time.sleep(0.5)
    assert not _exists(core, "vision")


def test_onboarding_an_offboarded_tenant_again_removes_the_offboarded_mark(onboarded, platform, api, tmp_path):
    """Issue 30, item 3b: the namespace kept `modelplane.io/offboarded=true`, so once dropped from the tenants
    file again, drift did not report it."""
    core = client.CoreV1Api(api)
    path = tmp_path / "returning.yaml"
    path.write_text(yaml.safe_dump({"tenants": [{"name": "returning", "groups": {"ds-team-b": "write"}}]}))
    assert playbook(platform, "onboard.yml", extra={"tenants_file": path}).rc == 0
    assert playbook(platform, "offboard.yml", extra={"tenant": "returning"}).rc == 0
    assert core.read_namespace("returning").metadata.labels["modelplane.io/offboarded"] == "true"
    back = playbook(platform, "onboard.yml", "--diff", extra={"tenants_file": path})
    assert back.rc == 0, back.output
    assert "modelplane.io/offboarded" not in core.read_namespace("returning").metadata.labels
    assert _can(api, "x", ["ds-team-b"], "create", "returning")
    again = playbook(platform, "onboard.yml", extra={"tenants_file": path})
    assert again.changed == 0 and again.mutating == []


def _exists(core, name: str) -> bool:
    try:
        core.read_namespace(name)
        return True
    except ApiException:
        return False


def test_offboarding_refuses_what_is_not_a_tenant(platform):
    for name in ("seldon-system", "kube-system", "does-not-exist"):
        run = playbook(platform, "offboard.yml", extra={"tenant": name})
        assert run.rc != 0 and "tenant:" in run.output and run.mutating == [], (name, run.output[-800:])


def test_secret_values_never_reach_the_output_or_an_annotation(onboarded, platform, tmp_path, api):
    """New credentials in check, diff and verbose mode: the Secret is reported as differing, never shown."""
    new = {"tenant_onboard_batch_credentials": {"access_key_id": "batch-user", "secret_access_key": "rotated-value-42"}}
    path = tmp_path / "rotated.yml"
    path.write_text(yaml.safe_dump(new))
    run = playbook(platform, "onboard.yml", "--check", "--diff", "-vvv", "-e", f"@{path}", extra={"tenants_file": FILE})
    assert run.rc == 0, run.output[-2000:]
    assert "would update Secret batch-scoring/seldon-job-secret" in run.output
    assert "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: (hidden), differs" in run.output
    encoded = base64.b64encode(b"rotated-value-42").decode()
    for value in ("rotated-value-42", encoded, "batch-secret-value", base64.b64encode(b"batch-secret-value").decode()):
        assert value not in run.output
    secret = client.CoreV1Api(api).read_namespaced_secret("seldon-job-secret", "batch-scoring")
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (secret.metadata.annotations or {})
