"""Rules on the platform's add-ons and cloud resources."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator

from components.dicts import walk
from components.names import REDACTED, SEED_DEFAULT_SECRETS, chart_name
from modelplane.plan.charts import check_release_inputs
from modelplane.plan.logpipeline import release_unrouted_inputs
from modelplane.plan.requestlog import request_log_path
from modelplane.plan.storage import unbound_volumes, unordered_volumes
from policies.rules.base import Context, Resource, Violation, rule

EXACT_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$")
SECRET_KEY = re.compile(r"pass(word)?|secret|token", re.IGNORECASE)
# charts that keep data on PersistentVolumes: deleting the release deletes the claims
STATEFUL_CHARTS = {"kube-prometheus-stack", "opensearch", "elasticsearch", "eck-elasticsearch", "minio",
                   "postgresql"}
RDS = "aws:rds/instance:Instance"
CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
ZALANDO = "kubernetes:acid.zalan.do/v1:postgresql"
ECK_ELASTICSEARCH = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"


@rule("MP004", "Helm chart versions are pinned exactly", severity="high",
      rationale="A missing or ranged chart version installs whatever the repository serves on the day of "
                "`pulumi up`; the compatibility rules in components/versions.py then prove nothing.",
      fix="Pin the chart in components/versions.py or set addons.<name>.version to an exact version.")
def charts_pinned(ctx: Context):
    for r in ctx.releases():
        version = str(r.inputs.get("version") or "")
        if not EXACT_VERSION.match(version):
            yield Violation(f"Helm release {r.name}", f"chart {r.inputs.get('chart')!r} version {version!r} "
                            "is not an exact version", r.urn)


def _stateful_problems(r: Resource) -> list[str]:
    i = r.inputs
    problems = [] if r.protect else ["not protected (protect: true)"]
    if r.type == RDS:
        if not i.get("deletionProtection"):
            problems.append("deletionProtection is off")
        if not i.get("backupRetentionPeriod"):
            problems.append("no automated backups (backupRetentionPeriod)")
    elif r.type == CLOUD_SQL:
        if not i.get("deletionProtection"):
            problems.append("deletionProtection is off")
        if not ((i.get("settings") or {}).get("backupConfiguration") or {}).get("enabled"):
            problems.append("no backups (settings.backupConfiguration.enabled)")
    elif r.type == ZALANDO and not (i.get("spec") or {}).get("enableLogicalBackup"):
        problems.append("no backups (spec.enableLogicalBackup)")
    return problems


@rule("MP005", "Production stateful resources are protected and backed up", severity="critical",
      rationale="Model metadata, request logs and metrics live in databases and volumes; one mistaken "
                "`pulumi destroy` or rename must not delete them, and a bad day must be recoverable.",
      fix="Production stacks set protect and deletion protection and enable backups; keep environment: prod.")
def stateful_protected(ctx: Context):
    if ctx.environment != "prod":
        return
    stateful = [r for r in ctx.resources if r.type in (RDS, CLOUD_SQL, ZALANDO, ECK_ELASTICSEARCH)]
    stateful += [r for r in ctx.releases() if chart_name(r.inputs) in STATEFUL_CHARTS]
    for r in stateful:
        problems = _stateful_problems(r)
        if problems:
            yield Violation(f"{r.type} {r.name}", "; ".join(problems), r.urn)


@rule("MP006", "The ingress gateway serves TLS", severity="high",
      rationale="Prediction payloads and Seldon Deploy sessions cross the gateway; outside dev they must "
                "not travel in clear text (issue 5: HTTPS required outside dev).",
      fix="Set addons.istio.tls.credentialName (a TLS Secret in istio-system) and hosts.")
def gateway_tls(ctx: Context):
    for gw in ctx.kind("Gateway"):
        servers = (gw.manifest.get("spec") or {}).get("servers") or []
        tls = [s for s in servers if (s.get("port") or {}).get("protocol") == "HTTPS"
               and (s.get("tls") or {}).get("credentialName")]
        if not tls:
            yield Violation(gw.label, "no HTTPS server with a TLS credentialName", gw.urn)


def _load_balancers(values: dict):
    for path, node in walk(values):
        if isinstance(node, dict) and node.get("type") == "LoadBalancer":
            yield path, node


@rule("MP007", "LoadBalancers outside dev restrict their source ranges", severity="high",
      rationale="A LoadBalancer without loadBalancerSourceRanges is open to the internet.",
      fix="Set addons.istio.loadBalancerSourceRanges to the networks that may call models.")
def load_balancer_ranges(ctx: Context):
    if ctx.dev:
        return
    for svc in ctx.kind("Service"):
        spec = svc.manifest.get("spec") or {}
        if spec.get("type") == "LoadBalancer" and not spec.get("loadBalancerSourceRanges"):
            yield Violation(svc.label, "type LoadBalancer without loadBalancerSourceRanges", svc.urn)
    for r in ctx.releases():
        for path, node in _load_balancers(r.inputs.get("values") or {}):
            if not node.get("loadBalancerSourceRanges"):
                yield Violation(f"Helm release {r.name}", f"values.{path}: LoadBalancer without "
                                "loadBalancerSourceRanges", r.urn)


def _decoded(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


# charts that create a user with a published password unless their values say otherwise
CHART_DEFAULT_USERS = {"minio": ("users", "console/console123 (consoleAdmin)")}


@rule("MP008", "No default credentials from the seeds or the charts", severity="critical",
      rationale="admin/admin, minioadmin/minioadmin and 12341234 appear in the Seldon Deploy manual, and the "
                "MinIO chart creates console/console123 by default; they are the first thing anyone tries.",
      fix="Use `generate`, a `config:<key>` secret or a Vault reference for the field named; for a chart's "
          "default user, name the users it should create, passwords from a Secret (MinIO: existingSecret).")
def no_default_credentials(ctx: Context):
    for r in ctx.releases():
        default = CHART_DEFAULT_USERS.get(chart_name(r.inputs))
        value = (r.inputs.get("values") or {}).get(default[0]) if default else None
        if default and not value:
            # an empty list or a null never reaches Helm: the Kubernetes provider drops both
            # (pulumi-kubernetes#2731), seen on the engine in tests/modelplane/engine
            why = "is not set" if value is None else f"is {value!r}, which the Kubernetes provider drops"
            yield Violation(f"Helm release {r.name}", f"values.{default[0]} {why}: the chart creates its "
                            f"default user {default[1]}", r.urn)
    for path in sorted(ctx.default_credentials):
        yield Violation(f"stack config {path}", "a default credential from the seeds, in plaintext")
    for r in ctx.resources:
        if not _may_hold_default(r.inputs):
            continue
        for path, value in _secret_strings(r.inputs):
            if value in SEED_DEFAULT_SECRETS or (path.startswith("data.") and _decoded(value) in
                                                 SEED_DEFAULT_SECRETS):
                yield Violation(f"{r.type} {r.name}", f"{path} is a default credential from the seeds", r.urn)


# a string equal to a default appears in the JSON text of what holds it as exactly this, quotes included
_DEFAULTS_AS_JSON = tuple(json.dumps(s) for s in sorted(SEED_DEFAULT_SECRETS))


def _may_hold_default(inputs: dict) -> bool:
    """An exact pre-test, in C, for the walk below: only inputs whose JSON text holds a default, or with
    top-level data (base64 values that may decode to one), can yield a finding."""
    if isinstance(inputs.get("data"), dict):
        return True
    text = json.dumps(inputs, default=str)
    return any(default in text for default in _DEFAULTS_AS_JSON)


def _secret_strings(node, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, value) of every string under a key that names a secret (password, secret, token), not
    redacted. Paths are only built down to where they may lead to one: this runs over every input of every
    resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                if value != REDACTED and SECRET_KEY.search(str(key)):
                    yield (f"{path}.{key}" if path else str(key)), value
            elif isinstance(value, (dict, list)):
                where = f"{path}.{key}" if path else str(key)
                if isinstance(value, list) and SECRET_KEY.search(str(key)):
                    yield from ((f"{where}[{i}]", v) for i, v in enumerate(value)
                                if isinstance(v, str) and v != REDACTED)
                yield from _secret_strings(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from _secret_strings(value, f"{path}[{index}]")


@rule("MP015", "Request logs need credentials outside dev", severity="high",
      rationale="Request logs hold every prediction payload; outside dev the search cluster must require "
                "basic auth, with `elastic-credentials` in seldon-logs and seldon-system (seed 003).",
      fix="Keep addons.logging.password set; the platform derives elasticsearch.basicAuth and the Secrets.")
def elastic_basic_auth(ctx: Context):
    deploy = ctx.release("seldon-deploy")
    if ctx.dev or deploy is None:
        return
    es = (deploy.inputs.get("values") or {}).get("elasticsearch") or {}
    if not es.get("url"):
        return  # request logging is off
    if es.get("basicAuth") is not True:
        yield Violation("Helm release seldon-deploy", "elasticsearch.basicAuth is not true", deploy.urn)
    have = {o.namespace for o in ctx.kind("Secret") if o.name == "elastic-credentials"}
    for ns in sorted({"seldon-logs", "seldon-system"} - have):
        yield Violation(f"Secret {ns}/elastic-credentials", "missing", deploy.urn)


@rule("MP016", "Helm values exist in the pinned chart, with the default's type", severity="high",
      rationale="Helm ignores a values key its chart does not read: a typo or a key from another chart version "
                "installs without error and silently does nothing (a retention never set, a resource limit "
                "never applied).",
      fix="Correct the key path (or its type) in addons.<name>.values to one the pinned chart's values.yaml "
          "has; check it with `modelplane check --charts DIR`.")
def helm_values_in_chart(ctx: Context):
    if ctx.charts is None:
        return
    for r in ctx.releases():
        for problem in check_release_inputs(ctx.charts, r.name, r.inputs).problems:
            where = "" if problem.path == "(chart)" else f"values.{problem.path}: "
            yield Violation(f"Helm release {r.name}", f"{where}{problem.message}", r.urn)


def _env(values: dict, name: str) -> str | None:
    return next((e.get("value") for e in values.get("extraEnvs") or [] if e.get("name") == name), None)


@rule("MP017", "The search cluster does not run the image's demo certificates", severity="high",
      rationale="Without its own certificates OpenSearch's demo setup installs the key pair every OpenSearch "
                "image ships: anyone can impersonate a node or read request logs (every prediction payload) "
                "in transit.",
      fix="Set addons.logging.tls: {secretName, nodesDn} (the platform issues the certificate into that Secret; "
          "certificate: provided when your PKI writes it), or use flavor: elasticsearch (ECK issues a CA per "
          "cluster).")
def search_certificates(ctx: Context):
    for r in ctx.releases_of("opensearch"):
        if _env(r.inputs.get("values") or {}, "DISABLE_INSTALL_DEMO_CONFIG") != "true":
            yield Violation(f"Helm release {r.name}", "runs the demo TLS certificates (OpenSearch's demo "
                            "security setup is not disabled)", r.urn)


@rule("MP018", "Request logs reach the search cluster", severity="high",
      rationale="Nothing fails when a link of the request-log path is wrong (a gateway selector, a Service port, a "
                "Broker name): predictions are served and their logs silently never arrive.",
      fix="Follow the named link: the executor's endpoint, the Broker and the logger's Trigger, the local gateway's "
          "Service port and the knative-local-gateway selector (addons.istio / addons.knative), the search host.")
def request_logs_arrive(ctx: Context):
    for link in request_log_path(ctx.plan_view(), ctx.charts):
        if not link.ok:
            yield Violation(f"request-log path: {link.step}", link.detail)


@rule("MP019", "Every volume names a StorageClass the cluster has", severity="high",
      rationale="New EKS clusters have no default StorageClass and no EBS CSI driver: a claim naming no class, or "
                "a class nothing provides, stays Pending and Helm's wait fails `pulumi up` after its timeout.",
      fix="Keep the EKS component's gp3 class (it installs the EBS CSI driver), or set cluster.storageClass to a "
          "class the cluster provides.")
def volumes_bind(ctx: Context):
    for volume, why in unbound_volumes(ctx.plan_view(), ctx.charts):
        yield Violation(volume.owner, why)
    for volume, name in unordered_volumes(ctx.plan_view(), ctx.charts):
        yield Violation(volume.owner, f"{volume.where} names StorageClass {name!r}, which the plan creates, but it "
                        "does not wait for it: its claims can be made before the class and its driver exist",
                        volume.urn)


ARGOCD_EXAMPLE_DOMAIN = "argocd.example.com"  # the chart's default global.domain


@rule("MP020", "Argo CD knows its URL and keeps admin sessions across upgrades", severity="medium",
      rationale="With the chart's example domain, SSO redirects and notification links point at "
                "argocd.example.com; without a fixed admin passwordMtime the chart stamps the current time on "
                "every upgrade, which logs every admin out.",
      fix="Set addons.istio.tls.hosts (or addons.argocd.url); modelplane derives global.domain, configs.cm.url and "
          "a passwordMtime that moves only with the password.")
def argocd_day2(ctx: Context):
    for r in ctx.releases_of("argo-cd"):
        values = r.inputs.get("values") or {}
        configs = values.get("configs") or {}
        domain = (values.get("global") or {}).get("domain") or ARGOCD_EXAMPLE_DOMAIN
        url = (configs.get("cm") or {}).get("url") or f"https://{domain}"
        if ARGOCD_EXAMPLE_DOMAIN in url:
            yield Violation(f"Helm release {r.name}", f"Argo CD's URL is the chart's example ({url})", r.urn)
        secret = configs.get("secret") or {}
        if secret.get("argocdServerAdminPassword") and not secret.get("argocdServerAdminPasswordMtime"):
            yield Violation(f"Helm release {r.name}", "configs.secret.argocdServerAdminPasswordMtime is unset: the "
                            "chart stamps the current time on every upgrade", r.urn)


MANAGED_CLUSTERS = ("aws:eks/cluster:Cluster", "gcp:container/cluster:Cluster")
CONTROL_PLANE_TARGETS = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")


@rule("MP021", "No alerts for control planes the cloud runs", severity="medium",
      rationale="EKS and GKE run the scheduler, controller-manager and etcd where Prometheus cannot scrape them: "
                "kube-prometheus-stack's targets for them never come up and their alerts fire forever, which "
                "teaches on-call to ignore alerts.",
      fix="modelplane turns those targets and rules off on EKS/GKE; do not re-enable them in "
          "addons.prometheus.values.")
def managed_control_plane_alerts(ctx: Context):
    if not any(r.type in MANAGED_CLUSTERS for r in ctx.resources):
        return
    for r in ctx.releases_of("kube-prometheus-stack"):
        values = r.inputs.get("values") or {}
        on = [k for k in CONTROL_PLANE_TARGETS if (values.get(k) or {}).get("enabled", True) is not False]
        if on:
            yield Violation(f"Helm release {r.name}", f"scrapes the managed control plane ({', '.join(on)} "
                            "enabled): their targets never come up", r.urn)
        gke = any(c.type == "gcp:container/cluster:Cluster" for c in ctx.resources)
        if gke and (values.get("coreDns") or {}).get("enabled", True) is not False:
            yield Violation(f"Helm release {r.name}", "scrapes CoreDNS on port 9153, but GKE runs kube-dns: the "
                            "target never comes up (coreDns enabled)", r.urn)


@rule("MP022", "Every log input reaches an output", severity="low",
      rationale="Fluent Bit reads records no output matches and drops them: CPU and memory spent on nothing, "
                "and a reader who expects those logs finds none.",
      fix="Give the input an output whose Match takes its Tag, or drop the input (modelplane keeps only the "
          "container-log input).")
def log_inputs_routed(ctx: Context):
    for r in ctx.releases_of("fluent-bit"):
        if ctx.charts is None and "inputs" not in ((r.inputs.get("values") or {}).get("config") or {}):
            continue  # the chart's default inputs are unknown without chart data
        for tag in release_unrouted_inputs(r.inputs, ctx.charts):
            yield Violation(f"Helm release {r.name}", f"input with tag {tag!r} matches no output", r.urn)
