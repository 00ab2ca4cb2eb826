"""`modelplane drift`: one report of desired against live across the three owners of a cluster (Pulumi,
Ansible, Argo CD), read-only."""

from __future__ import annotations

import hashlib
from pathlib import Path

from components.errors import ConfigError
from components.program import REPO_ROOT, load
from modelplane.drift.compute import UNMANAGED_KINDS, compare
from modelplane.drift.desired import desired
from modelplane.drift.live import read
from modelplane.drift.report import Report
from modelplane.kube import Kube, KubeError
from modelplane.plan import read_plan
from modelplane.stackfile import read_stack

APPLICATION = ("argoproj.io/v1alpha1", "Application")


def drift(stack: str, root: Path = REPO_ROOT, plan_dir: Path | None = None, kubeconfig: str | None = None,
          license_file: Path | None = None) -> Report:
    """Raises ConfigError for invalid input (stack config, tenants file, plan, licence file)."""
    flat, secret_keys = read_stack(stack, root)
    _config, tenants = load(flat, secret_keys, stack, root)
    if plan_dir is None:
        from modelplane.render import render

        plan = render(stack, root).plan
    else:
        plan = read_plan(plan_dir)
        if plan.get("stack") != stack:
            raise ConfigError(str(plan_dir), [f"stack: the plan is of stack {plan.get('stack')!r}, not {stack!r}"])
    license_sha256 = None
    if license_file is not None:
        try:
            license_sha256 = hashlib.sha256(Path(license_file).read_text().rstrip().encode()).hexdigest()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(license_file), [f"(file): cannot read the licence: {exc}"]) from None
    want = desired(plan, tenants)
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
