"""Building the toolchain from Go modules, cached under ~/.cache/modelplane/toolchain.

Each tool is built in a scratch build module of ours that requires the upstream module at its pin (a
module whose go.mod replaces siblings with local paths cannot be `go install`ed), keeps the upstream
`go` and `godebug` lines, and maps each local replace the upstream resolves with a placeholder version to
the published module. Its binaries land in `<cache>/<tool>-<version>-<recipe digest>/bin`, and
`<cache>/bin` links the current ones: the one directory `modelplane toolchain path` prints. A tool already
on PATH at the pinned version is linked as it is instead of built.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from modelplane.toolchain.recipes import GOMAIN, GoTool, all_tools

CACHE = Path(os.environ.get("MODELPLANE_TOOLCHAIN_CACHE", Path.home() / ".cache/modelplane/toolchain"))
LOCAL_PATH = ("./", "../")
PLACEHOLDER = "v0.0.0"


class ToolchainError(RuntimeError):
    pass


def bin_dir() -> Path:
    """The one directory that holds every tool (put it first on PATH)."""
    return CACHE / "bin"


def built(tool: GoTool) -> Path:
    return CACHE / tool.key / "bin"


def missing(tools: list[GoTool] | None = None) -> list[str]:
    """The binaries `bin_dir()` lacks or links to another version than the pinned one."""
    out = []
    for tool in tools or all_tools():
        for binary in tool.binaries:
            link = bin_dir() / binary
            if not link.exists() or not _at_pin(link, tool.version_probes.get(binary)):
                out.append(binary)
    return out


def _at_pin(path: Path, probe: tuple[tuple[str, ...], str] | None) -> bool:
    if probe is None:
        return True
    argv, expected = probe
    try:
        result = subprocess.run([str(path), *argv], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return expected in result.stdout + result.stderr


def _on_path(tool: GoTool) -> dict[str, Path] | None:
    """Every binary of the tool found on PATH (outside our own bin) at the pinned version, else None."""
    ours = bin_dir().resolve()
    search = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                             if p and Path(p).resolve() != ours)
    found = {}
    for binary in tool.binaries:
        where = shutil.which(binary, path=search)
        if not where or not _at_pin(Path(where), tool.version_probes.get(binary)):
            return None
        found[binary] = Path(where)
    return found


def ensure(tool: GoTool, say: Callable[[str], None] = print) -> Path:
    """The tool's binaries linked into bin_dir(): from the cache, from PATH at the pin, or built now."""
    target = built(tool)
    sources = {b: target / b for b in tool.binaries}
    if all(p.is_file() for p in sources.values()):
        say(f"{tool.name} {tool.version}: cached in {target}")
    elif found := _on_path(tool):
        sources = found
        say(f"{tool.name} {tool.version}: found on PATH ({', '.join(str(p) for p in found.values())})")
    else:
        say(f"{tool.name} {tool.version}: building from {tool.module} (log: {_log(tool)})")
        seconds = _build(tool, target)
        say(f"{tool.name} {tool.version}: built in {seconds:.0f} s into {target}")
    bin_dir().mkdir(parents=True, exist_ok=True)
    for binary, source in sources.items():
        link = bin_dir() / binary
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(source)
    return bin_dir()


def _log(tool: GoTool) -> Path:
    return CACHE / "logs" / f"{tool.key}.log"


def _build(tool: GoTool, target: Path) -> float:
    started = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    _log(tool).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"build-{tool.name}.", dir=CACHE) as scratch, \
            _log(tool).open("w") as log:
        work = Path(scratch)
        go = _runner(work, log, tool)
        go("mod", "init", f"modelplane.invalid/toolchain/{tool.name}")
        upstream = json.loads(go("mod", "download", "-json", f"{tool.module}@{tool.version}"))
        go("mod", "edit", *_edits(tool, json.loads(go("mod", "edit", "-json", upstream["GoMod"]))))
        ours = [p for p in tool.packages if p.startswith("gomain/")]
        for package in ours:
            (work / package).mkdir(parents=True)
            shutil.copy(GOMAIN / package.removeprefix("gomain/") / "main.go", work / package / "main.go")
        theirs = [p for p in tool.packages if p not in ours]
        if theirs:
            go("get", *(f"{p}@{tool.version}" for p in theirs))
        if ours:
            go("mod", "tidy")
        out = work / "out"
        ldflags = " ".join(("-s", "-w", *tool.ldflags))
        go("build", "-trimpath", f"-ldflags={ldflags}", "-o", f"{out}/",
           *(f"./{p}" if p in ours else p for p in tool.packages))
        staged = target.parent / f"{target.parent.name}.partial"
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True)
        for binary in tool.binaries:
            shutil.move(str(out / binary), staged / binary)
        seconds = time.monotonic() - started
        (staged / "BUILD.json").write_text(json.dumps(
            {"module": tool.module, "version": tool.version, "seconds": round(seconds),
             "go": go("env", "GOVERSION").strip()}, indent=1))
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged.rename(target)
    return seconds


def _edits(tool: GoTool, upstream: dict) -> list[str]:
    """`go mod edit` flags: require the module, keep its go and godebug lines, publish its staging modules."""
    edits = [f"-require={tool.module}@{tool.version}"]
    if upstream.get("Go"):
        edits.append(f"-go={upstream['Go']}")
    edits += [f"-godebug={d['Key']}={d['Value']}" for d in upstream.get("Godebug") or []]
    placeholders = {r["Path"] for r in upstream.get("Require") or [] if r["Version"] == PLACEHOLDER}
    for replace in upstream.get("Replace") or []:
        old, new = replace["Old"]["Path"], replace["New"]["Path"]
        if old in placeholders and new.startswith(LOCAL_PATH):
            if not tool.staging_version:
                raise ToolchainError(f"{tool.module}: {old} is required at {PLACEHOLDER} and replaced by {new}; "
                                     "the recipe names no published version for it")
            edits.append(f"-replace={old}={old}@{tool.staging_version}")
    return edits


def _runner(work: Path, log, tool: GoTool) -> Callable[..., str]:
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod", "GOWORK": "off"}

    def go(*args: str) -> str:
        log.write(f"$ go {' '.join(args)}\n")
        log.flush()
        result = subprocess.run(["go", *args], cwd=work, env=env, capture_output=True, text=True)
        log.write(result.stderr)
        log.flush()
        if result.returncode:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise ToolchainError(f"{tool.name}: go {' '.join(args[:2])} failed (full log: {_log(tool)}):\n{tail}")
        return result.stdout

    return go


def ensure_all(tools: list[GoTool] | None = None, say: Callable[[str], None] = print) -> Path:
    if not shutil.which("go"):
        raise ToolchainError("the toolchain is built from Go modules and needs Go (`go` on PATH)")
    for tool in tools or all_tools():
        ensure(tool, say)
    return bin_dir()
