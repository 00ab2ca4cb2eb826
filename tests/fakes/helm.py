"""Release records as Helm 3 writes them (storage driver `secret`), for clusters without a Helm binary:
Secret `sh.helm.release.v1.<release>.v<revision>`, type `helm.sh/release.v1`, labels name/owner/status/
version, and `release` = base64(gzip(JSON of the release)) — which the API then base64-encodes as Secret data."""

from __future__ import annotations

import base64
import gzip
import json


def release_secret(name: str, namespace: str, chart: str, version: str, revision: int = 1,
                   status: str = "deployed") -> dict:
    record = {"name": name, "namespace": namespace, "version": revision,
              "info": {"status": status, "first_deployed": "2026-11-23T00:00:00Z",
                       "last_deployed": "2026-11-23T00:00:00Z", "description": "Install complete"},
              "chart": {"metadata": {"apiVersion": "v2", "name": chart, "version": version}, "values": {}},
              "config": {}, "manifest": ""}
    helm_encoded = base64.b64encode(gzip.compress(json.dumps(record).encode())).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": f"sh.helm.release.v1.{name}.v{revision}", "namespace": namespace,
                         "labels": {"name": name, "owner": "helm", "status": status, "version": str(revision)}},
            "data": {"release": base64.b64encode(helm_encoded.encode()).decode()}}
