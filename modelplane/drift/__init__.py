"""`modelplane drift`: one report of desired against live across the three owners of a cluster (Pulumi,
Ansible, Argo CD), read-only."""

from __future__ import annotations

import hashlib
from pathlib import Path

from components.errors import ConfigError
from components.stack import REPO_ROOT
from modelplane.cluster.kube import Kube, KubeError
from modelplane.drift.compute import APPLICATION, UNMANAGED_KINDS, compare
from modelplane.drift.desired import desired
from modelplane.drift.live import read
from modelplane.drift.report import Report
from modelplane.engine.render import load_stack
from modelplane.onboarding.role import role_options


def drift(stack: str, root: Path = REPO_ROOT, plan_dir: Path | None = None, kubeconfig: str | None = None,
          license_file: Path | None = None, onboard_vars: Path | None = None) -> Report:
    """`onboard_vars`: the variables file the onboarding playbook was given (-e @FILE), for the role settings
    that shape its objects; default the role's defaults. Raises ConfigError for invalid input (stack config,
    tenants file, plan, licence file, variables file)."""
    _config, tenants, plan = load_stack(stack, root, plan_dir)
    options = role_options(onboard_vars)
    license_sha256 = None
    if license_file is not None:
        try:
            license_sha256 = hashlib.sha256(Path(license_file).read_text().rstrip().encode()).hexdigest()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(license_file), [f"(file): cannot read the licence: {exc}"]) from None
    want = desired(plan, tenants, options)
    kinds = {(e.obj["apiVersion"], e.obj["kind"]) for e in [*want.objects, *want.stale]}
    kinds |= UNMANAGED_KINDS | {("v1", "Namespace")} | ({APPLICATION} if want.applications else set())
    try:
        kube = Kube.from_kubeconfig(kubeconfig)
    except Exception as exc:  # kubernetes.config raises its own types for a missing or broken kubeconfig
        raise ConfigError("--kubeconfig", [f"(file): cannot load a kubeconfig: {exc}"]) from None
    report = Report(stack, kube.api.configuration.host)
    try:
        live = read(kube, kinds, want.seldon_namespace)
    except KubeError as exc:
        report.errors.append(str(exc))
        return report
    report.findings, report.notes = compare(want, live, license_sha256)
    report.errors += live.errors
    return report
