"""Argo CD for GitOps (seed 003 §6.5, ArgoCD): served under /argocd/ behind the Istio gateway, its admin
password from the secret source (bcrypt-hashed into argocd-secret), the `seldon` AppProject baseline and
the `git-creds` Secret Seldon Deploy commits with (token or SSH key)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field, model_validator

from components.addon import AddonConfig, HelmAddon
from components.base import DnsLabel, HttpUrl, Strict
from components.errors import FieldProblems
from components.kit import PART_OF, PlatformKit
from components.password import bcrypt_hash
from components.secrets import SecretRef
from components.timestamp import StaticTime

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


class ArgoCd(pulumi.ComponentResource):
    def __init__(self, name: str, config: ArgoCdConfig, kit: PlatformKit, *, system_namespace: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:ArgoCd", name, None, opts)
        password = kit.secrets.resolve(config.admin_password, "argocd-admin-password", self)
        admin_hash = pulumi.Output.secret(password.apply(lambda p: bcrypt_hash(p, "modelplane-argocd")))
        # moves only when the password does: a digest of the hash (which is itself a secret) as the trigger
        changed = StaticTime(f"{name}-admin-password-mtime", opts=pulumi.ResourceOptions(parent=self),
                             triggers={"password": admin_hash.apply(lambda h: hashlib.sha256(h.encode()).hexdigest())})
        url = config.url or kit.public_url(PREFIX.rstrip("/"))
        self.release = HelmAddon(name, pin=config.pin("argo-cd"), namespace=kit.ns(config.namespace),
                                 values=argocd_values(admin_hash, changed.rfc3339, url),
                                 overrides=config.values,
                                 opts=pulumi.ResourceOptions(parent=self))
        kit.route("argocd-server", config.namespace, PREFIX, "argocd-server", 80, self, rewrite=False,
                  depends_on=[self.release])
        k8s.apiextensions.CustomResource(
            "seldon-appproject", api_version="argoproj.io/v1alpha1", kind="AppProject",
            metadata={"name": PROJECT, "namespace": kit.ns(config.namespace), "labels": PART_OF},
            spec={"description": "Seldon Deploy GitOps namespaces (destinations added per tenant)",
                  "sourceRepos": ["*"], "destinations": [], "clusterResourceWhitelist": []},
            # tenant onboarding adds destinations; Pulumi must not take them away again
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.release], ignore_changes=["spec.destinations"]))
        self.needed_by_deploy: list[pulumi.Resource] = [self.release]
        if config.git:
            self.needed_by_deploy.append(
                kit.secret(GIT_SECRET, system_namespace, self._git_data(config.git, kit), self))
        self.register_outputs({})

    def _git_data(self, git: GitCredentials, kit: PlatformKit) -> dict:
        data: dict = {"username": git.username, "email": git.email}
        if git.token:
            data["token"] = kit.secrets.resolve(git.token, "git-token", self)
        else:
            data["id_rsa"] = kit.secrets.resolve(git.ssh_private_key, "git-ssh-key", self)
            data["known_hosts"] = git.ssh_known_hosts
            data["passphrase"] = (kit.secrets.resolve(git.ssh_passphrase, "git-ssh-passphrase", self)
                                  if git.ssh_passphrase else "")
        return data
