"""The CRD loader reads ../shared/crds where it is and hands the server every document exactly as shipped."""

from __future__ import annotations

import yaml

from modelplane.cluster.crds import crd_documents
from modelplane.plan.upstream import YAML_LOADER, crds_dir


def upstream_documents() -> list[dict]:
    return [d for path in sorted(crds_dir().glob("*.yaml")) for d in yaml.load_all(path.read_text(), Loader=YAML_LOADER)
            if d and d.get("kind") == "CustomResourceDefinition"]


def test_every_crd_of_the_shared_directory_is_loaded_unmodified():
    loaded, shipped = crd_documents(), upstream_documents()
    assert loaded == shipped
    names = [d["metadata"]["name"] for d in loaded]
    assert len(set(names)) == len(names)
    assert {"knativeservings.operator.knative.dev", "knativeeventings.operator.knative.dev",
            "seldondeployments.machinelearning.seldon.io"} <= set(names)


def test_the_shared_crds_carry_what_old_servers_refused():
    """CEL rules (x-kubernetes-validations) and empty-string defaults, which older servers refused, are in the
    files and go to the server as they are: the control-plane tests load them unmodified."""
    text = repr(upstream_documents())
    assert "'x-kubernetes-validations'" in text
    assert "'default': ''" in text
