"""The drift report: a summary line per owner, then the findings grouped by namespace; JSON and JUnit (one
testcase per owner) for CI."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from xml.etree import ElementTree

from modelplane.drift.compute import CHANGED, MISSING, NO_OWNER, ORPHANED, OUT_OF_SYNC, UNMANAGED, Finding
from modelplane.drift.desired import ANSIBLE, ARGOCD, OWNERS, PULUMI

EXIT_CLEAN, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2
CATEGORIES = (MISSING, CHANGED, ORPHANED, OUT_OF_SYNC, UNMANAGED)
GROUPS = (*OWNERS, NO_OWNER)
# the counts each owner's summary line always shows (others only when not zero)
SUMMARY = {PULUMI: (MISSING, CHANGED), ANSIBLE: (MISSING, CHANGED, ORPHANED), ARGOCD: (MISSING, CHANGED, OUT_OF_SYNC),
           NO_OWNER: (UNMANAGED,)}


@dataclass
class Report:
    stack: str
    server: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_ERROR if self.errors else EXIT_DRIFT if self.findings else EXIT_CLEAN

    def counts(self, owner: str) -> Counter:
        return Counter(f.category for f in self.findings if f.owner == owner)


def _summary(report: Report, owner: str) -> str:
    counts = report.counts(owner)
    shown = [c for c in CATEGORIES if c in SUMMARY[owner] or counts[c]]
    return f"  {owner:<9} " + "  ".join(f"{c} {counts[c]}" for c in shown)


def text(report: Report) -> str:
    lines = [f"drift of stack {report.stack} against {report.server}"]
    lines += [_summary(report, owner) for owner in GROUPS]
    by_namespace: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_namespace.setdefault(finding.namespace or "(cluster-scoped)", []).append(finding)
    for namespace in sorted(by_namespace):
        lines.append(f"\n{namespace}")
        for f in sorted(by_namespace[namespace], key=lambda f: (GROUPS.index(f.owner), f.category, f.ref)):
            lines.append(f"  {f.owner:<9} {f.category:<11} {f.ref}")
            lines += [f"      {detail}" for detail in f.details]
    lines += [f"\nnote: {note}" for note in report.notes]
    lines += [f"\nerror: {error}" for error in report.errors]
    verdict = {EXIT_CLEAN: "no drift", EXIT_DRIFT: f"drift: {len(report.findings)} finding(s)",
               EXIT_ERROR: f"incomplete: {len(report.errors)} error(s); the report above is partial"}
    lines.append(f"\n{verdict[report.exit_code]} (exit {report.exit_code})")
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return json.dumps({"stack": report.stack, "server": report.server, "exit": report.exit_code,
                       "summary": {owner: dict(report.counts(owner)) for owner in GROUPS},
                       "findings": [asdict(f) for f in report.findings], "errors": report.errors,
                       "notes": report.notes}, indent=2) + "\n"


def junit(report: Report) -> str:
    suite = ElementTree.Element("testsuite", name=f"modelplane drift {report.stack}", tests=str(len(GROUPS) + 1),
                                failures=str(sum(1 for o in GROUPS if report.counts(o))),
                                errors=str(1 if report.errors else 0))
    for owner in GROUPS:
        case = ElementTree.SubElement(suite, "testcase", classname="modelplane.drift", name=owner)
        mine = [f for f in report.findings if f.owner == owner]
        if mine:
            failure = ElementTree.SubElement(case, "failure", message=_summary(report, owner).strip())
            failure.text = "\n".join(f"{f.category} {f.ref}" + "".join(f"\n    {d}" for d in f.details) for f in mine)
    case = ElementTree.SubElement(suite, "testcase", classname="modelplane.drift", name="read the cluster")
    if report.errors:
        ElementTree.SubElement(case, "error", message=f"{len(report.errors)} error(s)").text = "\n".join(report.errors)
    return ElementTree.tostring(suite, encoding="unicode") + "\n"


FORMATS = {"text": text, "json": as_json, "junit": junit}
