"""The CRD loader reads ../shared/crds where it is and adjusts for kube-apiserver 1.20 by rule."""

from __future__ import annotations

import copy

import yaml

from modelplane.crds import adjust_for_1_20, crd_documents
from modelplane.upstream import YAML_LOADER, crds_dir


def upstream_documents() -> list[dict]:
    return [d for path in sorted(crds_dir().glob("*.yaml")) for d in yaml.load_all(path.read_text(), Loader=YAML_LOADER)
            if d and d.get("kind") == "CustomResourceDefinition"]


def test_every_crd_of_the_shared_directory_is_loaded():
    names = [d["metadata"]["name"] for d in crd_documents()]
    assert names == [d["metadata"]["name"] for d in upstream_documents()]
    assert len(set(names)) == len(names)
    assert {"knativeservings.operator.knative.dev", "knativeeventings.operator.knative.dev"} <= set(names)


def test_a_document_without_what_1_20_refuses_is_loaded_as_shipped():
    upstream = {d["metadata"]["name"]: d for d in upstream_documents()}
    adjusted = {d["metadata"]["name"]: d for d in crd_documents()}
    for name in ("seldondeployments.machinelearning.seldon.io", "prometheusrules.monitoring.coreos.com"):
        assert adjusted[name] == upstream[name]
    text = repr(adjusted["servicemonitors.monitoring.coreos.com"])
    assert "'default': ''" not in text and "'default': ''" in repr(upstream["servicemonitors.monitoring.coreos.com"])


def schema(list_node: dict) -> dict:
    return {"type": "object", "properties": {"ports": list_node}}


def test_a_list_map_loses_its_marker_only_when_a_key_is_left_without_default_or_required():
    ports = {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "protocol"],
             "items": {"type": "object", "required": ["name"], "properties": {
                 "name": {"type": "string"}, "protocol": {"type": "string", "default": "TCP"}}}}
    assert adjust_for_1_20(schema(ports)) == schema(ports)
    emptied = copy.deepcopy(ports)
    emptied["items"]["properties"]["protocol"]["default"] = ""
    adjusted = adjust_for_1_20(schema(emptied))["properties"]["ports"]
    assert "x-kubernetes-list-type" not in adjusted and "x-kubernetes-list-map-keys" not in adjusted
    assert adjusted["items"]["properties"]["protocol"] == {"type": "string"}
