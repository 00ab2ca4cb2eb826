"""Upstream files modelplane checks against but never carries: the CRDs the pinned charts install and
the pinned charts' own data (Chart.yaml, values.yaml, values.schema.json; never templates).

They are read where they are — `../shared/{crds,charts}` beside the checkout, or the directories named
by MODELPLANE_CRDS / MODELPLANE_CHARTS. `upstream.lock.yaml` at the repo root records, per file, where
upstream publishes it and its SHA-256, so someone without `../shared` can fetch the same bytes, and
`verify` proves a directory holds exactly those bytes.

    python -m modelplane.plan.upstream verify          # exit 1 naming every missing, extra or changed file
    python -m modelplane.plan.upstream lock            # rewrite the digests from the directories (after a pin moves)
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import yaml

from components.errors import SAFE_LOADER
from components.names import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared"
LOCK = REPO_ROOT / "upstream.lock.yaml"
# annotations the shared folders add beside upstream's files (provenance notes): not upstream bytes
NOT_UPSTREAM = {"README.md", "SOURCE"}
KINDS = ("crds", "charts")
# the upstream files are large (a 2 MB CRD, 5,000-line values.yaml): libyaml's parser where PyYAML has it
YAML_LOADER = SAFE_LOADER


def crds_dir() -> Path:
    return Path(os.environ.get("MODELPLANE_CRDS") or SHARED / "crds")


# where `modelplane charts pull` puts chart data by the README's example
PULLED_CHARTS = Path.home() / ".cache" / "modelplane" / "charts"


def charts_dir(explicit: str | Path | None = None) -> Path | None:
    """Chart data laid out like ../shared/charts, the one resolution order every command uses: the argument
    (a --charts flag), MODELPLANE_CHARTS, ../shared/charts, ~/.cache/modelplane/charts; None when there is
    none. A flag or variable that names no directory is an error naming which of the two it was."""
    from components.errors import ConfigError

    for source, given in (("--charts", explicit), ("MODELPLANE_CHARTS", os.environ.get("MODELPLANE_CHARTS"))):
        if given:
            if not Path(given).is_dir():
                raise ConfigError(source, [f"{'(flag)' if source == '--charts' else '(environment variable)'}: "
                                           f"{given} is not a directory of chart data"])
            return Path(given)
    return next((p for p in (SHARED / "charts", PULLED_CHARTS) if p.is_dir()), None)


def directory(kind: str) -> Path | None:
    return crds_dir() if kind == "crds" else charts_dir()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def upstream_files(root: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every upstream file under root."""
    return {str(p.relative_to(root)): sha256(p) for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in NOT_UPSTREAM}


def read_lock(path: Path = LOCK) -> dict:
    return yaml.safe_load(path.read_text())


def locked_files(lock: dict, kind: str) -> dict[str, str]:
    """relative path -> SHA-256 as the lock records them. CRDs are files; charts are folders of files."""
    if kind == "crds":
        return {name: entry["sha256"] for name, entry in lock["crds"].items()}
    return {f"{folder}/{name}": digest for folder, entry in lock["charts"].items()
            for name, digest in entry["files"].items()}


def verify(kind: str, root: Path | None, lock: dict | None = None) -> list[str]:
    """Every way `root` differs from the lock: missing, unexpected and changed files."""
    if root is None or not root.is_dir():
        return [f"{kind}: no directory (looked in {SHARED / kind}; set MODELPLANE_{kind.upper()})"]
    lock = lock or read_lock()
    want = locked_files(lock, kind)
    have = upstream_files(root)
    problems = [f"{kind}/{p}: missing (upstream: {_source(lock, kind, p)})"
                for p in sorted(set(want) - set(have))]
    problems += [f"{kind}/{p}: not in upstream.lock.yaml" for p in sorted(set(have) - set(want))]
    problems += [f"{kind}/{p}: sha256 {have[p]} differs from the locked {want[p]}"
                 for p in sorted(set(want) & set(have)) if want[p] != have[p]]
    return problems


def _source(lock: dict, kind: str, path: str) -> str:
    if kind == "crds":
        return lock["crds"][path]["source"]
    return lock["charts"][path.split("/", 1)[0]]["source"]


def relock(lock: dict) -> dict:
    """The lock with its digests (and entries) taken from the directories; sources are kept, and a new
    entry's source is left empty for a person to fill (a test refuses an empty source)."""
    out: dict = {"crds": {}, "charts": {}}
    crds = crds_dir()
    for name, digest in upstream_files(crds).items():
        out["crds"][name] = {"source": lock.get("crds", {}).get(name, {}).get("source", ""), "sha256": digest}
    charts = charts_dir()
    for folder in sorted(p.name for p in charts.iterdir() if p.is_dir()) if charts else []:
        old = lock.get("charts", {}).get(folder, {})
        out["charts"][folder] = {"source": old.get("source", ""), "files": upstream_files(charts / folder)}
    return out


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m modelplane.plan.upstream",
                                     description="the upstream CRDs and chart data against upstream.lock.yaml")
    parser.add_argument("command", nargs="?", choices=("verify", "lock"), default="verify",
                        help="verify (default): exit 1 naming every missing, extra or changed file; lock: rewrite "
                             "the digests from the directories (after a pin moves)")
    command = parser.parse_args(argv).command
    if command == "lock":
        LOCK.write_text(yaml.safe_dump(relock(read_lock() if LOCK.exists() else {}), sort_keys=True, width=120))
        print(f"wrote {LOCK}")
        return 0
    problems = [p for kind in KINDS for p in verify(kind, directory(kind))]
    for problem in problems:
        print(problem)
    print("upstream files match upstream.lock.yaml" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
