"""The collection's pure filters (no cluster)."""

from __future__ import annotations

import json
import sys

from tests.ansible.conftest import REPO

sys.path.insert(0, str(REPO / "ansible" / "collections"))
from ansible_collections.modelplane.platform.plugins.filter import objects  # noqa: E402

POLICY = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
          "metadata": {"name": "deny", "namespace": "a"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}


def live(obj: dict, **changes) -> dict:
    """`obj` as the server returns it after a client-side apply."""
    served = json.loads(json.dumps(obj))
    served["metadata"].update(uid="1", resourceVersion="7", annotations={
        objects.LAST_APPLIED: json.dumps(obj)})
    served["spec"].pop("podSelector")  # empty maps come back absent
    served["spec"].update(changes)
    return served


def test_unchanged_object_needs_no_apply():
    assert objects.needs_apply([POLICY], [live(POLICY)]) == []


def test_missing_changed_and_hand_edited_objects_need_apply():
    edited = live(POLICY, policyTypes=["Ingress", "Egress"])
    assert objects.needs_apply([POLICY], []) == [POLICY]
    assert objects.needs_apply([POLICY], [edited]) == [POLICY]


def test_a_field_dropped_from_the_desired_object_needs_apply():
    labelled = json.loads(json.dumps(POLICY))
    labelled["metadata"]["labels"] = {"team": "a"}
    served = live(labelled)
    assert objects.needs_apply([POLICY], [served]) == [POLICY]


def test_existing_of_and_namespace_partitions():
    other = {**POLICY, "metadata": {"name": "deny", "namespace": "b"}}
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}
    assert objects.existing_of([POLICY, other], [live(POLICY)]) == [POLICY]
    assert objects.outside_namespaces([POLICY, other, ns], ["b"]) == [POLICY]
    assert objects.in_namespace([POLICY, other, ns], "b") == [other, ns]
