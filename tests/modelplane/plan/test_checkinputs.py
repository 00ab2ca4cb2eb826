"""The inputs `modelplane render` records in plan.json for `modelplane check --plan`: the same as validating
the stack gives, paths and never values of credentials, and refused once a file they came from changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from modelplane.commands.cli import main
from modelplane.engine.render import load_stack
from modelplane.plan import checkinputs
from tests.conftest import STACKS, edit_stack


def _plan(plan_dir: Path) -> dict:
    return json.loads((plan_dir / "plan.json").read_text())


def _check_json(capsys, stack: str, root: Path, plan_dir: Path) -> tuple[int, dict]:
    code = main(["check", "--stack", stack, "--root", str(root), "--plan", str(plan_dir), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("stack", STACKS)
def test_the_record_is_what_validating_the_stack_gives(rendered, stack):
    config, tenants, _ = load_stack(stack, plan_dir=rendered[stack])
    record = _plan(rendered[stack])[checkinputs.KEY]
    assert checkinputs.CheckInputs.from_json(record) == checkinputs.of_validated(config, tenants)
    assert set(record["files"]) == {f"stacks/Pulumi.{stack}.yaml", f"stacks/tenants/{stack}.yaml"}
    assert all(digest.startswith("sha256:") for digest in record["files"].values())
    assert record["tenants"] and record["opaGrants"] or stack == "local"


def test_a_default_credential_is_recorded_by_path_and_reported_without_its_value(rendered, capsys):
    """stacks/Pulumi.local.yaml types MinIO's seed root password in plaintext (allowed in local only)."""
    record = _plan(rendered["local"])[checkinputs.KEY]
    assert record["defaultCredentials"] == ["addons.minio.rootPassword"]
    assert "minioadmin" not in json.dumps(record)
    code, report = _check_json(capsys, "local", Path.cwd(), rendered["local"])
    found = [f for f in report["findings"] if f["rule"] == "MP008"]
    assert code == 0 and [f["resource"] for f in found if "stack config" in f["resource"]] == [
        "stack config addons.minio.rootPassword"]
    assert all("minioadmin" not in f["message"] for f in found)


def test_files_changed_since_the_render_are_validated_and_checked_as_they_are_now(stack_tree, tmp_path, capsys):
    """A tenants file edited after the render (a PR that only changes tenants): the record is not used; the
    stack is validated again and the rules see the tenants file as it is now, with a note saying so."""
    out = tmp_path / "plan"
    assert main(["render", "--stack", "prod", "--root", str(stack_tree), "--out", str(out)]) == 0
    capsys.readouterr()
    code, report = _check_json(capsys, "prod", stack_tree, out)
    assert code == 0 and not any("changed since" in n for n in report["notes"])

    tenants = stack_tree / "stacks" / "tenants" / "prod.yaml"
    tenants.write_text(tenants.read_text().replace('    quota: {cpu: "8", memory: 32Gi, pods: 50}\n', ""))
    code, report = _check_json(capsys, "prod", stack_tree, out)
    assert code == 1 and [(f["rule"], f["resource"], f["message"]) for f in report["findings"]] == [
        ("MP012", "tenant marketing", "no quota")]
    assert "stacks/tenants/prod.yaml changed since the plan was rendered: checked as they are now" in \
        report["notes"][0]

    tenants.write_text(tenants.read_text().replace("pods: 200", "pods: lots", 1))
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--plan", str(out)]) == 2
    assert "quota.pods" in capsys.readouterr().err


def test_a_plan_without_a_record_is_checked_by_validating_the_stack(rendered, stack_tree, tmp_path, capsys):
    """A plan rendered before the record existed: the stack is validated again, with the same result."""
    _, with_record = _check_json(capsys, "dev", Path.cwd(), rendered["dev"])
    old = tmp_path / "old"
    old.mkdir()
    plan = _plan(rendered["dev"])
    record = plan.pop(checkinputs.KEY)
    (old / "plan.json").write_text(json.dumps(plan))
    assert with_record["notes"][0] == ("stack inputs as validated when the plan was rendered "
                                       "(stacks/Pulumi.dev.yaml, stacks/tenants/dev.yaml: same digests)")
    with_record["notes"].pop(0)
    _, without = _check_json(capsys, "dev", Path.cwd(), old)
    assert without == with_record and with_record["findings"]
    (old / "plan.json").write_text(json.dumps({**plan, checkinputs.KEY: {**record, "tenants": None}}))
    assert _check_json(capsys, "dev", Path.cwd(), old)[1] == with_record

    edit_stack(stack_tree, "dev", lambda c: c.update({"modelplane:policy": {"overrides": {
        "MP010": {"enforcement": "advisory", "reason": "short"}}}}))
    assert main(["check", "--stack", "dev", "--root", str(stack_tree), "--plan", str(old)]) == 2
    assert "policy.overrides.MP010.reason" in capsys.readouterr().err


def test_a_models_file_is_recorded_and_an_edit_to_it_is_checked_as_it_is_now(stack_tree, tmp_path, capsys):
    def to_models_file(config):
        models = stack_tree / "stacks" / "models" / "prod.yaml"
        models.parent.mkdir(exist_ok=True)
        models.write_text(yaml.safe_dump({"models": config.pop("modelplane:models")}))
        config["modelplane:modelsFile"] = "stacks/models/prod.yaml"

    edit_stack(stack_tree, "prod", to_models_file)
    out = tmp_path / "plan"
    assert main(["render", "--stack", "prod", "--root", str(stack_tree), "--out", str(out)]) == 0
    capsys.readouterr()
    assert "stacks/models/prod.yaml" in _plan(out)[checkinputs.KEY]["files"]
    code, report = _check_json(capsys, "prod", stack_tree, out)
    assert code == 0 and not any("changed since" in n for n in report["notes"])

    models = stack_tree / "stacks" / "models" / "prod.yaml"
    models.write_text(models.read_text().replace("namespace: marketing", "namespace: nowhere", 1))
    assert main(["check", "--stack", "prod", "--root", str(stack_tree), "--plan", str(out)]) == 2
    assert "'nowhere' is not a tenant" in capsys.readouterr().err
