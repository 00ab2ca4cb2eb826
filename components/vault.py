"""Stack secrets read from HashiCorp Vault (KV version 2) with hvac.

A reference is `vault:<mount>/data/<path>#<key>`, e.g. `vault:secret/data/modelplane/prod#elastic_password`.
The client is configured from the environment, as Vault's own CLI is: VAULT_ADDR, then one of
  VAULT_TOKEN                          a token
  VAULT_ROLE_ID + VAULT_SECRET_ID      AppRole login (mount VAULT_APPROLE_MOUNT, default approle)
  VAULT_K8S_ROLE                       Kubernetes auth with the pod's service-account token
Every reference is read before the first resource is declared; a missing path or key fails naming both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

VAULT_PREFIX = "vault:"
REF = re.compile(r"^vault:(?P<mount>[A-Za-z0-9_.-]+)/data/(?P<path>[A-Za-z0-9_./-]+)#(?P<key>[A-Za-z0-9_.-]+)$")
K8S_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


class VaultError(Exception):
    pass


@dataclass(frozen=True)
class VaultRef:
    mount: str
    path: str
    key: str

    @classmethod
    def parse(cls, ref: str) -> VaultRef:
        match = REF.match(ref)
        if not match:
            raise ValueError(f"{ref!r} is not a Vault KV v2 reference: vault:<mount>/data/<path>#<key>, "
                             "e.g. vault:secret/data/modelplane/prod#elastic_password")
        return cls(match["mount"], match["path"], match["key"])

    def __str__(self) -> str:
        return f"{self.mount}/data/{self.path}#{self.key}"


def client_from_env(env: dict[str, str] | None = None):
    """An authenticated hvac client; VaultError naming what is missing otherwise."""
    import hvac

    env = dict(os.environ if env is None else env)
    addr = env.get("VAULT_ADDR")
    if not addr:
        raise VaultError("VAULT_ADDR is not set")
    client = hvac.Client(url=addr, namespace=env.get("VAULT_NAMESPACE"), verify=env.get("VAULT_CACERT", True))
    try:
        if env.get("VAULT_TOKEN"):
            client.token = env["VAULT_TOKEN"]
        elif env.get("VAULT_ROLE_ID") and env.get("VAULT_SECRET_ID"):
            client.auth.approle.login(role_id=env["VAULT_ROLE_ID"], secret_id=env["VAULT_SECRET_ID"],
                                      mount_point=env.get("VAULT_APPROLE_MOUNT", "approle"))
        elif env.get("VAULT_K8S_ROLE"):
            client.auth.kubernetes.login(role=env["VAULT_K8S_ROLE"], jwt=K8S_TOKEN.read_text().strip(),
                                         mount_point=env.get("VAULT_K8S_MOUNT", "kubernetes"))
        else:
            raise VaultError("no Vault credentials: set VAULT_TOKEN, VAULT_ROLE_ID and VAULT_SECRET_ID, or "
                             "VAULT_K8S_ROLE")
        client.auth.token.lookup_self()
    except (hvac.exceptions.VaultError, OSError) as exc:
        raise VaultError(f"cannot log in to Vault at {addr}: {_reason(exc)}") from None
    return client


def _reason(exc: Exception) -> str:
    # hvac's messages carry the server's errors list, never the request body (which may hold credentials)
    return f"{type(exc).__name__}: {exc}".split(", on ")[0]


class VaultReader:
    """Reads each (mount, path) once; values are kept in memory only for this process."""

    def __init__(self, client):
        self._client = client
        self._documents: dict[tuple[str, str], dict] = {}

    def read(self, ref: VaultRef) -> str:
        import hvac

        where = (ref.mount, ref.path)
        if where not in self._documents:
            try:
                response = self._client.secrets.kv.v2.read_secret_version(
                    path=ref.path, mount_point=ref.mount, raise_on_deleted_version=True)
            except hvac.exceptions.InvalidPath:
                raise VaultError(f"vault {ref}: no secret at {ref.mount}/data/{ref.path}") from None
            except hvac.exceptions.Forbidden:
                raise VaultError(f"vault {ref}: permission denied reading {ref.mount}/data/{ref.path}") from None
            except hvac.exceptions.VaultError as exc:
                raise VaultError(f"vault {ref}: {_reason(exc)}") from None
            self._documents[where] = response["data"]["data"]
        value = self._documents[where].get(ref.key)
        if not isinstance(value, str) or not value:
            raise VaultError(f"vault {ref}: key {ref.key!r} is missing or empty at {ref.mount}/data/{ref.path}")
        return value
