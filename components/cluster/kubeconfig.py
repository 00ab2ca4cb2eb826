"""Kubeconfig documents for managed clusters, using the clouds' exec credential plugins."""

from __future__ import annotations

import json


def exec_kubeconfig(name: str, endpoint: str, ca_data: str, exec_spec: dict) -> str:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
        "users": [{"name": name, "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                     "interactiveMode": "Never", **exec_spec}}}],
    }
    return json.dumps(doc, sort_keys=True)
