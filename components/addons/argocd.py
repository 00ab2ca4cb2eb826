"""Argo CD for GitOps (seed 003 §6.5, ArgoCD): served under /argocd/ behind the Istio gateway."""

from __future__ import annotations

from pydantic import Field

from components.addon import AddonConfig
from components.base import DnsLabel, Strict
from components.secrets import SecretRef

GIT_SECRET = "git-creds"


class GitCredentials(Strict):
    username: str
    token: SecretRef
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class ArgoCdConfig(AddonConfig):
    namespace: DnsLabel | None = "argocd"
    git: GitCredentials | None = None


def argocd_values() -> dict:
    return {
        "configs": {"params": {"server.insecure": True, "server.rootpath": "/argocd/",
                               "server.basehref": "/argocd/"}},
    }
