"""Resolving a stack's secret references into Pulumi secret outputs (the component side of
components.secrets, which holds the references' grammar free of the Pulumi SDK)."""

from __future__ import annotations

import pulumi

from components.secrets import GENERATE, VAULT_VALUES, config_key
from components.vault import VAULT_PREFIX


class SecretSource:
    """Resolves SecretRefs for one stack. Generated passwords are created once per name."""

    def __init__(self, project: str = "modelplane"):
        self._config = pulumi.Config(project)
        self._generated: dict[str, pulumi.Output[str]] = {}

    def resolve(self, ref: str, name: str, parent: pulumi.Resource | None = None, *,
                strong: bool = False) -> pulumi.Output[str]:
        """`strong`: a generated password has every character class (components.password.GENERATED), for
        services that refuse weaker ones (OpenSearch's admin user)."""
        key = config_key(ref)
        if key is not None:
            return self._config.require_secret(key)
        if ref.startswith(VAULT_PREFIX):
            # read (and validated) before any resource was declared: components.stack.load
            return pulumi.Output.secret(VAULT_VALUES[ref])
        if ref == GENERATE:
            if name not in self._generated:
                from components.generated_password import GeneratedPassword
                from components.password import GENERATED

                policy = {"special": True, **GENERATED} if strong else {"length": 32, "special": False}
                password = GeneratedPassword(name, **policy, opts=pulumi.ResourceOptions(parent=parent))
                self._generated[name] = pulumi.Output.secret(password.result)
            return self._generated[name]
        return pulumi.Output.secret(ref)
