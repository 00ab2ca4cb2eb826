"""A point in time kept in Pulumi state: set when the resource is created, and set again only when its
triggers change (then it is replaced). What pulumi-time's `Static` does, as a dynamic resource in-process,
since no provider plugin is needed for it.

Used for Argo CD's admin passwordMtime: Argo CD logs out every session issued before that time, so it must
move when the password changes and at no other `pulumi up`."""

from __future__ import annotations

from datetime import UTC, datetime

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

TYPE = "pulumi-python:dynamic:Resource"
# what `modelplane render` shows in its place: a plan has no clock of its own
PLANNED = "(the time of the first `pulumi up` after a change of its triggers)"


class _StaticTimeProvider(ResourceProvider):
    def create(self, props):
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return CreateResult(id_=f"static-time-{now}", outs={"triggers": props.get("triggers"), "rfc3339": now})

    def diff(self, _id, olds, news):
        changed = olds.get("triggers") != news.get("triggers")
        return DiffResult(changes=changed, replaces=["triggers"] if changed else [], delete_before_replace=False)

    def read(self, id_, props):
        return ReadResult(id_, props)


class StaticTime(Resource):
    rfc3339: pulumi.Output[str]

    def __init__(self, name: str, triggers: pulumi.Input[dict], opts: pulumi.ResourceOptions | None = None):
        super().__init__(_StaticTimeProvider(), name, {"triggers": triggers, "rfc3339": None}, opts)
