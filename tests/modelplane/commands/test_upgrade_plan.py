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
