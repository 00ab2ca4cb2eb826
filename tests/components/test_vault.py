"""Vault as the secret source (hvac over HTTP) against the loopback double in tests/fakes/vault.py, and
against a real Vault when VAULT_ADDR and VAULT_TOKEN are set (marked `vault`)."""

from __future__ import annotations

import os

import pytest

from components.vault import VaultError, VaultReader, VaultRef, client_from_env
from modelplane.commands.cli import main
from tests.conftest import edit_stack
from tests.fakes.vault import VaultDouble

KV = {"secret": {"modelplane/prod": {"elastic_password": "Vault-Elastic-9f1c2e", "oidc_client_secret":
                                     "vault-oidc-4b7d01", "git_token": "vault-git-77ae3c",
                                     "minio_root": "vault-minio-0c9d55", "argocd_admin": "vault-argo-13e8f2",
                                     "postgres": "vault-pg-5a6b7c"}}}
KNOWN_VALUES = [v for doc in KV["secret"].values() for v in doc.values()]


@pytest.fixture
def vault():
    with VaultDouble(KV, approle=("modelplane-prod", "s3cret-id")).running() as double:
        yield double


def _approle(vault) -> dict[str, str]:
    return {"VAULT_ADDR": vault.url, "VAULT_ROLE_ID": "modelplane-prod", "VAULT_SECRET_ID": "s3cret-id"}


def test_token_auth_reads_kv_v2(vault):
    reader = VaultReader(client_from_env({"VAULT_ADDR": vault.url, "VAULT_TOKEN": vault.root_token}))
    assert reader.read(VaultRef.parse("vault:secret/data/modelplane/prod#git_token")) == "vault-git-77ae3c"
    paths = [r.path.split("?")[0] for r in vault.api.requests]
    assert paths == ["/v1/auth/token/lookup-self", "/v1/secret/data/modelplane/prod"]


def test_approle_login_then_reads_each_path_once(vault):
    reader = VaultReader(client_from_env(_approle(vault)))
    for key in ("git_token", "elastic_password"):
        reader.read(VaultRef.parse(f"vault:secret/data/modelplane/prod#{key}"))
    paths = [r.path.split("?")[0] for r in vault.api.requests]
    assert paths == ["/v1/auth/approle/login", "/v1/auth/token/lookup-self", "/v1/secret/data/modelplane/prod"]


@pytest.mark.parametrize(("env", "message"), [
    ({}, "VAULT_ADDR is not set"),
    ({"VAULT_ADDR": "{url}"}, "no Vault credentials"),
    ({"VAULT_ADDR": "{url}", "VAULT_TOKEN": "hvs.wrong"}, "cannot log in to Vault"),
    ({"VAULT_ADDR": "{url}", "VAULT_ROLE_ID": "modelplane-prod", "VAULT_SECRET_ID": "wrong"}, "cannot log in"),
])
def test_bad_credentials_fail_clearly(vault, env, message):
    with pytest.raises(VaultError, match=message):
        client_from_env({k: v.format(url=vault.url) for k, v in env.items()})


def test_missing_path_and_key_are_named(vault):
    reader = VaultReader(client_from_env(_approle(vault)))
    with pytest.raises(VaultError, match="no secret at secret/data/modelplane/nope"):
        reader.read(VaultRef.parse("vault:secret/data/modelplane/nope#x"))
    with pytest.raises(VaultError, match="key 'absent' is missing or empty at secret/data/modelplane/prod"):
        reader.read(VaultRef.parse("vault:secret/data/modelplane/prod#absent"))


def _vault_refs(config):
    a = config["modelplane:addons"]
    a["logging"]["password"] = "vault:secret/data/modelplane/prod#elastic_password"
    a["seldonDeploy"]["oidc"]["clientSecret"] = "vault:secret/data/modelplane/prod#oidc_client_secret"
    a["argocd"]["git"]["token"] = "vault:secret/data/modelplane/prod#git_token"
    a["argocd"]["adminPassword"] = "vault:secret/data/modelplane/prod#argocd_admin"
    a["minio"]["rootPassword"] = "vault:secret/data/modelplane/prod#minio_root"
    a["postgres"]["password"] = "vault:secret/data/modelplane/prod#postgres"


def test_render_with_vault_secrets_shows_no_secret_value(vault, stack_tree, tmp_path, monkeypatch):
    from components.secrets import VAULT_VALUES

    for key, value in _approle(vault).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    edit_stack(stack_tree, "prod", _vault_refs)
    out = tmp_path / "out"
    assert main(["render", "--stack", "prod", "--out", str(out), "--root", str(stack_tree)]) == 0
    # the values were read from Vault (so they could reach the resources), with one login although render
    # loads the stack twice (itself, then inside the program) ...
    assert set(KNOWN_VALUES) <= set(VAULT_VALUES.values())
    assert [r.path for r in vault.api.requests].count("/v1/auth/approle/login") == 1
    # ... and appear in none of the files a reviewer or CI sees
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "plan.json" for p in files) and any(p.suffix == ".yaml" for p in files)
    leaks = [(p.name, v) for p in files for v in KNOWN_VALUES if v in p.read_text()]
    assert leaks == []


def test_unreadable_vault_secret_fails_before_anything_is_written(vault, stack_tree, tmp_path, monkeypatch, capsys):
    for key, value in _approle(vault).items():
        monkeypatch.setenv(key, value)
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:addons"]["logging"].update(
        password="vault:secret/data/modelplane/staging#elastic_password"))
    out = tmp_path / "out"
    assert main(["render", "--stack", "prod", "--out", str(out), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert "addons.logging.password: vault secret/data/modelplane/staging#elastic_password: no secret at" in err
    assert not out.exists()


def test_malformed_vault_reference_names_the_field(stack_tree, tmp_path, capsys):
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:addons"]["logging"].update(password="vault:secret/x"))
    assert main(["render", "--stack", "prod", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "addons.logging.password: 'vault:secret/x' is not a Vault KV v2 reference" in capsys.readouterr().err


@pytest.mark.vault
@pytest.mark.skipif(not (os.environ.get("VAULT_ADDR") and os.environ.get("VAULT_TOKEN")),
                    reason="needs a real Vault: VAULT_ADDR and VAULT_TOKEN (KV v2 mounted at secret/)")
def test_against_a_real_vault():
    client = client_from_env()
    client.secrets.kv.v2.create_or_update_secret(path="modelplane-ci", secret={"probe": "real-vault-ok"},
                                                 mount_point="secret")
    reader = VaultReader(client)
    assert reader.read(VaultRef.parse("vault:secret/data/modelplane-ci#probe")) == "real-vault-ok"


def test_a_weak_search_password_in_vault_is_refused_naming_field_and_path(vault, stack_tree, tmp_path, monkeypatch,
                                                                          capsys):
    monkeypatch.setitem(KV["secret"]["modelplane/prod"], "weak_elastic", "vault-elastic-9f1c2e")
    for key, value in _approle(vault).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:addons"]["logging"].update(
        password="vault:secret/data/modelplane/prod#weak_elastic"))
    out = tmp_path / "out"
    assert main(["render", "--stack", "prod", "--out", str(out), "--root", str(stack_tree)]) == 2
    err = capsys.readouterr().err
    assert ("addons.logging.password: vault:secret/data/modelplane/prod#weak_elastic: too weak for OpenSearch's "
            "admin user: needs an upper-case letter") in err
    assert "vault-elastic-9f1c2e" not in err and not out.exists()
