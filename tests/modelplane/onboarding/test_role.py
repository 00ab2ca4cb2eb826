"""The tenant_onboard role's settings read as a playbook run resolves them: its defaults, then a variables file
(-e @FILE); one set of defaults for the role, its argument spec and the engine; bad files refused by name."""

from __future__ import annotations

import pytest
import yaml

from components.errors import ConfigError
from modelplane.onboarding import objects as build
from modelplane.onboarding.role import ROLE, role_options, role_variables


def test_the_role_defaults_its_argument_spec_and_the_engine_agree():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert (defaults["tenant_onboard_container_defaults"] == spec["tenant_onboard_container_defaults"]["default"]
            == build.ContainerDefaults().model_dump())
    assert set(defaults) <= role_variables()
    assert role_options() == build.Options()


def test_a_variables_file_overrides_the_defaults_as_ansible_would(tmp_path):
    given = tmp_path / "vars.yml"
    given.write_text(yaml.safe_dump({
        "tenant_onboard_container_defaults": {"request_cpu": "250m", "request_memory": "512Mi", "limit_cpu": 2,
                                              "limit_memory": "2Gi"},
        "tenant_onboard_pod_security_audit": "baseline",
        "batch_credentials": {"access_key_id": "not-read", "secret_access_key": "not-read"}}))
    options = role_options(given)
    assert options.container_defaults == build.ContainerDefaults(
        request_cpu="250m", request_memory="512Mi", limit_cpu="2", limit_memory="2Gi")
    assert options.pod_security_audit == "baseline"


@pytest.mark.parametrize("content, problem", [
    ({"tenant_onboard_containr_defaults": {}}, "tenant_onboard_containr_defaults: not a variable of the "
                                               "tenant_onboard role"),
    ({"tenant_onboard_pod_security_audit": "strict"}, "tenant_onboard_pod_security_audit: 'strict' is not one of"),
    ({"tenant_onboard_container_defaults": {"request_cpu": "1"}}, "tenant_onboard_container_defaults.limit_cpu"),
    ({"tenant_onboard_pod_security_audit": "{{ level }}"}, "tenant_onboard_pod_security_audit: a Jinja template"),
    (["tenant_onboard_workers"], "(root): expected a mapping of variables"),
])
def test_a_bad_variables_file_is_refused_naming_file_and_variable(tmp_path, content, problem):
    given = tmp_path / "vars.yml"
    given.write_text(yaml.safe_dump(content))
    with pytest.raises(ConfigError) as err:
        role_options(given)
    assert err.value.source == str(given)
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_a_missing_variables_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        role_options(tmp_path / "nowhere.yml")
