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
            probe = tool.version_probes.get(binary)
            # a binary that cannot say its version is at the pin when it is this recipe's build
            current = _at_pin(link, probe) if probe else link.resolve() == (built(tool) / binary).resolve()
            if not link.exists() or not current:
                out.append(binary)
    return out


def _at_pin(path: Path, probe: tuple[tuple[str, ...], str]) -> bool:
    argv, expected = probe
    try:
        result = subprocess.run([str(path), *argv], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return expected in result.stdout + result.stderr


def _on_path(tool: GoTool) -> dict[str, Path] | None:
    """Every binary of the tool found on PATH (outside our own bin) at the pinned version, else None. A tool
    with a binary that cannot say its version (a plugin, a script) is always our build."""
    if set(tool.version_probes) != set(tool.binaries):
        return None
    ours = bin_dir().resolve()
    search = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                             if p and Path(p).resolve() != ours)
    found = {}
    for binary in tool.binaries:
        where = shutil.which(binary, path=search)
        if not where or not _at_pin(Path(where), tool.version_probes[binary]):
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
        for package in tool.copied_mains:
            shutil.copytree(Path(upstream["Dir"]) / package, work / package)
            _writable(work / package)
        local = ours + list(tool.copied_mains)
        theirs = [p for p in tool.packages if p not in local]
        if theirs:
            go("get", *(f"{p}@{tool.version}" for p in theirs))
        if local:
            go("mod", "tidy")
        for package in tool.copied_mains:
            go("generate", f"./{package}", env=tool.generate_env)
        out = work / "out"
        ldflags = " ".join(("-s", "-w", *tool.ldflags))
        go("build", "-trimpath", f"-ldflags={ldflags}", "-o", f"{out}/",
           *(f"./{p}" if p in local else p for p in tool.packages))
        for binary, path in tool.module_files.items():
            shutil.copy(Path(upstream["Dir"]) / path, out / binary)
            (out / binary).chmod(0o755)
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


def _writable(tree: Path) -> None:
    """The module cache is read-only; the copy is generated into."""
    tree.chmod(0o755)
    for path in tree.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _edits(tool: GoTool, upstream: dict) -> list[str]:
    """`go mod edit` flags: require the module, keep its go and godebug lines and its replacements by other
    modules, and take the published release of each sibling it replaces with a local path."""
    edits = [f"-require={tool.module}@{tool.version}"]
    if upstream.get("Go"):
        edits.append(f"-go={upstream['Go']}")
    edits += [f"-godebug={d['Key']}={d['Value']}" for d in upstream.get("Godebug") or []]
    required = {r["Path"]: r["Version"] for r in upstream.get("Require") or []}
    for replace in upstream.get("Replace") or []:
        old, new = replace["Old"], replace["New"]
        if not new["Path"].startswith(LOCAL_PATH):
            edits.append(f"-replace={_at(old)}={_at(new)}")
        elif old["Path"] in required and tool.sibling_version:
            edits.append(f"-replace={old['Path']}={old['Path']}@{tool.sibling_version}")
        elif required.get(old["Path"]) == PLACEHOLDER:
            raise ToolchainError(f"{tool.module}: {old['Path']} is required at {PLACEHOLDER} and replaced by "
                                 f"{new['Path']}; the recipe names no published version for it")
    return edits


def _at(module: dict) -> str:
    return f"{module['Path']}@{module['Version']}" if module.get("Version") else module["Path"]


def _runner(work: Path, log, tool: GoTool) -> Callable[..., str]:
    base = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod", "GOWORK": "off"}

    def go(*args: str, env: dict[str, str] | None = None) -> str:
        log.write(f"$ go {' '.join(args)}\n")
        log.flush()
        result = subprocess.run(["go", *args], cwd=work, env={**base, **(env or {})}, capture_output=True,
                                text=True)
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
