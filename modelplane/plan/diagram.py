"""The platform as a picture for plan.md: a Mermaid graph of the Helm releases and Kubernetes objects of a
plan, grouped by namespace, with the install order (the plan's dependency edges, transitively reduced) and
the wiring — for every value that names a service (`<svc>.<ns>.svc.cluster.local`), the release or object
that serves it. A value naming a service nothing in the plan serves is listed as unresolved."""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.dicts import walk
from components.names import chart_name
from modelplane.plan.charts import ChartStore, release_chart
from modelplane.plan.document import HELM_RELEASE, is_kubernetes_object

SERVICE_HOST = re.compile(r"\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local\b")
# objects a diagram leaves out: every object's namespace is its subgraph already
HIDDEN_KINDS = {"Namespace"}
# services an operator creates for its custom resource (kind -> service names, `{name}` = the CR's name)
CR_SERVICES = {"Elasticsearch": ("{name}-es-http",), "Kibana": ("{name}-kb-http",), "postgresql": ("{name}",),
               "KnativeEventing": ("broker-ingress",), "Service": ("{name}",)}
# default service names of charts whose Service is not named after the release (values path of the name)
CHART_SERVICE_VALUES = {"opensearch": ("masterService",)}
CHART_SERVICE_SUFFIXES = {"kube-prometheus-stack": ("-prometheus", "-alertmanager")}
# Knative's broker ingress takes events for a Broker named by the URL's path: /<namespace>/<broker>
BROKER_URL = re.compile(r"\bbroker-ingress\.knative-eventing\.svc\.cluster\.local(?::[0-9]+)?/"
                        r"([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-a-z0-9]*[a-z0-9])?)")


@dataclass(frozen=True)
class Node:
    urn: str
    label: str
    namespace: str
    kind: str  # "release" or the object's kind
    inputs: dict


@dataclass(frozen=True)
class Wire:
    source: Node
    path: str  # where in the source's values or spec the service is named
    host: str
    target: Node | None  # None: nothing in the plan serves it


def nodes(plan: dict) -> list[Node]:
    out = []
    for r in plan["resources"]:
        i = r["inputs"]
        if r["type"] == HELM_RELEASE:
            out.append(Node(r["urn"], f"{i.get('name', r['name'])} ({i['chart']} {i.get('version', '')})",
                            i.get("namespace", ""), "release", i))
        elif is_kubernetes_object(r) and i.get("kind") not in HIDDEN_KINDS:
            meta = i.get("metadata") or {}
            out.append(Node(r["urn"], f"{i['kind']} {meta.get('name', r['name'])}", meta.get("namespace", ""),
                            i["kind"], i))
    return out


def install_edges(plan: dict, graph: list[Node]) -> list[tuple[Node, Node]]:
    """(before, after) pairs among the nodes, transitively reduced so the picture shows the order, not
    every implied edge."""
    by_urn = {n.urn: n for n in graph}
    direct: dict[str, set[str]] = {n.urn: set() for n in graph}
    for r in plan["resources"]:
        if r["urn"] in by_urn:
            direct[r["urn"]] = {d for d in r.get("dependsOn") or [] if d in by_urn and d != r["urn"]}
    reach: dict[str, set[str]] = {}

    def ancestors(urn: str) -> set[str]:
        if urn not in reach:
            reach[urn] = set()
            for d in direct[urn]:
                reach[urn] |= {d} | ancestors(d)
        return reach[urn]

    edges = []
    for urn, deps in direct.items():
        implied = set().union(*(ancestors(d) for d in deps)) if deps else set()
        edges += [(by_urn[d], by_urn[urn]) for d in sorted(deps - implied)]
    return edges


def _value(node: Node, key: str, store: ChartStore | None):
    """A top-level value of a release: its own, else the pinned chart's default."""
    values = node.inputs.get("values") or {}
    if key in values:
        return values[key]
    chart = release_chart(store, node.inputs)
    return chart.defaults.get(key) if chart else None


def _serves(node: Node, name: str, namespace: str, store: ChartStore | None) -> bool:
    if node.namespace != namespace:
        return False
    if node.kind == "release":
        values = node.inputs.get("values") or {}
        base = values.get("fullnameOverride") or node.inputs.get("name", "")
        names = {base} | {_value(node, p, store) for p in CHART_SERVICE_VALUES.get(chart_name(node.inputs), ())}
        suffixes = CHART_SERVICE_SUFFIXES.get(chart_name(node.inputs))
        if suffixes:
            return name in {base + s for s in suffixes}
        return name in names or name.startswith(f"{base}-")
    meta_name = (node.inputs.get("metadata") or {}).get("name", "")
    return name in {s.format(name=meta_name) for s in CR_SERVICES.get(node.kind, ())}


def _server(name: str, namespace: str, graph: list[Node], store: ChartStore | None,
            exclude: Node | None = None) -> Node | None:
    return next((n for n in graph if n is not exclude and _serves(n, name, namespace, store)), None)


def _broker(text: str, match: re.Match, graph: list[Node]) -> Node | None:
    """The Broker a broker-ingress URL names by its path, when the plan has it."""
    url = BROKER_URL.match(text, match.start())
    if not url:
        return None
    namespace, name = url.group(1), url.group(3)
    return next((n for n in graph if n.kind == "Broker" and n.namespace == namespace
                 and (n.inputs.get("metadata") or {}).get("name") == name), None)


def served_by(text: str, graph: list[Node], store: ChartStore | None = None) -> Node | None:
    """The release or object that serves the first service `text` names (a host or a URL); None when nothing
    in the graph does, or the text names no service."""
    match = SERVICE_HOST.search(text or "")
    return _server(match.group(1), match.group(3), graph, store) if match else None


def wiring(graph: list[Node], store: ChartStore | None = None) -> list[Wire]:
    """Every service a release's values or an object's spec names, and what serves it (service names a
    chart takes from its defaults are read from the chart data in `store`)."""
    wires = []
    for node in graph:
        where = node.inputs.get("values") if node.kind == "release" else node.inputs.get("spec")
        prefix = "values" if node.kind == "release" else "spec"
        for path, text in walk(where or {}, prefix):
            if not isinstance(text, str):
                continue
            for match in SERVICE_HOST.finditer(text):
                target = _broker(text, match, graph) or _server(match.group(1), match.group(3), graph, store,
                                                                exclude=node)
                wires.append(Wire(node, path, match.group(0), target))
    return wires


def _id(index: dict[str, str], node: Node) -> str:
    return index.setdefault(node.urn, f"n{len(index)}")


def mermaid(plan: dict, store: ChartStore | None = None) -> list[str]:
    graph = nodes(plan)
    index: dict[str, str] = {}
    lines = ["```mermaid", "flowchart LR"]
    for namespace in sorted({n.namespace for n in graph}):
        members = [n for n in graph if n.namespace == namespace]
        title = namespace or "cluster-scoped"
        lines.append(f'  subgraph ns_{re.sub("[^a-z0-9]", "_", title)}["{title}"]')
        for n in members:
            shape = ('["{}"]' if n.kind == "release" else '("{}")').format(n.label.replace('"', "'"))
            lines.append(f"    {_id(index, n)}{shape}")
        lines.append("  end")
    for before, after in install_edges(plan, graph):
        lines.append(f"  {_id(index, before)} --> {_id(index, after)}")
    for wire in wiring(graph, store):
        if wire.target is not None:
            lines.append(f"  {_id(index, wire.source)} -. \"{wire.path}\" .-> {_id(index, wire.target)}")
    lines.append("```")
    return lines


def diagram_section(plan: dict, store: ChartStore | None = None) -> list[str]:
    unresolved = [w for w in wiring(nodes(plan), store) if w.target is None]
    out = ["", "## The platform", "",
           "Boxes are Helm releases, rounded boxes Kubernetes objects, grouped by namespace. Solid arrows: install "
           "order (what waits for what). Dotted arrows: wiring — a value naming a service, pointing at the "
           "release or object that serves it.", ""]
    out += mermaid(plan, store)
    if unresolved:
        out += ["", "**Wiring that points at nothing in this plan:**", ""]
        out += [f"- {w.source.label}: `{w.path}` names `{w.host}`" for w in unresolved]
    return out
