"""A password generated once and kept, encrypted, in the stack's state: the `generate` secret reference.

A Pulumi dynamic resource, run by the Python SDK's own dynamic provider, so generating a password needs no
provider plugin beyond the SDK (pulumi-random's provider cannot be built from the Go module proxy). The
policy is its only input: changing it generates a new password; anything else, a refresh included, keeps
the one in state.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

TYPE = "pulumi-python:dynamic/modelplane:GeneratedPassword"
POLICY = ("length", "min_upper", "min_lower", "min_numeric", "min_special", "special", "override_special")


def generate(policy: dict[str, Any]) -> str:
    """A password of `length` with at least the minimum of each class; specials only when `special`."""
    classes = {"min_upper": string.ascii_uppercase, "min_lower": string.ascii_lowercase,
               "min_numeric": string.digits}
    if policy.get("special"):
        classes["min_special"] = policy.get("override_special") or "!@#$%&*()-_=+[]{}<>:?"
    rng = secrets.SystemRandom()
    chars = [rng.choice(alphabet) for key, alphabet in classes.items() for _ in range(int(policy.get(key, 0)))]
    everything = "".join(classes.values())
    chars += [rng.choice(everything) for _ in range(int(policy["length"]) - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


class GeneratedPasswordProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        policy = {k: props[k] for k in POLICY if k in props}
        return CreateResult(id_=secrets.token_hex(8), outs={**policy, "result": generate(policy)})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in POLICY if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)


class GeneratedPassword(Resource, module="modelplane", name="GeneratedPassword"):
    result: pulumi.Output[str]

    def __init__(self, name: str, *, length: int, special: bool, min_upper: int = 0, min_lower: int = 0,
                 min_numeric: int = 0, min_special: int = 0, override_special: str | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        policy = {"length": length, "special": special, "min_upper": min_upper, "min_lower": min_lower,
                  "min_numeric": min_numeric, "min_special": min_special, "override_special": override_special}
        secret = pulumi.ResourceOptions(additional_secret_outputs=["result"])
        super().__init__(GeneratedPasswordProvider(), name, {**policy, "result": None},
                         pulumi.ResourceOptions.merge(opts, secret))
