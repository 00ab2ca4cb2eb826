"""Secret references in stack config, and their resolution into Pulumi secret outputs.

A secret field holds one of:
  config:<key>   a Pulumi config secret, `pulumi config set --secret <key> ...` (top-level key)
  vault:<mount>/data/<path>#<key>   a HashiCorp Vault KV v2 secret, read with hvac (components.vault)
  generate       a password generated once (components.generated_password) and kept in (encrypted) state
  <literal>      plaintext in the stack file: accepted only in local/dev stacks

Whatever the source, the value reaches resources as a Pulumi secret, so plans, logs and state
show it only encrypted or as `<redacted>`.
"""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import AfterValidator
from pydantic.fields import FieldInfo

from components.vault import VAULT_PREFIX, VaultRef

GENERATE = "generate"
CONFIG_PREFIX = "config:"

# vault: reference -> value, filled by components.stack.load before the program declares resources;
# in this process's memory only, and reaching resources as Pulumi secrets
VAULT_VALUES: dict[str, str] = {}


def _secret_ref(value: str) -> str:
    if value.startswith(VAULT_PREFIX):
        VaultRef.parse(value)
    if value.startswith(CONFIG_PREFIX) and not value[len(CONFIG_PREFIX):]:
        raise ValueError("config: reference needs a key name, e.g. config:elasticPassword")
    if not value:
        raise ValueError("empty secret")
    return value


SecretRef = Annotated[str, AfterValidator(_secret_ref)]


def is_secret_field(field: FieldInfo) -> bool:
    """True for model fields typed SecretRef (or SecretRef | None)."""
    return any(getattr(m, "func", None) is _secret_ref for m in field.metadata) or any(
        getattr(m, "func", None) is _secret_ref
        for arg in get_args(field.annotation) for m in getattr(arg, "__metadata__", ())
    )


def is_plaintext(ref: str) -> bool:
    return not (ref == GENERATE or ref.startswith(CONFIG_PREFIX) or ref.startswith(VAULT_PREFIX))


def config_key(ref: str) -> str | None:
    return ref[len(CONFIG_PREFIX):] if ref.startswith(CONFIG_PREFIX) else None
