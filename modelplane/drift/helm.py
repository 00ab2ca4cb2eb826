"""Helm 3's release records: Secrets `sh.helm.release.v1.<release>.v<revision>` (type helm.sh/release.v1,
labels name, owner=helm, status, version) whose `release` value is base64 of gzipped JSON. Drift reads the
release name, namespace, chart name and version, revision and status from them; never the values."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass

SECRET_TYPE = "helm.sh/release.v1"
SELECTOR = "owner=helm"


@dataclass(frozen=True)
class Release:
    name: str
    namespace: str
    chart: str
    version: str
    revision: int = 0
    status: str = "deployed"


def decode(secret: dict) -> Release:
    """The release a Helm 3 release Secret records (the Secret as the API returns it)."""
    payload = base64.b64decode(base64.b64decode((secret.get("data") or {})["release"]))
    if payload[:2] == b"\x1f\x8b":
        payload = gzip.decompress(payload)
    record = json.loads(payload)
    chart = (record.get("chart") or {}).get("metadata") or {}
    return Release(name=record["name"], namespace=record.get("namespace") or secret["metadata"]["namespace"],
                   chart=chart.get("name", ""), version=chart.get("version", ""),
                   revision=int(record.get("version") or 0), status=(record.get("info") or {}).get("status", ""))


def current(secrets: list[dict]) -> tuple[dict[tuple[str, str], Release], list[str]]:
    """The latest revision of every release, by (namespace, name), and the Secrets that could not be read."""
    latest: dict[tuple[str, str], Release] = {}
    unreadable = []
    for secret in secrets:
        if secret.get("type") != SECRET_TYPE:
            continue
        try:
            release = decode(secret)
        except (KeyError, ValueError, OSError) as exc:
            meta = secret["metadata"]
            unreadable.append(f"Secret {meta.get('namespace')}/{meta.get('name')}: not a Helm 3 release record "
                              f"(base64 of gzipped JSON): {exc}")
            continue
        where = (release.namespace, release.name)
        if where not in latest or release.revision > latest[where].revision:
            latest[where] = release
    return latest, unreadable
