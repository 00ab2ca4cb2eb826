"""What `modelplane render` says `pulumi up` would create, applied to a real kube-apiserver at the
Kubernetes version the stacks target, with the upstream CRDs loaded as shipped."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
from kubernetes import client, config

from harness.controlplane import ADMIN, STAND_IN_SECRET
from modelplane.cluster.apply import apply_objects, read_manifests
from modelplane.cluster.crds import crd_documents
from tests.conftest import STACKS

pytestmark = pytest.mark.controlplane

# Kinds whose CRD is not among the shared upstream CRDs, so no server here can check them. Adding a kind
# here needs a line in the README's list of what is not verifiable.
NOT_VERIFIABLE_KINDS: set[str] = set()


def tenant_namespaces(objects: list[dict]) -> list[dict]:
    """Namespaces models are deployed into come from Ansible onboarding, not Pulumi: stand them in."""
    declared = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
    wanted = {o["metadata"].get("namespace") for o in objects} - declared - {None}
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in sorted(wanted)]


def test_all_shared_crds_loaded(controlplane):
    assert controlplane.crds == [d["metadata"]["name"] for d in crd_documents()]


def test_cel_rules_of_the_shipped_crds_are_enforced_by_the_server(controlplane):
    """The CRDs went in unmodified, their CEL rules (x-kubernetes-validations) with them: an Istio
    AuthorizationPolicy that breaks two of them is refused with the rules' own messages."""
    api = client.CustomObjectsApi(config.new_client_from_config(str(controlplane.kubeconfig(ADMIN))))
    policy = {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
              "metadata": {"name": "cel-probe", "namespace": "default"},
              "spec": {"selector": {"matchLabels": {"app": "model-*"}},
                       "targetRef": {"group": "", "kind": "Service", "name": "model"}}}
    with pytest.raises(client.ApiException) as refused:
        api.create_namespaced_custom_object("security.istio.io", "v1", "default", "authorizationpolicies", policy,
                                            dry_run="All")
    assert refused.value.status == 422
    assert "wildcard not allowed in label value match" in refused.value.body
    assert "only one of targetRefs or selector can be set" in refused.value.body
    del policy["spec"]["targetRef"]
    policy["spec"]["selector"]["matchLabels"]["app"] = "model"
    api.create_namespaced_custom_object("security.istio.io", "v1", "default", "authorizationpolicies", policy,
                                        dry_run="All")


def rendered_objects(out: Path) -> list[dict]:
    """The objects Pulumi applies, and the SeldonDeployments of GitOps namespaces Argo CD will apply."""
    gitops = out / "gitops"
    return read_manifests(out / "manifests", fill_redacted=STAND_IN_SECRET) + (
        read_manifests(gitops) if gitops.exists() else [])


def forget_other_stacks_storage_classes(kubeconfig: Path, objects: list[dict]) -> None:
    """Each stack is its own cluster, but here all share one apiserver: a StorageClass another stack created
    (prod's gp3 retains volumes, staging's deletes them) would be an update of immutable fields."""
    api = client.StorageV1Api(config.new_client_from_config(str(kubeconfig)))
    for name in {o["metadata"]["name"] for o in objects if o["kind"] == "StorageClass"}:
        try:
            api.delete_storage_class(name)
        except client.ApiException as exc:
            assert exc.status == 404, exc.body


@pytest.mark.parametrize("stack", STACKS)
def test_every_rendered_object_is_accepted(controlplane, rendered, stack):
    objects = rendered_objects(rendered[stack])
    forget_other_stacks_storage_classes(controlplane.kubeconfig(ADMIN), objects)
    report = apply_objects(controlplane.kubeconfig(ADMIN), tenant_namespaces(objects) + objects)
    print(f"\n[{stack}] applied {len(report.applied)} objects, rejected {len(report.rejected)}, "
          f"not verifiable {len(report.not_served)}: {report.not_served}")
    assert report.rejected == []
    unverifiable = {" ".join(d.split()[:2]) for d in report.not_served}
    assert unverifiable <= NOT_VERIFIABLE_KINDS
    assert len(report.applied) >= len(objects) - len(report.not_served)


def deprecated_by_admin(controlplane, since: int) -> list[dict]:
    """The audit events, from index `since`, of this test's own requests that the server flagged as using a
    deprecated API. The controller-manager's own requests (its endpoints controller reads v1 Endpoints,
    deprecated since 1.33) land in the same log and are not ours."""
    return [e for e in controlplane.audit_events()[since:]
            if (e.get("annotations") or {}).get("k8s.io/deprecated") == "true"
            and e.get("user", {}).get("username") == ADMIN]


def test_nothing_rendered_uses_a_deprecated_or_unserved_api(controlplane, rendered, corpus_render):
    """Decided by the server, not by a list of ours: every (apiVersion, kind) the four stacks and the corpus
    render is in the server's discovery; no CRD version among them is marked deprecated in the CRD the
    server holds; and a server-side dry run of one object of each leaves no `k8s.io/deprecated` annotation
    in the audit log (how kube-apiserver flags a deprecated built-in API)."""
    from kubernetes import dynamic

    kubeconfig = controlplane.kubeconfig(ADMIN)
    objects = [o for out in (*rendered.values(), corpus_render) for o in rendered_objects(out)]
    one_of_each = {(o["apiVersion"], o["kind"]): o for o in objects}
    api = dynamic.DynamicClient(config.new_client_from_config(str(kubeconfig)))
    apply_objects(kubeconfig, tenant_namespaces(objects) + [o for o in objects if o["kind"] == "Namespace"])
    crds = {(c.spec.group, v.name): bool(v.deprecated)
            for c in client.ApiextensionsV1Api(api.client).list_custom_resource_definition().items
            for v in c.spec.versions}
    since = len(controlplane.audit_events())
    deprecated_crd_versions = []
    for (api_version, kind), obj in sorted(one_of_each.items()):
        resource = api.resources.get(api_version=api_version, kind=kind)  # raises when not in discovery
        group, _, version = api_version.rpartition("/")
        if crds.get((group, version)):
            deprecated_crd_versions.append(api_version)
        resource.server_side_apply(body=obj, namespace=obj["metadata"].get("namespace"),
                                   field_manager="modelplane-api-check", force_conflicts=True, dry_run="All")
    flagged = sorted({e["requestURI"] for e in deprecated_by_admin(controlplane, since)})
    print(f"\n{len(one_of_each)} API kinds rendered, checked against the server's discovery and audit log")
    assert deprecated_crd_versions == [] and flagged == []
    assert len(one_of_each) >= 17
    # the control: the same audit log does flag a deprecated API (v1 Endpoints, deprecated since 1.33)
    since = len(controlplane.audit_events())
    client.CoreV1Api(api.client).list_namespaced_endpoints("default")
    assert [e["requestURI"] for e in deprecated_by_admin(controlplane, since)] == [
        "/api/v1/namespaces/default/endpoints"]


def test_every_corpus_model_is_accepted(controlplane, corpus_render):
    objects = rendered_objects(corpus_render)
    sdeps = [o for o in objects if o["kind"] == "SeldonDeployment"]
    assert len(sdeps) == 11
    report = apply_objects(controlplane.kubeconfig(ADMIN), tenant_namespaces(objects) + sdeps)
    assert report.rejected == []
    assert len([d for d in report.applied if "SeldonDeployment" in d]) == 11


def test_broken_seldondeployment_is_rejected_by_the_server(controlplane, rendered):
    sdep = next(o for o in read_manifests(rendered["local"] / "manifests") if o["kind"] == "SeldonDeployment")
    broken = copy.deepcopy(sdep)
    broken["metadata"]["name"] = "broken"
    broken["spec"]["predictors"][0]["replicas"] = "one"
    report = apply_objects(controlplane.kubeconfig(ADMIN), tenant_namespaces([broken]) + [broken])
    namespace = sdep["metadata"]["namespace"]
    assert [d for d, _ in report.rejected] == [f"machinelearning.seldon.io/v1 SeldonDeployment {namespace}/broken"]
    assert "replicas" in report.rejected[0][1]


def _can(api: client.AuthorizationV1Api, user: str, groups: list[str], verb: str, resource: str, ns: str,
         group: str = "") -> bool:
    review = client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
        user=user, groups=groups, resource_attributes=client.V1ResourceAttributes(
            verb=verb, resource=resource, namespace=ns, group=group)))
    return api.create_subject_access_review(review).status.allowed


def test_isolation_is_decided_by_rbac_via_subjectaccessreview(controlplane):
    admin = config.new_client_from_config(str(controlplane.kubeconfig(ADMIN)))
    core, rbac = client.CoreV1Api(admin), client.RbacAuthorizationV1Api(admin)
    for ns in ("sar-team-a", "sar-team-b"):
        core.create_namespace({"metadata": {"name": ns}})
    rbac.create_namespaced_role_binding("sar-team-a", {
        "metadata": {"name": "ds-team-a-edit"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ds-team-a"}]})
    authz = client.AuthorizationV1Api(admin)
    # edit is an aggregated ClusterRole: filled by the controller-manager, which the fixture runs
    deadline = time.monotonic() + 30
    while not _can(authz, "alice", ["ds-team-a"], "create", "deployments", "sar-team-a", "apps"):
        assert time.monotonic() < deadline, "aggregated ClusterRole edit never filled"
        time.sleep(0.5)
    assert not _can(authz, "alice", ["ds-team-a"], "create", "deployments", "sar-team-b", "apps")
    assert not _can(authz, "bob", ["ds-team-b"], "create", "deployments", "sar-team-a", "apps")
    assert not _can(authz, "alice", ["ds-team-a"], "delete", "namespaces", "", "")


def test_serving_core_objects_are_accepted(controlplane, rendered):
    """Issue 5: the seldon-gateway Gateway, the request-logger Broker and the system namespaces, checked by
    the server against the shared Istio and Knative CRDs."""
    objects = [o for o in read_manifests(rendered["prod"] / "manifests")
               if o["kind"] in ("Gateway", "Broker", "Namespace", "KnativeServing", "KnativeEventing")]
    report = apply_objects(controlplane.kubeconfig(ADMIN), objects)
    assert report.rejected == [] and report.not_served == []
    assert {"networking.istio.io/v1 Gateway istio-system/seldon-gateway",
            "eventing.knative.dev/v1 Broker seldon-logs/default",
            "v1 Namespace seldon-system", "v1 Namespace seldon-logs",
            "v1 Namespace knative-serving", "v1 Namespace knative-eventing",
            "operator.knative.dev/v1beta1 KnativeServing knative-serving/knative-serving",
            "operator.knative.dev/v1beta1 KnativeEventing knative-eventing/knative-eventing"} <= set(report.applied)
    gateway = next(o for o in objects if o["kind"] == "Gateway")
    assert [s["port"]["protocol"] for s in gateway["spec"]["servers"]] == ["HTTP", "HTTPS"]


def test_data_and_gitops_custom_resources_are_accepted(controlplane, rendered):
    """Issue 6: the PrometheusRule, PodMonitors, postgresql, VirtualServices, AppProject (prod, OpenSearch)
    and ECK's Elasticsearch and Kibana (staging), checked against the shared CRDs by the server."""
    wanted = {"PrometheusRule", "PodMonitor", "postgresql", "VirtualService", "AppProject", "Elasticsearch",
              "Kibana"}
    objects = [o for stack in ("prod", "staging") for o in read_manifests(rendered[stack] / "manifests")
               if o["kind"] in wanted]
    report = apply_objects(controlplane.kubeconfig(ADMIN), objects)
    assert report.rejected == [] and report.not_served == []
    kinds = {d.split()[1] for d in report.applied}
    assert kinds == wanted
    assert {"networking.istio.io/v1 VirtualService seldon-logs/kibana",
            "networking.istio.io/v1 VirtualService argocd/argocd-server",
            "networking.istio.io/v1 VirtualService minio-system/minio",
            "monitoring.coreos.com/v1 PrometheusRule monitoring/model-usage",
            "acid.zalan.do/v1 postgresql seldon-system/seldon-metadata",
            "argoproj.io/v1alpha1 AppProject argocd/seldon",
            "elasticsearch.k8s.elastic.co/v1 Elasticsearch seldon-logs/seldon-logs",
            "kibana.k8s.elastic.co/v1 Kibana seldon-logs/seldon-logs"} <= set(report.applied)
