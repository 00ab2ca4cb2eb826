"""Loading the upstream CRDs (read where they are: ../shared/crds or MODELPLANE_CRDS, pinned by
upstream.lock.yaml) into a kube-apiserver 1.20.

kube-apiserver 1.20 rejects two things newer CRDs contain (../shared/crds/README.md): a `default: ""` (its
decoder drops the empty string and then finds a null default for a string), and an
`x-kubernetes-list-type: map` whose map keys are neither required nor defaulted in the items — which is
what a map key becomes once its `default: ""` is gone. Every document is adjusted by those two rules on
the parsed YAML, whatever file it comes from; a document with neither is loaded exactly as upstream ships
it. The files themselves are never changed."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from modelplane.upstream import YAML_LOADER, crds_dir


def _keys_unset(node: dict) -> bool:
    """A list-type map with a map key that is neither required nor defaulted in its items: 1.20 refuses it."""
    items = node.get("items") or {}
    required, properties = set(items.get("required") or []), items.get("properties") or {}
    return any(key not in required and "default" not in (properties.get(key) or {})
               for key in node.get("x-kubernetes-list-map-keys") or [])


def adjust_for_1_20(node):
    """The node without what 1.20 refuses (see the module doc); everything else kept as it is."""
    if isinstance(node, list):
        return [adjust_for_1_20(v) for v in node]
    if not isinstance(node, dict):
        return node
    # children first: dropping `default: ""` from a map key is what leaves that key without a default
    out = {k: adjust_for_1_20(v) for k, v in node.items() if not (k == "default" and v == "")}
    if out.get("x-kubernetes-list-type") == "map" and _keys_unset(out):
        out.pop("x-kubernetes-list-type")
        out.pop("x-kubernetes-list-map-keys", None)
    return out


def crd_documents(crd_dir: Path | None = None) -> list[dict]:
    """Every CustomResourceDefinition in the directory's YAML files, adjusted for 1.20."""
    crd_dir = crd_dir or crds_dir()
    if not crd_dir.is_dir():
        raise FileNotFoundError(f"no CRD directory at {crd_dir} (../shared/crds beside the checkout, or "
                                "MODELPLANE_CRDS); upstream.lock.yaml says where each file comes from")
    docs = []
    for path in sorted(crd_dir.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=YAML_LOADER):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                docs.append(adjust_for_1_20(doc))
    return docs


def load_crds(kubeconfig: Path, crd_dir: Path | None = None, timeout: float = 60) -> list[str]:
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
