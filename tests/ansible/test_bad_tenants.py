"""The corpus of bad tenants files: each is refused by the real onboarding playbook with the field named,
and nothing is written to the cluster."""

from __future__ import annotations

import re

import pytest
from kubernetes import client

from components.errors import ConfigError
from components.tenants import load_tenants
from tests.ansible.conftest import TENANTS, describe_requests, playbook

BAD = sorted((TENANTS / "bad").glob("*.yaml"))
CLUSTER_ONLY = {"foreign-namespace", "batch-without-credentials"}  # valid files, refused against the cluster


def expectation(path) -> str:
    return re.match(r"# expect: (.*)", path.read_text()).group(1)


def test_corpus_is_large_enough():
    assert len(BAD) >= 20


@pytest.mark.parametrize("path", [p for p in BAD if p.stem not in CLUSTER_ONLY], ids=lambda p: p.stem)
def test_model_refuses_with_the_field_named(path):
    with pytest.raises(ConfigError) as exc:
        load_tenants(path)
    assert expectation(path) in str(exc.value)


@pytest.mark.controlplane
@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_playbook_refuses_before_any_write(platform, api, extra_vars_file, path):
    if path.stem == "foreign-namespace":
        core = client.CoreV1Api(api)
        if not core.list_namespace(field_selector="metadata.name=someone-elses").items:
            core.create_namespace({"metadata": {"name": "someone-elses"}})
    creds = [] if path.stem == "batch-without-credentials" else ["-e", f"@{extra_vars_file}"]
    run = playbook(platform, "onboard.yml", *creds, extra={"tenants_file": path})
    assert run.rc != 0
    assert expectation(path) in run.output
    assert describe_requests(run.mutating) == []
