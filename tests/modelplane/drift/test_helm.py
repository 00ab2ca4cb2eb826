"""Reading Helm 3 release records."""

from __future__ import annotations

from modelplane.drift.helm import Release, current, decode
from tests.fakes.helm import release_secret


def test_a_release_record_is_decoded():
    assert decode(release_secret("prometheus", "monitoring", "kube-prometheus-stack", "77.0.0", 3)) == Release(
        "prometheus", "monitoring", "kube-prometheus-stack", "77.0.0", 3, "deployed")


def test_the_latest_revision_wins_and_a_broken_record_is_named():
    broken = release_secret("x", "ns", "c", "1")
    broken["data"]["release"] = "bm90IGhlbG0="
    latest, unreadable = current([
        release_secret("argocd", "argocd", "argo-cd", "9.0.0", 1, "superseded"),
        release_secret("argocd", "argocd", "argo-cd", "9.1.0", 2, "failed"), broken,
        {"type": "Opaque", "metadata": {"name": "other", "namespace": "ns"}}])
    assert latest == {("argocd", "argocd"): Release("argocd", "argocd", "argo-cd", "9.1.0", 2, "failed")}
    assert [u.split(": ")[0] + ": " + u.split(": ")[1] for u in unreadable] == [
        "Secret ns/sh.helm.release.v1.x.v1: not a Helm 3 release record (base64 of gzipped JSON)"]
