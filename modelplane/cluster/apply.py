"""Applying rendered manifests to a cluster with server-side apply (the kubernetes client's dynamic API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from components.dicts import replace_strings
from components.names import REDACTED

FIELD_MANAGER = "modelplane-render-check"


@dataclass
class ApplyReport:
    applied: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    not_served: list[str] = field(default_factory=list)


def describe(obj: dict) -> str:
    meta = obj["metadata"]
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj['apiVersion']} {obj['kind']} {where}{meta['name']}"


def read_manifests(directory: Path, fill_redacted: str | None = None) -> list[dict]:
    """The objects of a render's manifests/ (or gitops/). Those holding redacted values (`*.yaml.redacted`)
    only with `fill_redacted`: the value put where `<redacted>` stands, as a stand-in for what pulumi up
    writes (tests, which have no secrets to write)."""
    objects = [yaml.safe_load(p.read_text()) for p in sorted(Path(directory).rglob("*.yaml"))]
    if fill_redacted is not None:
        objects += [replace_strings(yaml.safe_load(p.read_text()), REDACTED, fill_redacted)
                    for p in sorted(Path(directory).rglob("*.yaml.redacted"))]
    return objects


def apply_objects(kubeconfig: Path, objects: list[dict]) -> ApplyReport:
    """Server-side apply every object, Namespaces first. Objects whose API the server does not serve are
    reported in `not_served`, never silently skipped."""
    from kubernetes import config, dynamic
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic.exceptions import ResourceNotFoundError

    api = dynamic.DynamicClient(config.new_client_from_config(str(kubeconfig)))
    report = ApplyReport()
    for obj in sorted(objects, key=lambda o: (o["kind"] != "Namespace", describe(o))):
        try:
            resource = api.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        except ResourceNotFoundError:
            report.not_served.append(describe(obj))
            continue
        try:
            resource.server_side_apply(body=obj, namespace=obj["metadata"].get("namespace"),
                                       field_manager=FIELD_MANAGER, force_conflicts=True)
            report.applied.append(describe(obj))
        except ApiException as exc:
            report.rejected.append((describe(obj), exc.body if isinstance(exc.body, str) else str(exc)))
    return report
