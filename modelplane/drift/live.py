"""Reading the live cluster for drift: one list per kind across all namespaces, get and list only. A refusal
is recorded naming the permission that is missing; a kind the cluster does not serve reads as empty."""

from __future__ import annotations

from dataclasses import dataclass, field

from modelplane.cluster.kube import Kube, KubeError, key
from modelplane.drift import helm
from modelplane.onboarding.objects import MANAGED_SELECTOR

SECRET = ("v1", "Secret")
READER_ROLE = "modelplane-drift-reader"


@dataclass
class Live:
    objects: dict[tuple, dict] = field(default_factory=dict)
    by_kind: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    releases: dict[tuple[str, str], helm.Release] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unread: set[tuple[str, str]] = field(default_factory=set)  # kinds whose list failed: their objects unknown


def _refused(exc: KubeError, verb: str, api_version: str, kind: str, where: str) -> str:
    plural = Kube.path(api_version, kind).rsplit("/", 1)[1]
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else "core"
    return (f"{verb} {plural} ({group}) {where}: refused ({exc}); the identity needs get and list on it "
            f"(ClusterRole {READER_ROLE})")


def _list(kube: Kube, live: Live, api_version: str, kind: str, selector: str | None = None,
          namespace: str | None = None) -> list[dict]:
    try:
        return kube.list(api_version, kind, namespace=namespace, label_selector=selector)
    except KubeError as exc:
        live.unread.add((api_version, kind))
        if exc.status == 403:
            where = f"in namespace {namespace}" if namespace else "across all namespaces"
            live.errors.append(_refused(exc, "list", api_version, kind, where))
        elif exc.not_found:
            live.notes.append(f"{api_version} {kind}: not served by this cluster (its CRD is not installed); "
                              "its objects read as missing")
        else:
            live.errors.append(f"list {api_version} {kind}: {exc}")
        return []


def read(kube: Kube, kinds: set[tuple[str, str]], seldon_namespace: str) -> Live:
    live = Live()
    for api_version, kind in sorted(kinds):
        # Secrets: only modelplane's (its label) and Helm's release records, never every Secret's values
        selector = MANAGED_SELECTOR if (api_version, kind) == SECRET else None
        items = _list(kube, live, api_version, kind, selector)
        live.by_kind[(api_version, kind)] = items
        live.objects.update((key(o), o) for o in items)
    records = _list(kube, live, *SECRET, helm.SELECTOR)
    live.releases, unreadable = helm.current(records)
    live.errors += unreadable
    for obj in _list(kube, live, "apps/v1", "Deployment", "app.kubernetes.io/name=seldon-deploy", seldon_namespace):
        live.objects[key(obj)] = obj
        live.by_kind.setdefault(("apps/v1", "Deployment"), []).append(obj)
    return live
