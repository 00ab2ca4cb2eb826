"""JSON requests to the Kubernetes API through the kubernetes client's ApiClient (its kubeconfig loading,
authentication, TLS and connection pool), for the kinds modelplane manages.

The typed APIs build a model object per item and the dynamic client discovers every API group first;
onboarding and drift read and write thousands of plain objects, so they ask for JSON by path instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from components.kinds import RESOURCES

PAGE = 500  # items per list request, as kubectl pages


class KubeError(Exception):
    """A request that failed: `status` is the HTTP status, 0 when the server could not be reached."""

    def __init__(self, status: int, message: str, reason: str = ""):
        super().__init__(message)
        self.status, self.reason = status, reason

    @property
    def conflict(self) -> bool:
        return self.status == 409

    @property
    def not_found(self) -> bool:
        return self.status == 404


def ref(obj: dict) -> str:
    """`Kind namespace/name` (`-` for cluster-scoped objects), as reports name objects."""
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')} {meta.get('namespace') or '-'}/{meta.get('name')}"


def key(obj: dict) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion", ""), obj.get("kind", ""), meta.get("namespace") or "", meta.get("name", ""))


def _say_once_that_tls_is_not_verified(host: str) -> None:
    """urllib3 warns on every request to a server whose certificate is not verified; a kubeconfig with
    insecure-skip-tls-verify makes that every request of a run. Say it once, naming the server, instead."""
    import sys
    import warnings

    import urllib3

    warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    if host not in _UNVERIFIED_SAID:
        _UNVERIFIED_SAID.add(host)
        print(f"warning: the kubeconfig skips TLS verification for {host} (insecure-skip-tls-verify): the "
              "server's identity is not checked", file=sys.stderr)


_UNVERIFIED_SAID: set[str] = set()


@dataclass
class Kube:
    api: object  # kubernetes.client.ApiClient

    @classmethod
    def from_kubeconfig(cls, path: str | Path | None = None, context: str | None = None,
                        pool: int = 16) -> Kube:
        """`path` or $KUBECONFIG or ~/.kube/config, as kubectl and kubernetes.core read them."""
        from kubernetes import client, config

        configuration = client.Configuration()
        config.load_kube_config(config_file=str(path) if path else None, context=context,
                                client_configuration=configuration)
        configuration.connection_pool_maxsize = pool
        configuration.retries = 1  # a stopped server fails fast instead of being retried three times
        if not configuration.verify_ssl:
            _say_once_that_tls_is_not_verified(configuration.host)
        return cls(client.ApiClient(configuration))

    @staticmethod
    def path(api_version: str, kind: str, namespace: str | None = None, name: str | None = None) -> str:
        try:
            plural, namespaced = RESOURCES[(api_version, kind)]
        except KeyError:
            raise KubeError(0, f"{api_version} {kind}: not a kind modelplane reads or writes") from None
        base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        if namespaced and namespace:
            base += f"/namespaces/{quote(namespace)}"
        base += f"/{plural}"
        return f"{base}/{quote(name)}" if name else base

    def request(self, method: str, path: str, *, query: dict | None = None, body: dict | None = None,
                content_type: str = "application/json") -> dict:
        import urllib3

        headers = {"Accept": "application/json", "Content-Type": content_type}
        _, url, headers, body, _ = self.api.param_serialize(
            method, path, query_params=list((query or {}).items()), header_params=headers, body=body,
            auth_settings=["BearerToken"])
        try:
            response = self.api.call_api(method, url, header_params=headers, body=body)
            data = response.read()
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise KubeError(0, f"cannot reach the Kubernetes API at {self.api.configuration.host}: "
                               f"{type(exc).__name__}") from None
        try:
            document = json.loads(data) if data else {}
        except json.JSONDecodeError:
            # a path the server does not serve (a kind whose CRD is gone) answers in plain text
            document = {"message": data.decode(errors="replace").strip()}
        if not 200 <= response.status < 300:
            message = document.get("message") if isinstance(document, dict) else None
            raise KubeError(response.status, message or f"HTTP {response.status}",
                            document.get("reason", "") if isinstance(document, dict) else "")
        return document

    def get(self, api_version: str, kind: str, namespace: str | None, name: str) -> dict | None:
        try:
            return self.request("GET", self.path(api_version, kind, namespace, name))
        except KubeError as exc:
            if exc.not_found:
                return None
            raise

    def list(self, api_version: str, kind: str, *, namespace: str | None = None,
             label_selector: str | None = None) -> list[dict]:
        """Every item, page by page, with apiVersion and kind filled in (a list's items lack them)."""
        items, token = [], None
        while True:
            query = {"limit": PAGE}
            if label_selector:
                query["labelSelector"] = label_selector
            if token:
                query["continue"] = token
            page = self.request("GET", self.path(api_version, kind, namespace), query=query)
            for item in page.get("items") or []:
                item["apiVersion"], item["kind"] = api_version, kind
                items.append(item)
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def apply(self, obj: dict, field_manager: str, *, force: bool = True) -> dict:
        """Server-side apply (creates or updates; fields `obj` no longer sets are dropped from the manager)."""
        meta = obj["metadata"]
        query = {"fieldManager": field_manager}
        if force:
            query["force"] = "true"
        return self.request("PATCH", self.path(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"]),
                            query=query, body=obj, content_type="application/apply-patch+yaml")

    def create(self, obj: dict) -> dict:
        return self.request("POST", self.path(obj["apiVersion"], obj["kind"], obj["metadata"].get("namespace")),
                            body=obj)

    def replace(self, obj: dict) -> dict:
        """PUT: with metadata.resourceVersion set, fails with 409 if the object changed since it was read."""
        meta = obj["metadata"]
        return self.request("PUT", self.path(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"]),
                            body=obj)

    def merge_patch(self, obj: dict) -> dict:
        meta = obj["metadata"]
        return self.request("PATCH", self.path(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"]),
                            body=obj, content_type="application/merge-patch+json")

    def delete(self, obj: dict) -> bool:
        """False if it was already gone."""
        meta = obj["metadata"]
        try:
            self.request("DELETE", self.path(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"]))
            return True
        except KubeError as exc:
            if exc.not_found:
                return False
            raise
