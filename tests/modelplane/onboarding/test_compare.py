"""Comparing desired objects with what the API server stores."""

from __future__ import annotations

from modelplane.onboarding.compare import HIDDEN, differences, owned_extra

QUOTA = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "a"},
         "spec": {"hard": {"requests.memory": "1024Mi", "pods": "10"}}}


def served(obj: dict, **spec) -> dict:
    """`obj` as the server returns it: its own metadata and defaults added."""
    live = {**obj, "metadata": {**obj["metadata"], "uid": "u", "resourceVersion": "9",
                                "creationTimestamp": "2026-01-01T00:00:00Z"}, "status": {"used": {}}}
    if spec:
        live["spec"] = {**obj.get("spec", {}), **spec}
    return live


def test_server_added_fields_are_not_differences():
    assert differences(QUOTA, served(QUOTA, scopes=[])) == []


def test_a_changed_field_is_named_with_both_values():
    live = served(QUOTA)
    live["spec"] = {"hard": {"requests.memory": "1024Mi", "pods": "20"}}
    assert differences(QUOTA, live) == [("spec.hard.pods", "20", "10")]


def test_quantities_compare_by_value_only_where_asked():
    live = served(QUOTA)
    live["spec"] = {"hard": {"requests.memory": "1Gi", "pods": "10"}}
    assert differences(QUOTA, live, quantities=True) == []
    assert differences(QUOTA, live) == [("spec.hard.requests.memory", "1Gi", "1024Mi")]


def test_empty_maps_and_lists_match_absent_fields_but_lists_compare_by_length():
    desired = {"metadata": {"annotations": {}}, "spec": {"podSelector": {}, "ingress": []}}
    assert differences(desired, {"metadata": {}, "spec": {}}) == []
    desired = {"subjects": [{"kind": "User", "name": "a"}]}
    assert differences(desired, {"subjects": [{"kind": "User", "name": "a"}, {"kind": "User", "name": "b"}]}) \
        == [("subjects", [{"kind": "User", "name": "a"}, {"kind": "User", "name": "b"}], desired["subjects"])]
    assert differences(desired, {"subjects": [{"kind": "User", "name": "b"}]}) == [("subjects[0].name", "b", "a")]


def test_secret_values_are_never_reported():
    desired = {"kind": "Secret", "data": {"KEY": "bmV3"}}
    assert differences(desired, {"kind": "Secret", "data": {"KEY": "b2xk"}}, secret=True) == [
        ("data.KEY", HIDDEN, HIDDEN)]


def managed(fields: dict, manager: str = "modelplane", operation: str = "Apply") -> dict:
    return {"metadata": {"managedFields": [{"manager": manager, "operation": operation, "fieldsV1": fields}]}}


def test_a_field_the_manager_applied_and_no_longer_sets_is_found():
    desired = {"metadata": {"labels": {"a": "1"}}}
    fields = {"f:metadata": {"f:labels": {".": {}, "f:a": {}, "f:b": {}}}}
    assert owned_extra(managed(fields), desired, "modelplane") == "metadata.labels.b"
    assert owned_extra(managed({"f:metadata": {"f:labels": {"f:a": {}}}}), desired, "modelplane") is None


def test_list_entries_are_left_to_the_list_comparison():
    desired = {"subjects": [{"name": "a"}]}
    assert owned_extra(managed({"f:subjects": {"k:{\"name\":\"b\"}": {}}}), desired, "modelplane") is None


def test_an_object_the_manager_never_applied_needs_applying():
    fields = {"f:metadata": {"f:labels": {"f:a": {}}}}
    assert owned_extra(managed(fields, operation="Update"), {}, "modelplane") == "(not applied by modelplane)"
    assert owned_extra(managed(fields, manager="kubectl"), {}, "modelplane") == "(not applied by modelplane)"
