"""What a release's values make its pods read (modelplane/plan/mounts.py)."""

from __future__ import annotations

from modelplane.plan.mounts import Mount, release_mounts


def test_chart_keys_and_pod_spec_shapes_are_found_with_their_path():
    values = {"secretMounts": [{"name": "tls", "secretName": "opensearch-tls", "path": "/c"}],
              "securityConfig": {"internalUsersSecret": "users"},
              "extraEnvs": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "p"}}}],
              "extraVolumes": [{"name": "v", "configMap": {"name": "settings"}}],
              "envFrom": [{"secretRef": {"name": "env"}}]}
    assert sorted(release_mounts("opensearch", values), key=lambda m: m.path) == [
        Mount("Secret", "env", "envFrom[0].secretRef.name"),
        Mount("Secret", "creds", "extraEnvs[0].valueFrom.secretKeyRef.name"),
        Mount("ConfigMap", "settings", "extraVolumes[0].configMap.name"),
        Mount("Secret", "opensearch-tls", "secretMounts[0].secretName"),
        Mount("Secret", "users", "securityConfig.internalUsersSecret"),
    ]


def test_optional_references_and_other_charts_keys_are_not_mounts():
    values = {"env": [{"valueFrom": {"secretKeyRef": {"name": "x", "key": "k", "optional": True}}}],
              "existingSecret": "minio-root"}
    assert release_mounts("opensearch", values) == []
    assert release_mounts("minio", values) == [Mount("Secret", "minio-root", "existingSecret")]
