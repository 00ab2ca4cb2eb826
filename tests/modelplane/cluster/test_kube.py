"""The resource table modelplane.cluster.kube requests by: custom resources agree with their CRDs; how it
talks to a server whose certificate is not verified."""

from __future__ import annotations

import warnings

import pytest
import yaml

from harness.controlplane import ADMIN
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


@pytest.mark.controlplane
def test_a_kubeconfig_that_skips_tls_verification_is_warned_about_once(controlplane, tmp_path, capsys):
    """Issue 30, item 8: drift printed urllib3's InsecureRequestWarning once per request."""
    doc = yaml.safe_load(controlplane.kubeconfig(ADMIN).read_text())
    cluster = doc["clusters"][0]["cluster"]
    del cluster["certificate-authority"]
    cluster["insecure-skip-tls-verify"] = True
    insecure = tmp_path / "insecure"
    insecure.write_text(yaml.safe_dump(doc))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(2):
            kube = Kube.from_kubeconfig(insecure)
            for _ in range(5):
                kube.request("GET", "/api/v1/namespaces")
    assert [w for w in caught if "Unverified HTTPS" in str(w.message)] == []
    err = capsys.readouterr().err
    assert err.count("skips TLS verification") == 1 and controlplane.server in err
