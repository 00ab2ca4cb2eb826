"""The tenant_onboard role's settings as a playbook run resolves them: the role's defaults
(`ansible/roles/tenant_onboard/defaults/main.yml`), overridden by a variables file given to the playbook with
`-e @FILE`. For commands that rebuild what onboarding wrote without running it (`modelplane drift`)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from components.errors import ConfigError, from_validation_error, read_yaml_file
from components.names import REPO_ROOT
from modelplane.onboarding.objects import ContainerDefaults, Options, PodSecurityLevel

ROLE = REPO_ROOT / "ansible" / "roles" / "tenant_onboard"
PREFIX = "tenant_onboard_"


class GivenContainerDefaults(BaseModel):
    """tenant_onboard_container_defaults as the argument spec types it: every key required."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    request_cpu: str
    request_memory: str
    limit_cpu: str
    limit_memory: str


class RoleSettings(BaseModel):
    """The role variables that shape the objects onboarding writes (the rest are inputs or run settings).
    Other variables are ignored: a playbook's variables file also carries credentials and the like."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    tenant_onboard_container_defaults: GivenContainerDefaults
    tenant_onboard_pod_security_audit: PodSecurityLevel | None = None

    def options(self) -> Options:
        return Options(pod_security_audit=self.tenant_onboard_pod_security_audit,
                       container_defaults=ContainerDefaults(**self.tenant_onboard_container_defaults.model_dump()))


def role_variables() -> set[str]:
    """Every variable the role's argument spec declares."""
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())
    return set(spec["argument_specs"]["main"]["options"])


def _as_ansible_str(value: object) -> object:
    # the argument spec types these as str, and Ansible turns a YAML number into one
    if isinstance(value, dict):
        return {k: str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for k, v in value.items()}
    return value


def role_options(vars_file: Path | None = None) -> Options:
    """The role's defaults, overridden by `vars_file`; ConfigError naming the file and the variable when the
    file cannot be read, names a variable the role does not have, or gives a bad value."""
    values = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    source = str(ROLE / "defaults" / "main.yml")
    if vars_file is not None:
        source = str(vars_file)
        given = read_yaml_file(Path(vars_file))
        if not isinstance(given, dict):
            raise ConfigError(source, ["(root): expected a mapping of variables, as for ansible-playbook -e @FILE"])
        unknown = sorted(k for k in given if str(k).startswith(PREFIX) and k not in role_variables())
        if unknown:
            raise ConfigError(source, [f"{k}: not a variable of the tenant_onboard role" for k in unknown])
        templated = sorted(k for k in given if str(k).startswith(PREFIX) and "{{" in yaml.safe_dump(given[k]))
        if templated:
            raise ConfigError(source, [f"{k}: a Jinja template; give the value it resolves to (it is compared, "
                                       "not templated)" for k in templated])
        values = {**values, **given}
    try:
        return RoleSettings.model_validate({k: _as_ansible_str(v) for k, v in values.items()}).options()
    except ValidationError as exc:
        raise from_validation_error(source, exc, model=RoleSettings) from None
