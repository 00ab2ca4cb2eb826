from __future__ import annotations

import pytest

from components import opa
from components.tenants import Tenant

A_WRITE = ("role_grants", "ds-a", "write", "namespace/a")
A_READ = ("role_grants", "ds-a", "read", "namespace/a")


def grants(**tenant) -> list[tuple]:
    return Tenant.model_validate(tenant).opa_grants()


def test_write_implies_read_and_global_is_a_star_read():
    assert grants(name="a", groups={"ds-a": "write"}, users={"bob": "read"}, visibility="global") == [
        A_READ, A_WRITE, ("user_grants", "bob", "read", "namespace/a"), ("user_grants", "*", "read", "namespace/a")]


def test_merge_keeps_entries_written_by_others_and_removes_only_its_own():
    hand_made = {"action": "read", "resource": "namespace/a"}
    document = {"role_grants": {"ops": [hand_made]}, "user_grants": {"*": [{"action": "read",
                                                                             "resource": "project/default"}]}}
    first = opa.merge(document, {}, {"a": [A_READ, A_WRITE, ("role_grants", "ops", "read", "namespace/a")]})
    assert first.added == [A_READ, A_WRITE]  # the ops grant already existed: not claimed
    assert first.owned == {"a": [list(A_READ), list(A_WRITE)]}
    removed = opa.merge(first.document, first.owned, {}, remove=["a"])
    assert removed.removed == [A_READ, A_WRITE]
    assert removed.document == document
    assert removed.owned == {}


def test_merge_is_idempotent_and_does_not_mutate_its_input():
    document = opa.parse_document(None)
    once = opa.merge(document, {}, {"a": [A_READ]})
    twice = opa.merge(once.document, once.owned, {"a": [A_READ]})
    assert document == {"role_grants": {}, "user_grants": {}}
    assert not twice.changed and twice.document == once.document


def test_dropping_a_grant_from_the_tenant_removes_it():
    once = opa.merge(opa.parse_document(None), {}, {"a": [A_READ, A_WRITE]})
    after = opa.merge(once.document, once.owned, {"a": [A_READ]})
    assert after.removed == [A_WRITE]
    assert after.document["role_grants"]["ds-a"] == [{"action": "read", "resource": "namespace/a"}]


def test_refuses_over_one_mebibyte():
    many = {f"ns-{i}": [("user_grants", f"user-{i}-{'x' * 40}", "read", f"namespace/ns-{i}")] for i in range(9000)}
    with pytest.raises(opa.PolicyError, match="over the ConfigMap limit"):
        opa.merge(opa.parse_document(None), {}, many)


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"), ("[]", "expected a JSON object"),
    ('{"role_grants": []}', "role_grants: expected an object of lists")])
def test_refuses_a_document_it_cannot_read(text, message):
    with pytest.raises(opa.PolicyError, match=message):
        opa.parse_document(text)
