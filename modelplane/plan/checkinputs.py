"""What the policy rules need of a stack's validated inputs, beside the plan's resources: the environment,
the policy overrides, the tenants, the OPA grants onboarding would write, which config fields hold a seed
default credential (their paths, never a value), and the objects the stack declares as provided.

`modelplane render` records them in plan.json (`checkInputs`) with the digest of every file it rendered from
(stack file, models file, tenants file). `modelplane check --plan` verifies those digests and evaluates the
rules from the record: the stack was validated when the plan was rendered, so checking a plan needs neither
pydantic nor Vault. When a file changed since (a tenants file edited after the render), or the plan has no
record (rendered by an earlier modelplane), the stack is validated again and its current files are used."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

VERSION = 2
KEY = "checkInputs"


@dataclass(frozen=True)
class TenantSummary:
    name: str
    quota: dict | None


@dataclass(frozen=True)
class TenantSummaries:
    tenants: list[TenantSummary]

    @property
    def names(self) -> set[str]:
        return {t.name for t in self.tenants}


@dataclass(frozen=True)
class CheckInputs:
    environment: str
    overrides: dict[str, tuple[str, str]]  # rule id -> (enforcement, reason)
    tenants: TenantSummaries
    opa_grants: list[tuple[str, str, str, str]]
    default_credentials: list[str]
    provided: list[str]

    def to_json(self) -> dict:
        return {"environment": self.environment,
                "policyOverrides": {k: {"enforcement": e, "reason": r} for k, (e, r) in self.overrides.items()},
                "tenants": [{"name": t.name, "quota": t.quota} for t in self.tenants.tenants],
                "opaGrants": [list(g) for g in self.opa_grants], "defaultCredentials": self.default_credentials,
                "providedObjects": self.provided}

    @classmethod
    def from_json(cls, data: dict) -> CheckInputs:
        return cls(data["environment"],
                   {k: (v["enforcement"], v["reason"]) for k, v in data["policyOverrides"].items()},
                   TenantSummaries([TenantSummary(t["name"], t["quota"]) for t in data["tenants"]]),
                   [tuple(g) for g in data["opaGrants"]], list(data["defaultCredentials"]),
                   list(data["providedObjects"]))


def of_validated(config, tenants) -> CheckInputs:
    """From a validated components.config.StackConfig and components.tenants.TenantsFile."""
    from components.config import default_credentials, provided_objects

    return CheckInputs(
        config.environment, {k: (v.enforcement, v.reason) for k, v in config.policy.overrides.items()},
        TenantSummaries([TenantSummary(t.name, t.quota.model_dump(mode="json", by_alias=True) if t.quota else None)
                         for t in tenants.tenants]),
        [tuple(g) for g in tenants.opa_grants()], default_credentials(config), provided_objects(config))


def _digest(path: Path) -> str | None:
    try:
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _name(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def record(inputs: CheckInputs, files: list[Path], root: Path) -> dict:
    """The plan.json entry: the inputs and the digest of each file they were validated from."""
    return {"version": VERSION, "files": {_name(f, root): _digest(f) for f in files}, **inputs.to_json()}


def changed_files(plan: dict, root: Path) -> list[str]:
    """The files of the plan's record whose content is no longer what the plan was rendered from."""
    entry = plan.get(KEY)
    files = entry.get("files", {}) if isinstance(entry, dict) else {}
    return [name for name, digest in sorted(files.items())
            if _digest(Path(name) if Path(name).is_absolute() else root / name) != digest]


def recorded(plan: dict) -> CheckInputs | None:
    """The inputs a plan recorded; None when it has no usable record of this version (then the stack is
    validated again)."""
    entry = plan.get(KEY)
    if not isinstance(entry, dict) or entry.get("version") != VERSION:
        return None
    try:
        return CheckInputs.from_json(entry)
    except (KeyError, TypeError, ValueError, AttributeError):  # a plan.json edited by hand
        return None
