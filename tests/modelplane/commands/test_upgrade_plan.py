"""`modelplane upgrade-plan` as users run it: bad input is an error naming it (exit 1), and a ref renders
with its own code into a scratch directory, touching nothing."""

from __future__ import annotations

import json
import subprocess

import pytest

from modelplane.commands.cli import main
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")


def status() -> str:
    return subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True).stdout


@pytest.mark.parametrize(("args", "expected"), [
    (["--stack", "prod", "--from", "no-such-ref-0123"], "--from no-such-ref-0123: not a commit of"),
    (["--stack", "nope", "--from", "HEAD"], "stack 'nope' does not exist there"),
])
def test_bad_input_is_an_error_naming_it(args, expected, capsys):
    before = status()
    assert main(["upgrade-plan", *args]) == 1
    assert expected in capsys.readouterr().err
    assert status() == before


def test_the_stack_at_head_against_itself_has_nothing_to_do(capsys, tmp_path):
    """The working tree of a clean checkout is HEAD: no step. (Uncommitted changes would show as steps.)"""
    if status():
        pytest.skip("the checkout has uncommitted changes")
    assert main(["upgrade-plan", "--stack", "prod", "--from", "HEAD", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["steps"], report["refusals"], report["exitCode"]) == ([], [], 0)
    assert status() == ""


@pytest.fixture
def scratch_repo(tmp_path):
    """A clone of this checkout, for commits the test makes."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(repo)], check=True)
    for key, value in (("user.email", "test@example.com"), ("user.name", "test")):
        subprocess.run(["git", "-C", str(repo), "config", key, value], check=True)
    return repo


def _commit(repo, message: str) -> None:
    subprocess.run(["git", "-C", str(repo), "commit", "--quiet", "-am", message], check=True)


def test_a_ref_that_does_not_render_is_an_error_and_a_volume_change_is_named(scratch_repo, capsys):
    from tests.conftest import edit_stack

    stack_file = scratch_repo / "stacks" / "Pulumi.prod.yaml"
    good = stack_file.read_text()
    edit_stack(scratch_repo, "prod", lambda c: c.update({"modelplane:environment": "production"}))
    _commit(scratch_repo, "a stack that does not validate")
    stack_file.write_text(good)
    assert main(["upgrade-plan", "--stack", "prod", "--from", "HEAD", "--root", str(scratch_repo)]) == 1
    err = capsys.readouterr().err
    assert "stack 'prod' does not render at" in err and "environment: 'production'" in err

    _commit(scratch_repo, "back to the committed prod")
    edit_stack(scratch_repo, "prod", lambda c: c["modelplane:addons"]["postgres"].update(volumeSize="100Gi"))
    assert main(["upgrade-plan", "--stack", "prod", "--from", "HEAD", "--root", str(scratch_repo)]) == 2
    out = capsys.readouterr().out
    assert "update   kubernetes:acid.zalan.do/v1:postgresql metadata-postgresql" in out
    assert "AT RISK: its volume settings change (spec.volume.size)" in out


def test_a_working_tree_that_does_not_render_is_an_error_naming_it(scratch_repo, capsys):
    from tests.conftest import edit_stack

    edit_stack(scratch_repo, "dev", lambda c: c["modelplane:cluster"].update(nodeCount=-1))
    assert main(["upgrade-plan", "--stack", "dev", "--from", "HEAD", "--root", str(scratch_repo)]) == 1
    err = capsys.readouterr().err
    assert "the working tree: stack 'dev' does not render" in err and "nodeCount" in err


def test_pins_that_break_a_compatibility_rule_are_refused(scratch_repo, capsys):
    versions = scratch_repo / "components" / "versions.py"
    pinned = '"seldon-core-operator", SELDON_REPO, "1.18.2", "1.18.2"'
    assert pinned in versions.read_text()
    versions.write_text(versions.read_text().replace(pinned, pinned.replace("1.18.2", "1.19.0")))
    assert main(["upgrade-plan", "--stack", "local", "--from", "HEAD", "--root", str(scratch_repo)]) == 2
    out = capsys.readouterr().out
    assert "refused: N+1 breaks a compatibility rule: seldon-core: 1.19.0 is not 1.18.x" in out
