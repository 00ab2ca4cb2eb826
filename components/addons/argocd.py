"""Argo CD for GitOps (seed 003 §6.5, ArgoCD): served under /argocd/ behind the Istio gateway, its admin
password from the secret source (bcrypt-hashed into argocd-secret), the `seldon` AppProject baseline and
the `git-creds` Secret Seldon Deploy commits with (token or SSH key)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from components.addon import AddonConfig
from components.base import DnsLabel, HttpUrl, Strict
from components.errors import FieldProblems
from components.secrets import SecretRef

if TYPE_CHECKING:  # annotations only: the Pulumi SDK stays out of config validation
    import pulumi

GIT_SECRET = "git-creds"
PROJECT = "seldon"
PREFIX = "/argocd/"


class GitCredentials(Strict):
    """Seed 003 GitOps: a user with a token, or an SSH key (with known_hosts) — exactly one."""

    username: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    token: SecretRef | None = None
    ssh_private_key: SecretRef | None = None
    ssh_known_hosts: str | None = None
    ssh_passphrase: SecretRef | None = None

    @model_validator(mode="after")
    def _one_method(self) -> GitCredentials:
        if (self.token is None) == (self.ssh_private_key is None):
            raise FieldProblems([(("token",), "set exactly one of token and sshPrivateKey")])
        if self.ssh_private_key and not self.ssh_known_hosts:
            raise FieldProblems([(("sshKnownHosts",), "required with sshPrivateKey (the git host's key)")])
        return self


class ArgoCdConfig(AddonConfig):
    namespace: DnsLabel | None = "argocd"
    admin_password: SecretRef = "generate"
    git: GitCredentials | None = None
    # where users reach Argo CD (SSO redirects, notification links); default https://<public host>/argocd
    url: HttpUrl | None = None


def argocd_values(admin_hash: pulumi.Input[str] | None = None, password_mtime: pulumi.Input[str] | None = None,
                  url: str | None = None) -> dict:
    values: dict = {
        "configs": {"params": {"server.insecure": True, "server.rootpath": PREFIX, "server.basehref": PREFIX}},
    }
    if url:
        values["global"] = {"domain": urlsplit(url).hostname}
        values["configs"]["cm"] = {"url": url}
    if admin_hash is not None:
        # the chart stamps the current time when no mtime is given: every upgrade would log admins out
        values["configs"]["secret"] = {"argocdServerAdminPassword": admin_hash,
                                       "argocdServerAdminPasswordMtime": password_mtime}
    return values
