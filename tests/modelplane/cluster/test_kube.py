"""The resource table modelplane.cluster.kube requests by: custom resources agree with their CRDs."""

from __future__ import annotations

from modelplane.cluster.crds import crd_documents
from modelplane.cluster.kube import RESOURCES, Kube


def test_custom_resources_match_their_crds():
    crds = {}
    for crd in crd_documents():
        spec = crd["spec"]
        for version in spec["versions"]:
            crds[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = (
                spec["names"]["plural"], spec["scope"] == "Namespaced")
    custom = {k: v for k, v in RESOURCES.items() if "." in k[0].split("/")[0] and not k[0].endswith("k8s.io/v1")}
    assert custom, "no custom resources in the table"
    for api_kind, entry in custom.items():
        assert crds.get(api_kind) == entry, api_kind


def test_paths():
    assert Kube.path("v1", "Namespace", None, "a") == "/api/v1/namespaces/a"
    assert Kube.path("v1", "Secret", "ns") == "/api/v1/namespaces/ns/secrets"
    assert Kube.path("rbac.authorization.k8s.io/v1", "RoleBinding") == "/apis/rbac.authorization.k8s.io/v1/rolebindings"
    assert Kube.path("argoproj.io/v1alpha1", "Application", "argocd", "x") == (
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/x")
