"""Running the real program under `pulumi.runtime.set_mocks`, recording every registration.

The stock mock monitor gives `Mocks.new_resource` only type, name and inputs; a plan also needs the
parent, the dependencies and the resource options, so a MockMonitor subclass records the full
RegisterResource request. Values the engine would mark secret arrive wrapped in Pulumi's secret
signature and are replaced by `<redacted>` leaf by leaf, keeping the object's shape."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks, rpc
from pulumi.runtime.sync_await import _ensure_event_loop

from components.generated_certificate import ISSUED
from components.generated_certificate import TYPE as GENERATED_CERTIFICATE
from components.generated_password import TYPE as GENERATED_PASSWORD
from components.names import REDACTED
from components.timestamp import PLANNED
from components.timestamp import TYPE as TIMESTAMP

SIG = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig
RESOURCE_SIG = rpc._special_resource_sig
ASSET_SIG = rpc._special_asset_sig
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict
    depends_on: list[str]
    provider: str | None
    options: dict = field(default_factory=dict)


def _redact(value):
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return REDACTED


def clean(value):
    """Protobuf-struct JSON to plain data: secrets redacted, references by URN, integral floats as int."""
    if isinstance(value, dict):
        sig = value.get(SIG)
        if sig == SECRET_SIG:
            return _redact(clean(value.get("value")))
        if sig == RESOURCE_SIG:
            return value.get("urn")
        if sig == ASSET_SIG:
            return value.get("text", value.get("path"))
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _without_provider(inputs: dict) -> dict:
    """A dynamic resource's inputs carry its pickled provider: code, not something a plan reader needs."""
    return {k: v for k, v in inputs.items() if k != "__provider"}


def _fake_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:12]


# What the clouds would compute, for the outputs the program reads back. Kubernetes objects echo inputs.
COMPUTED: dict[str, Callable[[str, dict], dict]] = {
    "aws:eks/cluster:Cluster": lambda n, i: {
        "endpoint": f"https://{_fake_id(n)}.gr7.mock.eks.amazonaws.com",
        "certificateAuthority": {"data": "bW9jay1jYQ=="},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.mock/id/{_fake_id(n)}"}]}],
        "arn": f"arn:aws:eks:mock:000000000000:cluster/{n}", "name": i.get("name", n),
        "vpcConfig": {**i.get("vpcConfig", {}), "vpcId": f"vpc-{_fake_id(n)}",
                      "clusterSecurityGroupId": f"sg-{_fake_id(n)}"}},
    "aws:rds/instance:Instance": lambda n, i: {
        "address": f"{i.get('identifier', n)}.{_fake_id(n)}.mock.rds.amazonaws.com", "port": 5432},
    "gcp:sql/databaseInstance:DatabaseInstance": lambda n, i: {"privateIpAddress": "10.93.0.3",
                                                               "name": i.get("name", n)},
    "aws:iam/role:Role": lambda n, i: {"arn": f"arn:aws:iam::000000000000:role/{n}", "name": n},
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda n, i: {
        "arn": f"arn:aws:iam::000000000000:oidc-provider/{n}"},
    "gcp:container/cluster:Cluster": lambda n, i: {
        "endpoint": "203.0.113.10", "masterAuth": {"clusterCaCertificate": "bW9jay1jYQ=="},
        "name": i.get("name", n)},
    GENERATED_PASSWORD: lambda n, i: {"result": REDACTED},
    GENERATED_CERTIFICATE: lambda n, i: {"ca_crt": ISSUED, "tls_crt": ISSUED, "tls_key": REDACTED,
                                         "admin_crt": ISSUED, "admin_key": REDACTED, "not_after": ISSUED},
    TIMESTAMP: lambda n, i: {"rfc3339": PLANNED},
}


class PlanMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        extra = COMPUTED.get(args.typ, lambda n, i: {})(args.name, args.inputs)
        return _fake_id(f"{args.typ}::{args.name}"), {**args.inputs, **extra}

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self, m: pulumi.runtime.Mocks):
        super().__init__(m)
        self.registrations: list[Registration] = []
        self.thread_loops: set[asyncio.AbstractEventLoop] = set()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """As the engine names a resource: the parent's whole qualified type before its own, except for the
        root stack's children (the SDK's mock keeps only the parent's last type)."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        # the base monitor gives each worker thread an event loop of its own; run_program closes them
        self.thread_loops.add(_ensure_event_loop())
        if request.type != STACK_TYPE:
            deps = set(request.dependencies)
            for urns in request.propertyDependencies.values():
                deps.update(urns.urns)
            provider = request.provider.rsplit("::", 1)[0] if request.provider else None
            self.registrations.append(Registration(
                urn=response.urn, type=request.type, name=request.name,
                parent=None if request.parent.split("::")[2:3] == [STACK_TYPE] else request.parent or None,
                custom=bool(request.custom),
                inputs=_without_provider(clean(json_format.MessageToDict(request.object))),
                depends_on=sorted(deps), provider=provider,
                options={"protect": bool(request.protect), "retainOnDelete": bool(request.retainOnDelete),
                         "ignoreChanges": sorted(request.ignoreChanges),
                         "replaceOnChanges": sorted(request.replaceOnChanges),
                         "deleteBeforeReplace": bool(request.deleteBeforeReplace)},
            ))
        return response


def run_program(program: Callable[[], None], flat_config: dict, secret_keys: set[str], *, project: str,
                stack: str) -> list[Registration]:
    """Run `program` as `pulumi up` would, against mocks; return every resource it registered."""

    def in_fresh_context() -> list[Registration]:
        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await

        # a loop of our own, closed afterwards: the runtime leaves its loop installed, and a loop left
        # for interpreter shutdown to collect complains about its already-closed self-pipe
        ours = asyncio.new_event_loop()
        asyncio.set_event_loop(ours)
        pulumi.runtime.set_all_config(dict(flat_config), sorted(secret_keys))
        monitor = RecordingMonitor(PlanMocks())
        pulumi.runtime.set_mocks(PlanMocks(), project=project, stack=stack, preview=False, monitor=monitor)
        try:
            _sync_await(run_pulumi_func(program))
        finally:
            # every loop made for this run (ours, the runtime's, the worker threads'): a loop left open is
            # finalised at interpreter exit after its self-pipe socket, which prints an ignored error
            for loop in {ours, asyncio.get_event_loop(), *monitor.thread_loops}:
                loop.close()
            asyncio.set_event_loop(None)
        return monitor.registrations

    # a fresh context per run: no root stack, config or settings leak between renders in one process
    return contextvars.Context().run(in_fresh_context)
