"""`modelplane preflight` on a certificate Secret the stack declares as provided: what makes it wrong, and
the check against the control plane before anything is created."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from kubernetes import client, config

from components.addons.logging import LoggingConfig, search_names
from components.generated_certificate import issue
from harness.controlplane import ADMIN, ControlPlane
from modelplane.cluster.provided import tls_secret_problems
from modelplane.commands.cli import main
from tests.conftest import edit_stack

DN = "CN=opensearch-cluster-master.seldon-logs.svc,O=ml-platform"
CONFIG = LoggingConfig.model_validate({"tls": {"secretName": "opensearch-tls", "nodesDn": [DN],
                                               "certificate": "provided"}})


ADMIN_DN = "CN=opensearch-admin,O=modelplane"


def secret_data(subject: str = DN, names: list[str] | None = None, days: int = 365, pkcs1: bool = False,
                admin: str | None = None) -> dict:
    """A certificate Secret's data; with `admin`, the admin Secret's (a client certificate of that subject)."""
    issued = issue(subject, search_names(CONFIG) if names is None else names, days, client_subject=admin)
    if admin:
        issued = {**issued, "tls_crt": issued["admin_crt"], "tls_key": issued["admin_key"]}
    key = issued["tls_key"]
    if pkcs1:
        loaded = serialization.load_pem_private_key(key.encode(), None)
        key = loaded.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                   serialization.NoEncryption()).decode()
    text = {"tls.crt": issued["tls_crt"], "tls.key": key, "ca.crt": issued["ca_crt"]}
    return {k: base64.b64encode(v.encode()).decode() for k, v in text.items()}


def test_a_right_certificate_has_no_problem():
    assert tls_secret_problems(secret_data(), CONFIG) == []


@pytest.mark.parametrize(("data", "expected"), [
    (secret_data(pkcs1=True), "tls.key is not a PKCS #8 key"),
    (secret_data(subject="CN=other,O=ml-platform"), "tls.crt's subject 'CN=other,O=ml-platform' is not in nodesDn"),
    (secret_data(names=["opensearch-cluster-master"]),
     "tls.crt does not name opensearch-cluster-master.seldon-logs.svc.cluster.local"),
    (secret_data(days=10), "within 30 days"),
    ({"tls.crt": "", "tls.key": ""}, "no ca.crt"),
])
def test_what_makes_a_provided_certificate_wrong_is_named(data, expected):
    assert any(expected in p for p in tls_secret_problems(data, CONFIG)), tls_secret_problems(data, CONFIG)


def test_the_admin_secret_holds_a_client_certificate_of_admin_dn():
    assert tls_secret_problems(secret_data(admin=ADMIN_DN), CONFIG, admin=True) == []
    [wrong] = tls_secret_problems(secret_data(admin="CN=someone"), CONFIG, admin=True)
    assert wrong.startswith("tls.crt's subject 'CN=someone' is not adminDn (CN=opensearch-admin,O=modelplane)")


def test_a_different_ca_is_named():
    data = secret_data()
    data["ca.crt"] = secret_data()["ca.crt"]
    assert any("not by ca.crt's" in p for p in tls_secret_problems(data, CONFIG))


@pytest.mark.controlplane
def test_preflight_fails_until_the_provided_secret_exists_and_is_right(stack_tree, tmp_path, capsys):
    """On a control plane of its own: it creates and leaves the platform's namespaces."""
    plane = ControlPlane(tmp_path / "controlplane").start()
    try:
        preflight_until_provided(plane, stack_tree, capsys)
    finally:
        plane.stop()


def preflight_until_provided(controlplane: ControlPlane, stack_tree, capsys) -> None:
    kubeconfig = controlplane.kubeconfig(ADMIN)

    def provided(cfg: dict) -> None:
        cfg["modelplane:cluster"] = {"cloud": "existing", "kubeconfig": str(kubeconfig), "size": "ha"}
        cfg["modelplane:addons"]["logging"]["tls"]["certificate"] = "provided"
        cfg["modelplane:addons"]["postgres"]["logicalBackup"]["credentialsSecret"] = "backup-credentials"

    edit_stack(stack_tree, "prod", provided)
    preflight = ["preflight", "--stack", "prod", "--root", str(stack_tree)]
    writes = len(controlplane.mutating_requests())
    assert main(preflight) == 1
    out = capsys.readouterr().out
    assert "[failed] provided Secret seldon-logs/opensearch-tls: does not exist" in out
    assert "[failed] provided Secret seldon-system/backup-credentials: does not exist" in out
    assert len(controlplane.mutating_requests()) == writes, "preflight wrote to the cluster"

    core = client.CoreV1Api(config.new_client_from_config(str(kubeconfig)))
    core.create_namespace({"metadata": {"name": "seldon-system"}})
    core.create_namespaced_secret("seldon-system", {"metadata": {"name": "backup-credentials"}, "stringData": {
        "AWS_ACCESS_KEY_ID": "backup-user"}})
    assert main(preflight) == 1
    assert "backup-credentials: no AWS_SECRET_ACCESS_KEY" in capsys.readouterr().out
    core.patch_namespaced_secret("backup-credentials", "seldon-system", {"stringData": {
        "AWS_SECRET_ACCESS_KEY": "backup-secret-value"}})
    core.create_namespace({"metadata": {"name": "seldon-logs"}})
    body = {"metadata": {"name": "opensearch-tls", "namespace": "seldon-logs"}, "type": "kubernetes.io/tls"}
    core.create_namespaced_secret("seldon-logs", {**body, "data": secret_data(pkcs1=True)})
    assert main(preflight) == 1
    assert "tls.key is not a PKCS #8 key" in capsys.readouterr().out
    core.replace_namespaced_secret("opensearch-tls", "seldon-logs", {**body, "data": secret_data()})
    assert main(preflight) == 1
    assert "[failed] provided Secret seldon-logs/opensearch-tls-admin: does not exist" in capsys.readouterr().out
    admin = {"metadata": {"name": "opensearch-tls-admin", "namespace": "seldon-logs"}, "type": "kubernetes.io/tls"}
    core.create_namespaced_secret("seldon-logs", {**admin, "data": secret_data(admin=ADMIN_DN)})
    assert main(preflight) == 0
    assert "[ok] provided Secret seldon-logs/opensearch-tls" in capsys.readouterr().out
