from __future__ import annotations

from pathlib import Path

import pytest

from components.errors import ConfigError
from components.tenants import load_tenants, parse_tenants

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stack", ["local", "dev", "staging", "prod"])
def test_committed_tenants_files_validate(stack):
    tenants = load_tenants(REPO / "stacks" / "tenants" / f"{stack}.yaml")
    assert tenants.tenants


@pytest.mark.parametrize(("tenant", "expected"), [
    ({"name": "Team_A"}, "tenants[0].name: 'Team_A' is not a DNS-1123 label"),
    ({"name": "kube-public"}, "tenants[0].name: 'kube-public' is a reserved namespace"),
    ({"name": "seldon-logs"}, "reserved namespace"),
    ({"name": "a", "visibility": "public"}, "tenants[0].visibility: 'public' is not one of restricted, global"),
    ({"name": "a", "groups": {"g": "admin"}}, "tenants[0].groups.g: 'admin' is not one of read, write"),
    ({"name": "a", "quota": {"cpu": "lots", "memory": "1Gi", "pods": 1}}, "tenants[0].quota.cpu"),
    ({"name": "a", "owner": "x"}, "tenants[0].owner: unknown key"),
])
def test_bad_tenants_name_the_field(tenant, expected):
    with pytest.raises(ConfigError) as exc:
        parse_tenants({"tenants": [tenant]})
    assert expected in str(exc.value)


def test_duplicate_tenants_refused():
    with pytest.raises(ConfigError, match="'a' is listed twice"):
        parse_tenants({"tenants": [{"name": "a"}, {"name": "a"}]})
