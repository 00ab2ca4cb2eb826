"""Loading the upstream CRDs (tests/crds, copied unmodified from ../shared/crds) into a 1.20 apiserver.

kube-apiserver 1.20 rejects two schema features some of them use (see tests/crds/README.md): in those
files every `default: ""` and every `x-kubernetes-list-type: map` with its `x-kubernetes-list-map-keys`
are dropped from the parsed YAML. The files stay as upstream ships them."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

CRD_DIR = Path(__file__).resolve().parent.parent / "tests" / "crds"
NEEDS_1_20_STRIPPING = {"prometheus-servicemonitors.yaml", "prometheus-podmonitors.yaml",
                        "knative-serving-service.yaml", "eck-elasticsearches.yaml", "eck-kibanas.yaml"}


def _strip_for_1_20(node):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "default" and value == "":
                continue
            if key == "x-kubernetes-list-type" and value == "map":
                continue
            if key == "x-kubernetes-list-map-keys" and node.get("x-kubernetes-list-type") == "map":
                continue
            out[key] = _strip_for_1_20(value)
        return out
    if isinstance(node, list):
        return [_strip_for_1_20(v) for v in node]
    return node


def crd_documents(crd_dir: Path = CRD_DIR) -> list[dict]:
    docs = []
    for path in sorted(crd_dir.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader if hasattr(yaml, "CSafeLoader")
                                 else yaml.SafeLoader):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                docs.append(_strip_for_1_20(doc) if path.name in NEEDS_1_20_STRIPPING else doc)
    return docs


def load_crds(kubeconfig: Path, crd_dir: Path = CRD_DIR, timeout: float = 60) -> list[str]:
    """Create every CRD (create, not apply: the Seldon CRD is 2 MB) and wait until all are Established."""
    from kubernetes import client, config

    api = client.ApiextensionsV1Api(config.new_client_from_config(str(kubeconfig)))
    names = []
    for doc in crd_documents(crd_dir):
        doc.get("metadata", {}).pop("creationTimestamp", None)
        doc.pop("status", None)
        api.create_custom_resource_definition(doc)
        names.append(doc["metadata"]["name"])
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for name in list(pending):
            crd = api.read_custom_resource_definition(name)
            if any(c.type == "Established" and c.status == "True" for c in (crd.status.conditions or [])):
                pending.discard(name)
        time.sleep(0.2)
    if pending:
        raise RuntimeError(f"CRDs not established after {timeout}s: {sorted(pending)}")
    return names
