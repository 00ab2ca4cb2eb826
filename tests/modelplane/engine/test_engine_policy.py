"""CrossGuard in the engine: `pulumi preview --policy-pack policies` loads the pack the way Pulumi does (its
own PulumiPolicy.yaml, run by the language host with the per-stack pack config), passes on the four
deployed stacks, and fails naming the rule on planted violations, which `modelplane check` reports too."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from components.tenants import load_tenants
from modelplane.commands.check import pack_config_for
from modelplane.engine.automation import BACKUP_CREDENTIALS, open_stack, scratch_project
from modelplane.engine.mocks import run_program
from modelplane.engine.render import plan_document
from modelplane.engine.stackfile import read_stack
from policies.check import evaluate, resources_from_plan
from policies.crossguard import policy_name
from policies.rules import RULES, Context
from tests.conftest import REPO, STACKS
from tests.fakes.planted_program.planted import declare

pytestmark = [pytest.mark.controlplane, pytest.mark.engine]
POLICIES = REPO / "policies"
PLANTED = REPO / "tests" / "fakes" / "planted_program"


def policy_preview(engine: auto.Stack, stack: str, project: Path) -> tuple[list[auto.PolicyEvent], str | None]:
    """The preview with the pack config of the stack as deployed (`modelplane policy-config` of the project:
    the existing-cluster form declares the backup credentials as provided, the committed prod does not)."""
    config = project / f"policy-config-{stack}.json"
    config.write_text(pack_config_for(stack, project))
    events: list[auto.EngineEvent] = []
    try:
        engine.preview(policy_packs=[str(POLICIES)], policy_pack_configs=[str(config)], on_event=events.append)
        error = None
    except auto.CommandError as exc:
        error = str(exc)
    return [e.policy_event for e in events if e.policy_event], error


@pytest.mark.parametrize("stack", STACKS)
def test_the_policy_pack_passes_every_deployed_stack(deployed, stack):
    d = deployed(stack)
    violations, error = policy_preview(d.engine, stack, d.project)
    for v in violations:
        print(f"[{stack}] {v.enforcement_level}: {v.message.splitlines()[0]}")
    assert error is None
    assert [v.policy_name for v in violations if v.enforcement_level == "mandatory"] == []


def test_planted_violations_fail_the_preview_naming_the_rule_as_modelplane_check_does(deployed, tmp_path):
    """prod plus a privileged SeldonDeployment (the planted program) and a MinIO root password from the
    seeds (`minioadmin`, as an encrypted secret)."""
    d = deployed("prod")
    project = scratch_project(tmp_path / "planted", kubeconfig=d.kubeconfig, program=PLANTED)
    engine = open_stack("prod", project, {**d.env, "KUBECONFIG": str(d.kubeconfig)})
    engine.set_config("modelplane:minioRootPassword", auto.ConfigValue("minioadmin", secret=True))
    violations, error = policy_preview(engine, "prod", project)
    assert error is not None, "a mandatory violation must fail the preview"
    engine_found = {(v.policy_name, v.resource_urn) for v in violations if v.enforcement_level == "mandatory"}
    names = {name for name, _ in engine_found}
    # privileged (MP003) and what a privileged container also breaks at restricted (MP023, MP028, ...)
    assert {policy_name(RULES["MP003"]), policy_name(RULES["MP008"])} <= names
    print("engine found:", sorted(names))

    flat, secret_keys = read_stack("prod", project)
    registrations = run_program(lambda: declare(project), flat, secret_keys, project="modelplane", stack="prod")
    plan = plan_document("prod", registrations)
    tenants = load_tenants(project / "stacks" / "tenants" / "prod.yaml")
    ctx = Context("prod", resources_from_plan(plan), tenants, tenants.opa_grants(),
                  provided=[f"Secret seldon-system/{BACKUP_CREDENTIALS}"])
    check_found = {(policy_name(f.rule), f.violation.urn) for f in evaluate("prod", ctx).findings
                   if f.enforcement == "mandatory"}
    # the one difference, by design: `modelplane check` never decrypts a secret (a plan needs no
    # credentials), so a seeds' password inside an encrypted config value is seen by the engine only
    secret_only = {f for f in engine_found if f[0].startswith("mp008-")}
    assert engine_found - secret_only == check_found
