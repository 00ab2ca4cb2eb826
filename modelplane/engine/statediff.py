"""The offline plan (`modelplane render`, the program under mocks) against what the engine did (`pulumi stack
export` after `up`): every resource's type, parent, provider, options, dependencies and inputs — for
Kubernetes objects the manifest — secrets redacted on both sides.

What only the engine adds is set aside by name, never silently: the root stack and default providers,
inputs the engine or a provider owns (ENGINE_INPUTS), the defaults the Kubernetes provider's Check fills
in, a Secret's stringData that Check moves into data, and values known only after `up` (the plan's
PLANNED placeholder). Anything else that differs is a difference.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from components.generated_certificate import ISSUED
from components.names import REDACTED
from components.timestamp import PLANNED
from modelplane.engine.mocks import ASSET_SIG, SECRET_SIG, SIG, STACK_TYPE

# inputs the engine or a provider adds to what the program declared
ENGINE_INPUTS = {
    "*": {"__provider"},  # a dynamic resource's serialized provider (pulumi.dynamic)
    "pulumi:providers:kubernetes": {"__internal", "version"},
    # the Python SDK sends it with every Release; the provider's Check drops it
    "kubernetes:helm.sh/v3:Release": {"compat"},
}
OPTIONS = ("protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges")
# options the engine applies but does not write into the state's resources
UNRECORDED_OPTIONS = ("deleteBeforeReplace",)
SECRET_TYPE = "kubernetes:core/v1:Secret"


@dataclass
class Difference:
    urn: str
    what: str
    plan: object = None
    state: object = None

    def __str__(self) -> str:
        return f"{self.urn}: {self.what}: plan {self.plan!r}, state {self.state!r}"


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    # what was set aside, by reason: reason -> urns (or urn.key)
    set_aside: dict[str, list[str]] = field(default_factory=dict)
    compared: int = 0

    def aside(self, reason: str, what: str) -> None:
        self.set_aside.setdefault(reason, []).append(what)


def redacted(value: object) -> object:
    """Every secret of an exported deployment replaced by the plan's REDACTED marker, an asset by its text
    (as the plan shows it)."""
    if isinstance(value, dict):
        if value.get(SIG) == SECRET_SIG:
            return REDACTED
        if value.get(SIG) == ASSET_SIG:
            return value.get("text", value.get("path"))
        return {k: redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def _engine_made(resource: dict) -> bool:
    kind = resource["type"]
    return kind == STACK_TYPE or (kind.startswith("pulumi:providers:") and resource["urn"].endswith("::default"))


def _secret_as_checked(inputs: dict) -> dict:
    """A Secret's manifest as the Kubernetes provider's Check leaves it: stringData moved into data,
    base64-encoded, and data a secret as a whole when any value of it is."""
    if "stringData" not in inputs:
        return inputs
    data = {**(inputs.get("data") or {})}
    for key, value in inputs["stringData"].items():
        data[key] = value if value == REDACTED else base64.b64encode(str(value).encode()).decode()
    out = {k: v for k, v in inputs.items() if k != "stringData"}
    out["data"] = REDACTED if REDACTED in data.values() else data
    return out


def matches(plan: object, actual: object, placeholders: tuple[str, ...] = (PLANNED, ISSUED)) -> bool:
    """`actual` is what the plan says, where a placeholder of the plan (a value known only after `up`;
    with REDACTED among them, a secret) stands for any non-empty string."""
    if plan in placeholders:
        return isinstance(actual, str) and actual != ""
    if isinstance(plan, dict) and isinstance(actual, dict):
        return plan.keys() == actual.keys() and all(matches(plan[k], actual[k], placeholders) for k in plan)
    if isinstance(plan, list) and isinstance(actual, list):
        return len(plan) == len(actual) and all(matches(p, a, placeholders)
                                                for p, a in zip(plan, actual, strict=True))
    return plan == actual


def _compare_inputs(result: Comparison, urn: str, kind: str, plan: dict, state: dict) -> None:
    engine = ENGINE_INPUTS["*"] | ENGINE_INPUTS.get(kind, set())
    if kind == SECRET_TYPE:
        plan = _secret_as_checked(plan)
    for key in sorted(set(plan) | set(state)):
        if key in engine:
            result.aside("input the engine or provider adds", f"{urn}.{key}")
        elif key not in plan and not state[key]:
            result.aside("default the provider's Check fills in", f"{urn}.{key}")
        elif not matches(plan.get(key), state.get(key)):
            result.differences.append(Difference(urn, f"inputs.{key}", plan.get(key), state.get(key)))


def compare(plan: dict, deployment: dict) -> Comparison:
    """The plan's resources against the exported deployment's (`pulumi stack export`, secrets unshown)."""
    result = Comparison()
    planned = {r["urn"]: r for r in plan["resources"]}
    stack_urns = {r["urn"] for r in deployment["resources"] if r["type"] == STACK_TYPE}
    actual = {}
    for resource in deployment["resources"]:
        if _engine_made(resource):
            result.aside("made by the engine, not the program", resource["urn"])
        else:
            actual[resource["urn"]] = resource
    for urn in sorted(planned.keys() - actual.keys()):
        result.differences.append(Difference(urn, "in the plan, not in the state"))
    for urn in sorted(actual.keys() - planned.keys()):
        result.differences.append(Difference(urn, "in the state, not in the plan"))
    for urn in sorted(planned.keys() & actual.keys()):
        result.compared += 1
        p, s = planned[urn], actual[urn]
        state_parent = None if s.get("parent") in stack_urns else s.get("parent")
        state_provider = (s.get("provider") or "").rsplit("::", 1)[0] or None
        if p.get("provider") is None and state_provider and state_provider.endswith("::default"):
            result.aside("default provider the engine chose", urn)
            state_provider = None
        pairs = [("type", p["type"], s["type"]), ("parent", p.get("parent"), state_parent),
                 ("provider", p.get("provider"), state_provider),
                 ("dependencies", sorted(p.get("dependsOn") or []), sorted(s.get("dependencies") or []))]
        unrecorded = [o for o in UNRECORDED_OPTIONS if o not in s]
        for option in unrecorded:
            if p["options"].get(option):
                result.aside(f"an option the state does not record ({option})", urn)
        pairs += [(f"options.{o}", p["options"].get(o) or None, s.get(o) or None) for o in OPTIONS
                  if o not in unrecorded]
        result.differences += [Difference(urn, what, a, b) for what, a, b in pairs if a != b]
        if p.get("custom"):
            _compare_inputs(result, urn, p["type"], p.get("inputs") or {}, redacted(s.get("inputs") or {}))
    return result
