"""The request-log path of a plan, link by link: from Seldon Core's executor in every model pod to the search
cluster. Each link is checked on what the plan declares (release values merged with the pinned charts'
defaults where chart data is given), so a selector label or a port that does not match is named here
instead of showing up as logs that never arrive.

With Knative: executor → broker-ingress → Broker → Trigger → the request logger (a Knative Service, which
Seldon Deploy's chart creates) → search cluster. A Knative Service is reached at its cluster-local address,
which resolves to the local gateway's Service; that Service's HTTP port must target the port Knative's local
Gateway listens on, and the Gateway's selector must match the gateway pods' labels. Without Knative: the
executor posts to the plain request logger's Service, whose Deployment writes to the search cluster."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from components.names import LOCAL_GATEWAY_KEY, chart_name
from modelplane.plan.charts import ChartStore, get, release_values
from modelplane.plan.diagram import Node, nodes, served_by

# what Knative's operator configures when KnativeServing does not say otherwise (net-istio's defaults)
DEFAULT_LOCAL_SELECTOR = {"istio": "ingressgateway"}
DEFAULT_LOCAL_PORT = 8081
KNATIVE_HTTP_PORT = 80  # cluster-local addresses are plain HTTP on port 80


@dataclass(frozen=True)
class Link:
    step: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok    ' if self.ok else 'BROKEN'} {self.step}: {self.detail}"


def _release(graph: list[Node], chart: str) -> Node | None:
    return next((n for n in graph if n.kind == "release" and chart_name(n.inputs) == chart), None)


def _object(graph: list[Node], kind: str, name: str | None = None, namespace: str | None = None) -> Node | None:
    for n in graph:
        meta = n.inputs.get("metadata") or {}
        if n.kind == kind and (name is None or meta.get("name") == name) and \
                (namespace is None or meta.get("namespace") == namespace):
            return n
    return None


def request_log_path(plan: dict, store: ChartStore | None = None) -> list[Link]:
    """Every link of the path; empty when the plan logs no requests (no Seldon Core or no logger)."""
    graph = nodes(plan)
    core = _release(graph, "seldon-core-operator")
    endpoint = get((core.inputs.get("values") or {}), "executor.requestLogger.defaultEndpoint") if core else None
    if not endpoint:
        return []
    links: list[Link] = []
    host = urlsplit(endpoint).hostname or ""
    target = served_by(host, graph, store)
    links.append(Link("executor → logger endpoint", target is not None,
                      f"{endpoint} is served by {target.label if target else 'nothing in the plan'}"))
    if target is not None and target.kind == "KnativeEventing":
        links += _knative_links(endpoint, graph, store)
    elif target is not None and target.kind == "Service":
        links.append(_plain_logger_link(target, graph, store))
    return links


def _plain_logger_link(service: Node, graph: list[Node], store: ChartStore | None) -> Link:
    """Seed 003 "Running without KNative": the logger Deployment behind the Service writes to the search host."""
    meta = service.inputs.get("metadata") or {}
    deployment = _object(graph, "Deployment", meta.get("name"), meta.get("namespace"))
    containers = (((deployment.inputs.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
        "containers", []) if deployment else []
    env = {e["name"]: e.get("value") for c in containers for e in c.get("env") or []}
    search = env.get("ELASTICSEARCH_HOST") or ""
    target = served_by(search, graph, store)
    served = target.label if target else "nothing in the plan"
    return Link("request logger → search cluster", target is not None,
                f"{search or '(no ELASTICSEARCH_HOST)'} is served by {served}")


def _knative_links(endpoint: str, graph: list[Node], store: ChartStore | None) -> list[Link]:
    links = []
    namespace, _, broker = urlsplit(endpoint).path.strip("/").partition("/")
    found = _object(graph, "Broker", broker, namespace)
    links.append(Link("broker-ingress → Broker", found is not None,
                      f"Broker {namespace}/{broker} {'exists' if found else 'is not in the plan'}"))
    deploy = _release(graph, "seldon-deploy")
    logger = get(deploy.inputs.get("values") or {}, "requestLogger") if deploy else None
    subscribed = bool(logger and logger.get("create") and (logger.get("trigger") or {}).get("broker") == broker)
    links.append(Link("Broker → request logger (Trigger)", subscribed,
                      f"Seldon Deploy's request logger subscribes to Broker {broker!r}" if subscribed else
                      f"no request logger subscribes to Broker {broker!r} (seldon-deploy requestLogger.create/"
                      f"trigger.broker)"))
    links += _local_gateway_links(graph, store)
    search = (logger or {}).get("elasticsearch", {}).get("host", "")
    target = served_by(search, graph, store)
    links.append(Link("request logger → search cluster", target is not None,
                      f"{search or '(no host)'} is served by {target.label if target else 'nothing in the plan'}"))
    return links


def _local_gateway_links(graph: list[Node], store: ChartStore | None) -> list[Link]:
    serving = _object(graph, "KnativeServing")
    if serving is None:
        return [Link("Knative Service → local gateway", False, "no KnativeServing in the plan")]
    spec = serving.inputs.get("spec") or {}
    host = ((spec.get("config") or {}).get("istio") or {}).get(LOCAL_GATEWAY_KEY, "")
    local = (((spec.get("ingress") or {}).get("istio") or {}).get("knative-local-gateway") or {})
    selector = local.get("selector") or DEFAULT_LOCAL_SELECTOR
    servers = local.get("servers") or []
    port = int(((servers[0] if servers else {}).get("port") or {}).get("number") or DEFAULT_LOCAL_PORT)
    gateway = served_by(host, graph, store)
    links = [Link("Knative Service → local gateway Service", gateway is not None and gateway.kind == "release",
                  f"{host or '(not configured)'} is served by {gateway.label if gateway else 'nothing in the plan'}")]
    if gateway is None or gateway.kind != "release":
        return links
    values = release_values(store, gateway.inputs)
    ports = (values.get("service") or {}).get("ports") or []
    http = next((p for p in ports if p.get("port") == KNATIVE_HTTP_PORT), None)
    target_port = (http or {}).get("targetPort", (http or {}).get("port"))
    links.append(Link("local gateway Service → Gateway listener", http is not None and target_port == port,
                      f"{gateway.label} Service port {KNATIVE_HTTP_PORT} targets "
                      f"{target_port if http else '(no such port)'}; knative-local-gateway listens on {port}"))
    labels = values.get("labels") or {}
    matched = all(labels.get(k) == v for k, v in selector.items())
    links.append(Link("Gateway selector → gateway pods", matched,
                      f"knative-local-gateway selects {selector}; {gateway.label} pods carry {labels}"))
    return links
