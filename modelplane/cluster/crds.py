"""Loading the upstream CRDs (read where they are: ../shared/crds or MODELPLANE_CRDS, pinned by
upstream.lock.yaml) into a kube-apiserver, exactly as upstream ships them."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from modelplane.plan.upstream import YAML_LOADER, crds_dir


def crd_documents(crd_dir: Path | None = None) -> list[dict]:
    """Every CustomResourceDefinition in the directory's YAML files, as the files have it."""
    crd_dir = crd_dir or crds_dir()
    if not crd_dir.is_dir():
        raise FileNotFoundError(f"no CRD directory at {crd_dir} (../shared/crds beside the checkout, or "
                                "MODELPLANE_CRDS); upstream.lock.yaml says where each file comes from")
    docs = []
    for path in sorted(crd_dir.glob("*.yaml")):
        for doc in yaml.load_all(path.read_text(), Loader=YAML_LOADER):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                docs.append(doc)
    return docs


def load_crds(kubeconfig: Path, crd_dir: Path | None = None, timeout: float = 60) -> list[str]:
    """Create every CRD (create, not apply: the Seldon CRD is 2 MB) and wait until all are Established."""
    from kubernetes import client, config

    api = client.ApiextensionsV1Api(config.new_client_from_config(str(kubeconfig)))
    names = []
    for doc in crd_documents(crd_dir):
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
