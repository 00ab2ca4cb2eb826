"""The Pulumi component beside components.addons.argocd, which holds its config and derived values free of the
Pulumi SDK (validating a stack or checking a plan never imports it)."""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_kubernetes as k8s

from components.addon_component import HelmAddon
from components.addons.argocd import GIT_SECRET, PREFIX, PROJECT, ArgoCdConfig, GitCredentials, argocd_values
from components.kit import PART_OF, PlatformKit
from components.password import bcrypt_hash
from components.timestamp import StaticTime


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
