"""license.yml against the real control plane: create, no-op rerun, update with exactly one restart,
rollback, refusals with zero writes, and no licence text in -v output. Seldon Deploy is stood in by a
Deployment with its label; the kube-controller-manager rolls it out (a ReplicaSet per pod template)."""

from __future__ import annotations

import hashlib

import pytest
from kubernetes import client

from tests.ansible.conftest import describe_requests, playbook
from tests.fakes.vault import VaultDouble

pytestmark = pytest.mark.controlplane
NAMESPACE = "seldon-system"
LICENCE_1 = "SELDON-LICENSE-v1\ncustomer: example-bank\nexpires: 2027-12-31\nsignature: 7f3a9c0b1d2e4f5a6b7c8d9e\n"
LICENCE_2 = "SELDON-LICENSE-v2\ncustomer: example-bank\nexpires: 2028-12-31\nsignature: 0e9d8c7b6a5f4e3d2c1b0a99\n"
SECRET_LINES = ("signature: 7f3a9c0b1d2e4f5a6b7c8d9e", "signature: 0e9d8c7b6a5f4e3d2c1b0a99")


def _sha(text: str) -> str:
    return hashlib.sha256(text.rstrip().encode()).hexdigest()


@pytest.fixture(scope="module")
def deploy(platform, api):
    apps = client.AppsV1Api(api)
    apps.create_namespaced_deployment(NAMESPACE, {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "seldon-deploy", "labels": {"app.kubernetes.io/name": "seldon-deploy"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "seldon-deploy"}},
                 "template": {"metadata": {"labels": {"app": "seldon-deploy"}}, "spec": {"containers": [
                     {"name": "server", "image": "seldonio/seldon-deploy-server:1.3.0"}]}}}})
    return apps


def _licence(api, name="seldon-deploy-license") -> str | None:
    try:
        return client.CoreV1Api(api).read_namespaced_config_map(name, NAMESPACE).data["license"]
    except client.ApiException as exc:
        assert exc.status == 404
        return None


def _template(deploy) -> tuple[int, str | None]:
    d = deploy.read_namespaced_deployment("seldon-deploy", NAMESPACE)
    return d.metadata.generation, (d.spec.template.metadata.annotations or {}).get("modelplane.io/license-sha256")


def _file(tmp_path, name, content) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def test_licence_lifecycle(platform, api, deploy, tmp_path):
    first = _file(tmp_path, "license", LICENCE_1)
    run = playbook(platform, "license.yml", "-v", extra={"license_file": first})
    assert run.rc == 0, run.output
    assert _licence(api) == LICENCE_1.rstrip()
    generation, digest = _template(deploy)
    assert digest == _sha(LICENCE_1)
    outputs = [run.output]

    # the same file again: nothing changes, nothing is written, no restart
    again = playbook(platform, "license.yml", "-v", extra={"license_file": first})
    assert again.rc == 0 and again.changed == 0, again.output
    assert again.mutating == [], describe_requests(again.mutating)
    assert _template(deploy) == (generation, digest)
    outputs.append(again.output)

    # check mode with a new licence: announced, not written
    second = _file(tmp_path, "license-2", LICENCE_2)
    dry = playbook(platform, "license.yml", "--check", "--diff", "-v", extra={"license_file": second})
    assert dry.rc == 0 and dry.changed > 0, dry.output
    assert dry.mutating == [], describe_requests(dry.mutating)
    assert _licence(api) == LICENCE_1.rstrip()
    outputs.append(dry.output)

    # a new licence: written, the old one kept, exactly one restart (one pod-template change)
    update = playbook(platform, "license.yml", "-v", extra={"license_file": second})
    assert update.rc == 0, update.output
    assert _licence(api) == LICENCE_2.rstrip()
    assert _licence(api, "seldon-deploy-license-previous") == LICENCE_1.rstrip()
    assert _template(deploy) == (generation + 1, _sha(LICENCE_2))
    outputs.append(update.output)

    # rollback in one command
    back = playbook(platform, "license.yml", "-v", extra={"license_rollback": "true"})
    assert back.rc == 0, back.output
    assert _licence(api) == LICENCE_1.rstrip()
    assert _licence(api, "seldon-deploy-license-previous") == LICENCE_2.rstrip()
    assert _template(deploy) == (generation + 2, _sha(LICENCE_1))
    outputs.append(back.output)

    leaked = [line for out in outputs for line in SECRET_LINES if line in out]
    assert leaked == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty", "", "is empty"),
    ("blank", "\n  \n", "is empty"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not text"),
    ("oversized", "x" * 70000, "is 70000 bytes, more than the 65536"),
])
def test_bad_licence_is_refused_with_no_write(platform, api, deploy, tmp_path, name, content, message):
    before = (_licence(api), _template(deploy))
    run = playbook(platform, "license.yml", "-v", extra={"license_file": _file(tmp_path, name, content)})
    assert run.rc != 0
    assert f"license_file ({tmp_path / name}) {message}" in run.output
    assert run.mutating == [], describe_requests(run.mutating)
    assert (_licence(api), _template(deploy)) == before


def test_missing_file_and_no_source_are_refused(platform, tmp_path):
    missing = playbook(platform, "license.yml", extra={"license_file": str(tmp_path / "nope")})
    assert missing.rc != 0 and "license_file: cannot read" in missing.output and missing.mutating == []
    neither = playbook(platform, "license.yml")
    assert neither.rc != 0 and "set exactly one of license_file and license_vault_path" in neither.output


def test_licence_from_vault(platform, api, deploy, monkeypatch):
    kv = {"secret": {"modelplane/prod": {"license": LICENCE_2}}}
    with VaultDouble(kv).running() as vault:
        monkeypatch.setenv("VAULT_ADDR", vault.url)
        monkeypatch.setenv("VAULT_TOKEN", vault.root_token)
        run = playbook(platform, "license.yml", "-v", extra={"license_vault_path": "modelplane/prod"})
        assert run.rc == 0, run.output
        assert _licence(api) == LICENCE_2.rstrip()
        assert not any(line in run.output for line in SECRET_LINES)
        missing = playbook(platform, "license.yml", extra={"license_vault_path": "modelplane/nope"})
    assert missing.rc != 0
    assert "license_vault_path: cannot read key license at secret/data/modelplane/nope" in missing.output
    assert missing.mutating == []


def test_onboarding_reads_batch_credentials_from_vault(platform, api, tmp_path, monkeypatch):
    import base64

    tenants = tmp_path / "tenants.yaml"
    tenants.write_text("tenants:\n  - name: vault-batch\n    groups: {ds-team-v: write}\n    batch: true\n")
    kv = {"secret": {"modelplane/prod/storage": {"access_key_id": "vault-access-1d2c",
                                                 "secret_access_key": "vault-secret-8e7f6a5b"}}}
    with VaultDouble(kv).running() as vault:
        monkeypatch.setenv("VAULT_ADDR", vault.url)
        monkeypatch.setenv("VAULT_TOKEN", vault.root_token)
        run = playbook(platform, "onboard.yml", "-v", extra={"tenants_file": tenants,
                                                             "batch_credentials_vault_path": "modelplane/prod/storage"})
        missing = playbook(platform, "onboard.yml", extra={"tenants_file": tenants,
                                                           "batch_credentials_vault_path": "modelplane/none"})
    assert run.rc == 0, run.output
    data = client.CoreV1Api(api).read_namespaced_secret("seldon-job-secret", "vault-batch").data
    assert base64.b64decode(data["RCLONE_CONFIG_S3_SECRET_ACCESS_KEY"]).decode() == "vault-secret-8e7f6a5b"
    assert "vault-secret-8e7f6a5b" not in run.output and "vault-access-1d2c" not in run.output
    assert missing.rc != 0 and missing.mutating == []
    assert "batch_credentials_vault_path: cannot read access_key_id and secret_access_key at " \
           "secret/data/modelplane/none" in missing.output
