"""A loopback double of the few Vault HTTP endpoints modelplane uses — KV v2 read, AppRole login, token
lookup — with Vault's response shapes. Not Vault: no policies beyond "a valid token reads everything"."""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from tests.fakes.loopback import LoopbackApi, Request


class VaultDouble:
    def __init__(self, kv: dict[str, dict[str, dict[str, str]]], approle: tuple[str, str] = ("role", "secret")):
        """kv: mount -> path -> {key: value}."""
        self.kv = kv
        self.approle = approle
        self.root_token = "hvs." + secrets.token_hex(12)
        self.tokens = {self.root_token}
        self.api = LoopbackApi()
        self.api.route("POST", r"/v1/auth/approle/login", self._login)
        self.api.route("GET", r"/v1/auth/token/lookup-self", self._lookup)
        self.api.route("GET", r"/v1/(?P<mount>[^/]+)/data/(?P<path>.+)", self._read)

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("X-Vault-Token") in self.tokens

    def _login(self, request: Request):
        body = request.body or {}
        if (body.get("role_id"), body.get("secret_id")) != self.approle:
            return 400, {"errors": ["invalid role or secret ID"]}
        token = "hvs." + secrets.token_hex(12)
        self.tokens.add(token)
        return 200, {"auth": {"client_token": token, "policies": ["modelplane"], "lease_duration": 3600,
                              "renewable": True}}

    def _lookup(self, request: Request):
        if not self._authorized(request):
            return 403, {"errors": ["permission denied"]}
        return 200, {"data": {"id": request.headers["X-Vault-Token"], "policies": ["modelplane"], "ttl": 3600}}

    def _read(self, request: Request):
        if not self._authorized(request):
            return 403, {"errors": ["permission denied"]}
        mount, path = request.match["mount"], request.match["path"]
        data = self.kv.get(mount, {}).get(path)
        if data is None:
            return 404, {"errors": []}
        return 200, {"data": {"data": data, "metadata": {"version": 1, "deletion_time": "", "destroyed": False}}}

    @contextmanager
    def running(self):
        with self.api:
            self.url = self.api.url
            yield self
