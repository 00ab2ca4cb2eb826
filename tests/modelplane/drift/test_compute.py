"""Desired against live, without a cluster: Helm releases, Secrets, ignored paths and owner marks."""

from __future__ import annotations

from modelplane.drift.compute import (
    APPLICATION,
    _destinations,
    _releases,
    _unmanaged_and_orphaned,
    changes,
    marked,
)
from modelplane.drift.desired import ANSIBLE, PULUMI, Desired, Expected
from modelplane.drift.helm import Release
from modelplane.drift.live import Live


def test_helm_releases_missing_moved_or_failed():
    desired = Desired(releases=[Release("prometheus", "monitoring", "kube-prometheus-stack", "77.0.0"),
                                Release("argocd", "argocd", "argo-cd", "9.1.0"),
                                Release("istiod", "istio-system", "istiod", "1.29.6")])
    live = Live(releases={("argocd", "argocd"): Release("argocd", "argocd", "argo-cd", "9.0.0", 4),
                          ("istio-system", "istiod"): Release("istiod", "istio-system", "istiod", "1.29.6", 2,
                                                              "failed")})
    found = {(f.category, f.ref): f.details for f in _releases(desired, live)}
    assert found == {
        ("missing", "HelmRelease monitoring/prometheus"): ["chart kube-prometheus-stack 77.0.0"],
        ("changed", "HelmRelease argocd/argocd (revision 4)"): ["version: desired 9.1.0, live 9.0.0"],
        ("changed", "HelmRelease istio-system/istiod (revision 2)"): ["status: desired deployed, live failed"]}


def test_secrets_compare_by_key_and_never_show_a_value():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n"},
              "stringData": {"password": "<redacted>", "user": "<redacted>"}}
    live = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n"},
            "data": {"password": "c2VjcmV0"}}
    assert changes(Expected(PULUMI, secret), live) == [
        "data.user: missing (values are never compared or shown)"]


def test_redacted_values_and_ignored_paths_are_not_differences():
    project = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "seldon"},
               "spec": {"destinations": [{"namespace": "a"}], "description": "<redacted>", "sourceRepos": ["*"]}}
    live = {**project, "spec": {"destinations": [{"namespace": "a"}, {"namespace": "b"}], "description": "x",
                                "sourceRepos": ["*"]}}
    assert changes(Expected(PULUMI, project, ("spec.destinations",)), live) == []
    assert changes(Expected(PULUMI, project), live) == [
        'spec.destinations: desired [{"namespace": "a"}], live [{"namespace": "a"}, {"namespace": "b"}]']


def test_owner_marks():
    assert marked({"metadata": {"annotations": {"meta.helm.sh/release-name": "x"}}})
    assert marked({"metadata": {"labels": {"app.kubernetes.io/managed-by": "Helm"}}})
    assert marked({"metadata": {"annotations": {"argocd.argoproj.io/tracking-id": "a:b/c"}}})
    assert marked({"metadata": {"ownerReferences": [{"kind": "SeldonDeployment"}]}})
    assert not marked({"metadata": {"labels": {"team": "x"}}})


def test_argo_cd_tracking_counts_only_for_an_application_that_exists_where_they_were_read():
    by_label = {"metadata": {"labels": {"app.kubernetes.io/instance": "seldon-gitops-team-b"}}}
    by_annotation = {"metadata": {"annotations": {
        "argocd.argoproj.io/tracking-id": "seldon-gitops-team-b:rbac.authorization.k8s.io/RoleBinding:team-b/x"}}}
    for obj in (by_label, by_annotation):
        assert marked(obj) and marked(obj, {"seldon-gitops-team-b"})
        assert not marked(obj, {"another-app"}) and not marked(obj, set())
    assert marked({"metadata": {"labels": {"app.kubernetes.io/instance": "argocd_seldon-gitops-team-b"}}},
                  {"seldon-gitops-team-b"})


def _binding(labels: dict) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "by-hand", "namespace": "team-b", "labels": labels}}


def test_a_hand_made_object_posing_as_argo_cd_is_unmanaged_unless_applications_were_unreadable():
    rolebindings = ("rbac.authorization.k8s.io/v1", "RoleBinding")
    posing = _binding({"app.kubernetes.io/instance": "no-such-app"})
    app = {"metadata": {"name": "seldon-gitops-team-b", "namespace": "argocd"}}
    live = Live(by_kind={rolebindings: [posing], APPLICATION: [app]})
    [finding] = _unmanaged_and_orphaned(Desired(tenants={"team-b"}), live)
    assert (finding.category, finding.ref, finding.details) == ("unmanaged", "RoleBinding team-b/by-hand", [
        "its Argo CD tracking names Application no-such-app, which does not exist; no other owner's mark"])
    tracked = _binding({"app.kubernetes.io/instance": "seldon-gitops-team-b"})
    assert _unmanaged_and_orphaned(Desired(tenants={"team-b"}), Live(by_kind={rolebindings: [tracked],
                                                                              APPLICATION: [app]})) == []
    unread = Live(by_kind={rolebindings: [posing], APPLICATION: []}, unread={APPLICATION})
    assert _unmanaged_and_orphaned(Desired(tenants={"team-b"}), unread) == []
    assert _unmanaged_and_orphaned(Desired(tenants={"team-b"}), Live(by_kind={rolebindings: [posing]})) == []


def test_a_secret_holding_the_redacted_placeholder_is_named_without_its_value():
    """Issue 30, item 3c: the rendered manifests applied by hand store `<redacted>` as a Secret's value."""
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n"},
              "stringData": {"password": "<redacted>", "user": "<redacted>"}}
    live = {**secret, "data": {"password": "PHJlZGFjdGVkPg==", "user": "YWRtaW4="}}
    live.pop("stringData")
    assert changes(Expected(PULUMI, secret), live) == [
        "data.password: holds the placeholder <redacted>, not a secret (rendered manifests applied by hand? they "
        "carry no secret values; pulumi up writes the real ones)"]


def test_a_gitops_tenant_taken_out_of_the_project_destinations_is_named():
    """Issue 30, item 3a."""
    desired = Desired(destinations={("argocd", "seldon"): ["team-a", "team-b"]})
    project = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
               "metadata": {"name": "seldon", "namespace": "argocd"},
               "spec": {"destinations": [{"namespace": "team-a", "server": "https://kubernetes.default.svc"}]}}
    live = Live(objects={("argoproj.io/v1alpha1", "AppProject", "argocd", "seldon"): project})
    [finding] = _destinations(desired, live)
    assert (finding.owner, finding.category, finding.ref) == (ANSIBLE, "changed", "AppProject argocd/seldon")
    assert finding.details == ["spec.destinations: namespace team-b missing (onboard.yml adds it)"]
    project["spec"]["destinations"].append({"namespace": "team-b"})
    assert _destinations(desired, live) == []


def _tenant_namespace(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {
        "app.kubernetes.io/managed-by": "modelplane", "modelplane.io/tenant": "true", **labels}}}


def test_an_offboarded_namespace_that_still_grants_access_is_orphaned():
    """Issue 30, item 3b: a tenant onboarded again after offboarding kept `modelplane.io/offboarded`; dropped
    from the tenants file, its namespace and RoleBindings went unreported."""
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "modelplane-write", "namespace": "old",
                            "labels": {"app.kubernetes.io/managed-by": "modelplane"}}}
    quiet = _tenant_namespace("quiet", **{"modelplane.io/offboarded": "true"})
    old = _tenant_namespace("old", **{"modelplane.io/offboarded": "true"})
    live = Live(by_kind={("v1", "Namespace"): [quiet, old],
                         ("rbac.authorization.k8s.io/v1", "RoleBinding"): [binding]})
    found = {(f.category, f.ref): f.details for f in _unmanaged_and_orphaned(Desired(), live)}
    assert list(found) == [("orphaned", "Namespace -/old")]
    assert "modelplane's RoleBindings still grant access in it" in found[("orphaned", "Namespace -/old")][0]
