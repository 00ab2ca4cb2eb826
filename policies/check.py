"""Evaluating the rules on a rendered plan, the tenants file and the OPA grants, and reporting the
result as text, JSON or JUnit XML (what `modelplane check` prints)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from policies.rules import RULES, Context, Resource, Rule, Violation
from policies.rules.base import Enforcement


@dataclass(frozen=True)
class Override:
    enforcement: Enforcement
    reason: str


@dataclass(frozen=True)
class Finding:
    rule: Rule
    enforcement: Enforcement
    violation: Violation
    override: Override | None = None


@dataclass
class Result:
    stack: str
    environment: str
    findings: list[Finding] = field(default_factory=list)
    evaluated: list[tuple[Rule, Enforcement, Override | None]] = field(default_factory=list)
    # what the reader must know about what was (not) checked
    notes: list[str] = field(default_factory=list)
    # rule id -> why it could not be evaluated (its input was missing): reported as skipped, never as passed
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.enforcement == "mandatory"]

    @property
    def failed(self) -> bool:
        return bool(self.mandatory)


def resources_from_plan(plan: dict) -> list[Resource]:
    return [Resource(r["type"], r["name"], r["urn"], r["inputs"], bool((r.get("options") or {}).get("protect")),
                     tuple(r.get("dependsOn") or ())) for r in plan["resources"]]


def evaluate(stack: str, ctx: Context, overrides: dict[str, Override] | None = None) -> Result:
    overrides = overrides or {}
    result = Result(stack, ctx.environment)
    for rule_id, rule in sorted(RULES.items()):
        override = overrides.get(rule_id)
        enforcement = override.enforcement if override else rule.enforcement(ctx.environment)
        result.evaluated.append((rule, enforcement, override))
        if enforcement == "disabled":
            continue
        result.findings += [Finding(rule, enforcement, v, override) for v in rule(ctx)]
    return result


def as_text(result: Result) -> str:
    lines = [f"modelplane check: stack {result.stack!r}, environment {result.environment!r}, "
             f"{len(result.evaluated)} rules", ""]
    for f in result.findings:
        lines.append(f"{f.enforcement.upper():<9} {f.rule.id} {f.rule.title} [{f.rule.severity}]")
        lines.append(f"          {f.violation.resource}: {f.violation.message}")
        lines.append(f"          fix: {f.rule.fix}")
        if f.override:
            lines.append(f"          enforcement overridden in stack config: {f.override.reason}")
    for rule, enforcement, override in result.evaluated:
        if override:
            lines.append(f"note: {rule.id} is {enforcement} in this stack (policy.overrides): {override.reason}")
    lines += [f"note: {note}" for note in result.notes]
    advisory = len(result.findings) - len(result.mandatory)
    lines += ["", f"{len(result.mandatory)} mandatory violation(s), {advisory} advisory finding(s): "
                  f"{'FAIL' if result.failed else 'PASS'}"]
    return "\n".join(lines) + "\n"


def as_json(result: Result) -> str:
    return json.dumps({
        "stack": result.stack, "environment": result.environment, "passed": not result.failed,
        "notes": result.notes, "skipped": result.skipped,
        "rules": [{"id": r.id, "title": r.title, "severity": r.severity, "enforcement": e,
                   "override": o.reason if o else None} for r, e, o in result.evaluated],
        "findings": [{"rule": f.rule.id, "title": f.rule.title, "severity": f.rule.severity,
                      "enforcement": f.enforcement, "resource": f.violation.resource, "urn": f.violation.urn,
                      "message": f.violation.message, "fix": f.rule.fix} for f in result.findings],
    }, indent=2) + "\n"


def as_junit(result: Result) -> str:
    """One testcase per rule: a mandatory violation is a failure, advisory findings are system-out."""
    suite = ET.Element("testsuite", name=f"modelplane-check.{result.stack}", tests=str(len(result.evaluated)),
                       failures=str(len({f.rule.id for f in result.mandatory})), errors="0",
                       skipped=str(sum(1 for r, e, _ in result.evaluated
                                       if e == "disabled" or r.id in result.skipped)))
    for rule, enforcement, _ in result.evaluated:
        case = ET.SubElement(suite, "testcase", classname=f"modelplane.policies.{result.environment}",
                             name=f"{rule.id} {rule.title}")
        mine = [f for f in result.findings if f.rule.id == rule.id]
        text = "\n".join(f"{f.violation.resource}: {f.violation.message}" for f in mine)
        if enforcement == "disabled":
            ET.SubElement(case, "skipped", message="disabled in stack config")
        elif rule.id in result.skipped:
            ET.SubElement(case, "skipped", message=result.skipped[rule.id])
        elif mine and enforcement == "mandatory":
            failure = ET.SubElement(case, "failure", message=f"{len(mine)} violation(s); fix: {rule.fix}",
                                    type=rule.severity)
            failure.text = text
        elif mine:
            ET.SubElement(case, "system-out").text = f"advisory:\n{text}"
    if result.notes:
        ET.SubElement(suite, "system-out").text = "\n".join(result.notes)
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


FORMATS = {"text": as_text, "json": as_json, "junit": as_junit}


def invalid_input(fmt: str, stack: str, source: str, problems: list[str]) -> str:
    """The report of a check that could not run because an input is invalid, in the format asked for: a CI
    job parsing JSON or JUnit gets the error there, not only on stderr."""
    if fmt == "json":
        return json.dumps({"stack": stack, "passed": False, "error": {"source": source, "problems": problems}},
                          indent=2) + "\n"
    suite = ET.Element("testsuite", name=f"modelplane-check.{stack}", tests="1", failures="0", errors="1",
                       skipped="0")
    case = ET.SubElement(suite, "testcase", classname="modelplane.inputs", name=f"{source} is valid")
    error = ET.SubElement(case, "error", message=f"{source}: invalid", type="ConfigError")
    error.text = "\n".join(problems)
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
