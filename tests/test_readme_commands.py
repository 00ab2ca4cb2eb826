"""The README read top to bottom: every command it shows is checked, so a stale statement fails the build.

- A `modelplane` command with nothing left to fill in is run, offline, in a copy of the repository's files
  (as a fresh clone has them) and must exit 0; one with placeholders (`--stack S`, `DIR`) must use only
  subcommands and flags the command has.
- A `make` target must exist (`make -n`), a playbook must pass `--syntax-check` and use the variables the
  README gives it, `python -m` modules must answer `--help`.
Commands that need a cluster or a cloud (`make up`, `drift` against a cluster) are checked in form only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modelplane.plan import upstream

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\b(S|DIR|F|PATH|NAME|TGZ|OLD|NEW|BEFORE|AFTER)\b|<|\[|\.\.\.|\\\|")


def shown_commands() -> list[str]:
    """Commands in code blocks (a line each, comments dropped) and in inline code."""
    found = []
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", README, re.S):
        found += [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    found += re.findall(r"`((?:modelplane|make|ansible-playbook|python -m) [^`]+)`", README)
    commands = []
    for command in found:
        command = re.sub(r"^[A-Z_]+=\S+ ", "", command)  # an environment assignment in front
        if command not in commands:
            commands.append(command)
    return commands


COMMANDS = shown_commands()
MODELPLANE = [c for c in COMMANDS if c.startswith("modelplane ")]


def test_the_readme_shows_the_commands_this_checks():
    assert len(MODELPLANE) >= 15
    assert {"make test", "make up STACK=local", "modelplane render --stack dev --out build/dev"} <= set(COMMANDS)


def _help(words: list[str]) -> str:
    proc = subprocess.run([str(BIN / "modelplane"), *words, "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (words, proc.stderr)
    return proc.stdout


@pytest.mark.parametrize("command", MODELPLANE)
def test_every_modelplane_command_uses_subcommands_and_flags_that_exist(command):
    words = command.split()[1:]
    path = []
    for word in words:
        if word.startswith("-") or PLACEHOLDER.search(word):
            break
        if word not in _help(path).split("{", 1)[-1].split("}", 1)[0].split(","):
            break
        path.append(word)
    assert path, f"{command}: no such subcommand"
    text = _help(path)
    for flag in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", command):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), (
            f"{command}: `modelplane {' '.join(path)}` has no {flag}")


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """The repository's tracked files, as a clone has them (no build/, no caches), with the upstream files
    beside it as ../shared, as the README asks."""
    base = tmp_path_factory.mktemp("clone")
    (base / "shared").symlink_to(upstream.SHARED.resolve(), target_is_directory=True)
    root = base / "checkout"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    return root


RUNNABLE = [c for c in MODELPLANE if not PLACEHOLDER.search(c) and c.split()[1] in ("render", "check", "diff")
            and "--stack" in c]


@pytest.mark.parametrize("command", RUNNABLE)
def test_every_complete_offline_modelplane_command_runs_in_a_fresh_copy(fresh_copy, command):
    argv = command.split()[1:]
    proc = subprocess.run([str(BIN / "modelplane"), *argv, "--root", str(fresh_copy)], cwd=fresh_copy,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (command, proc.stdout[-2000:], proc.stderr[-2000:])


def test_the_upstream_files_command_runs_as_shown():
    for command in [c for c in COMMANDS if c.startswith("python -m ")]:
        module = command.split()[2]
        proc = subprocess.run([sys.executable, "-m", module, "--help"], cwd=REPO, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, (command, proc.stderr)
    verify = subprocess.run([sys.executable, "-m", "modelplane.plan.upstream", "verify"], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout[-2000:]


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith("make ")])
def test_every_make_command_is_a_target(command):
    target = command.split()[1]
    proc = subprocess.run(["make", "-n", target, *[w for w in command.split()[2:] if "=" in w and "<" not in w]],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "No rule to make target" not in proc.stderr, (command, proc.stderr)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith("ansible-playbook ")])
def test_every_playbook_command_names_a_playbook_and_the_variables_it_reads(command):
    playbook = REPO / command.split()[1]
    assert playbook.is_file(), command
    proc = subprocess.run([str(BIN / "ansible-playbook"), "--syntax-check", str(playbook)], cwd=REPO,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": f"{BIN}:/usr/bin:/bin", "ANSIBLE_CONFIG": "ansible/ansible.cfg",
                               "HOME": str(Path.home())})
    assert proc.returncode == 0, (command, proc.stderr)
    text = playbook.read_text() + "".join(p.read_text() for p in (REPO / "ansible" / "roles").rglob("*.yml"))
    for variable in re.findall(r"-e ([a-z_]+)=", command):
        assert re.search(rf"\b{variable}\b", text), f"{command}: nothing reads {variable}"
