"""The onboarding engine behind ansible/playbooks/onboard.yml: read what exists with one client (one list
per kind, by modelplane's managed-by label), compare it with what the tenants need, and write only the
objects that differ, by server-side apply, from a bounded pool of threads.

An object is written when it is missing, when a field it sets differs from the live object, or when our
field manager still owns a field the object no longer sets (server-side apply then removes it). So a
re-run of an unchanged tenants file makes no mutating request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Literal

from components.tenants import Tenant
from modelplane.cluster.kube import Kube, KubeError, key, ref
from modelplane.onboarding import objects as build
from modelplane.onboarding.compare import differences, owns_more_than

FIELD_MANAGER = "modelplane"
WORKERS = 8
# quantities the server may rewrite in canonical form ("1024Mi" is stored as "1Gi")
QUANTITY_KINDS = frozenset({"ResourceQuota", "LimitRange"})

Action = Literal["create", "update", "delete"]


class OnboardingError(Exception):
    pass


@dataclass
class Write:
    action: Action
    obj: dict
    live: dict | None = None

    @property
    def past(self) -> str:
        return {"create": "created", "update": "updated", "delete": "deleted"}[self.action]

    @property
    def ref(self) -> str:
        return ref(self.obj)

    @property
    def namespace(self) -> str:
        meta = self.obj["metadata"]
        return meta["name"] if self.obj["kind"] == "Namespace" else meta.get("namespace", "")

    def changes(self) -> list[tuple[str, object, object]]:
        """(field path, live, desired) for an update; Secret values never leave this object."""
        if self.action != "update":
            return []
        found = differences(self.obj, self.live, quantities=self.obj["kind"] in QUANTITY_KINDS,
                            secret=self.obj["kind"] == "Secret")
        if self.obj["kind"] == "Namespace" and _offboarded(self.live):
            found.append((f"metadata.labels.{build.OFFBOARDED_LABEL}", "true", None))
        return found


@dataclass
class Desired:
    objects: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)

    def kinds(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((o["apiVersion"], o["kind"]) for o in [*self.objects, *self.stale]))


def desired_state(tenants: Iterable[Tenant], platform: build.PlatformFacts, options: build.Options,
                  credentials: dict | None = None) -> Desired:
    desired = Desired()
    for tenant in tenants:
        desired.objects += build.tenant_objects(tenant, platform, options)
        if tenant.batch:
            if not credentials:
                raise OnboardingError(f"tenant {tenant.name}: batch needs storage credentials")
            desired.objects += build.batch_secret(tenant, platform, credentials)
        desired.stale += build.stale_objects(tenant, platform)
    return desired


def read_live(kube: Kube, kinds: Iterable[tuple[str, str]]) -> dict[tuple, dict]:
    """One list per kind: modelplane's objects, and every Namespace (an adopted one lacks our label)."""
    live = {}
    for api_version, kind in kinds:
        selector = None if kind == "Namespace" else build.MANAGED_SELECTOR
        live.update((key(o), o) for o in kube.list(api_version, kind, label_selector=selector))
    return live


def _offboarded(live: dict | None) -> bool:
    return live is not None and build.OFFBOARDED_LABEL in ((live.get("metadata") or {}).get("labels") or {})


def needs_write(desired: dict, live: dict | None) -> bool:
    if live is None or (desired["kind"] == "Namespace" and _offboarded(live)):
        return True
    if differences(desired, live, quantities=desired["kind"] in QUANTITY_KINDS, first_only=True):
        return True
    return owns_more_than(live, desired, FIELD_MANAGER)


def plan(desired: Desired, live: dict[tuple, dict]) -> list[Write]:
    writes = []
    for obj in desired.objects:
        current = live.get(key(obj))
        if needs_write(obj, current):
            writes.append(Write("create" if current is None else "update", obj, current))
    writes += [Write("delete", obj, live[key(obj)]) for obj in desired.stale if key(obj) in live]
    return writes


def execute(kube: Kube, writes: list[Write], workers: int = WORKERS,
            done: Callable[[Write], None] | None = None) -> list[Write]:
    """Namespaces first, then what lives in them, then deletions; each phase from a pool of `workers`.
    The first failure stops the run, naming the object it was writing and how many writes landed."""
    phases = [[w for w in writes if w.action != "delete" and w.obj["kind"] == "Namespace"],
              [w for w in writes if w.action != "delete" and w.obj["kind"] != "Namespace"],
              [w for w in writes if w.action == "delete"]]
    landed: list[Write] = []

    def one(write: Write) -> Write:
        if write.action == "delete":
            kube.delete(write.obj)
        else:
            kube.apply(write.obj, FIELD_MANAGER)
        if write.obj["kind"] == "Namespace" and _offboarded(write.live):
            # offboard.yml's label is its own (a merge patch), so applying without it would keep it
            kube.merge_patch({"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": write.obj["metadata"]["name"], "labels": {build.OFFBOARDED_LABEL: None}}})
        return write

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for phase in phases:
            futures = {pool.submit(one, w): w for w in phase}
            finished, pending = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [(futures[f], f.exception()) for f in finished if f.exception() is not None]
            for future in pending:
                future.cancel()
            wait(pending)
            for future in [*finished, *pending]:
                if not future.cancelled() and future.exception() is None:
                    landed.append(future.result())
                    if done:
                        done(future.result())
            if failed:
                write, exc = failed[0]
                raise OnboardingError(
                    f"{write.action} {write.ref} failed: {exc}. {len(landed)} of {len(writes)} writes had landed; "
                    "a re-run converges from where this stopped")
    return landed


def update_with_retry(kube: Kube, read: Callable[[], dict | None], change: Callable[[dict | None], dict | None],
                      attempts: int = 8) -> tuple[dict | None, dict | None]:
    """Optimistic concurrency: `change` turns a fresh read into the object to write (with the read's
    resourceVersion) or None when nothing is to be written. A conflict (someone wrote in between) is
    retried from a new read, so a concurrent edit is never lost and never overwritten.
    Returns (the object read last, the object written or None)."""
    for attempt in range(attempts):
        current = read()
        wanted = change(current)
        if wanted is None:
            return current, None
        try:
            return current, kube.create(wanted) if current is None else kube.replace(wanted)
        except KubeError as exc:
            if exc.conflict and attempt < attempts - 1:
                continue
            raise
    raise AssertionError("unreachable")
