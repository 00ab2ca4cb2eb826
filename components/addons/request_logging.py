"""The request logging add-on: search cluster, credentials in both namespaces from one secret source,
log collector, dashboards under /kibana/, and — without Knative — the seed's plain request logger."""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_kubernetes as k8s

from components.addon_component import HelmAddon
from components.addons import logging
from components.addons.logging import CREDENTIALS_SECRET, LoggingConfig
from components.generated_certificate import GeneratedCertificate
from components.kit import PART_OF, PlatformKit
from components.password import bcrypt_hash
from components.versions import OPENSEARCH_IMAGE, REQUEST_LOGGER_IMAGE

REQUEST_LOGGER = "seldon-request-logger"


def request_logger_url(namespace: str) -> str:
    return f"http://{REQUEST_LOGGER}.{namespace}.svc.cluster.local"


class RequestLogging(pulumi.ComponentResource):
    """`needed_by_deploy`: what Seldon Deploy's values point at (credentials, the search cluster)."""

    def __init__(self, name: str, config: LoggingConfig, kit: PlatformKit, *, system_namespace: str,
                 knative: bool, opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:addons:RequestLogging", name, None, opts)
        ns = config.namespace
        password = kit.secrets.resolve(config.password, "elastic-password", self,
                                       strong=config.flavor == "opensearch")
        users = {"username": config.username, "password": password}
        # basic-auth typed: ECK reads it as a file realm (with roles); Seldon Deploy reads username/password
        self.credentials = [
            kit.secret(CREDENTIALS_SECRET, ns, {**users, "roles": "superuser"}, self, type_="kubernetes.io/basic-auth"),
            kit.secret(CREDENTIALS_SECRET, system_namespace, users, self, type_="kubernetes.io/basic-auth"),
        ]
        internal = None
        if config.tls:
            # the admin user's hash for OpenSearch's security index (no demo setup runs with own certificates)
            internal = password.apply(lambda p: logging.internal_users(config.username, bcrypt_hash(p, "opensearch")))
            self.credentials.append(kit.secret(logging.INTERNAL_USERS_SECRET, ns,
                                               {"internal_users.yml": pulumi.Output.secret(internal)}, self))
        mounted = [*self.credentials, *self._certificate(config, kit)]
        # the search cluster's volumes hold the request logs (protected in production) and need the cluster's
        # StorageClass first
        kept = pulumi.ResourceOptions(parent=self, depends_on=[*mounted, *kit.volumes_ready], protect=kit.production)
        child = pulumi.ResourceOptions(parent=self, depends_on=mounted)
        if config.flavor == "opensearch":
            self.search = HelmAddon("logging-opensearch", pin=config.pin("opensearch"), namespace=kit.ns(ns),
                                    values=logging.opensearch_values(config, kit.storage_class),
                                    overrides=config.values, opts=kept)
            dashboards = HelmAddon("opensearch-dashboards", pin=config.pin("opensearch-dashboards"),
                                   namespace=kit.ns(ns), values=logging.dashboards_values(config),
                                   depends_on=[self.search], opts=child) if config.dashboards else None
            if internal is not None:
                self._security_apply(config, kit, internal, [self.search, *mounted])
        else:
            operator = HelmAddon("eck-operator", pin=config.pin("eck-operator"), namespace=kit.ns(ns),
                                 overrides=config.values, opts=child)
            self.search = k8s.apiextensions.CustomResource(
                "elasticsearch", api_version="elasticsearch.k8s.elastic.co/v1", kind="Elasticsearch",
                metadata={"name": logging.ECK_NAME, "namespace": kit.ns(ns), "labels": PART_OF},
                spec=logging.elasticsearch_spec(config, kit.storage_class),
                opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[operator])))
            dashboards = k8s.apiextensions.CustomResource(
                "kibana", api_version="kibana.k8s.elastic.co/v1", kind="Kibana",
                metadata={"name": logging.ECK_NAME, "namespace": kit.ns(ns), "labels": PART_OF},
                spec=logging.kibana_spec(config),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[operator, self.search])) \
                if config.dashboards else None
        if dashboards is not None:
            kit.route("kibana", ns, logging.KIBANA_PREFIX, logging.dashboards_service(config),
                      logging.DASHBOARDS_PORT, self, depends_on=[dashboards])
        if config.collector:
            HelmAddon("fluent-bit", pin=config.pin("fluent-bit"), namespace=kit.ns(ns),
                      values=logging.fluent_bit_values(config), depends_on=[self.search], opts=child)
        if not knative:
            self._plain_request_logger(config, kit)
        self.needed_by_deploy = [*self.credentials, self.search]
        self.register_outputs({"url": logging.search_url(config)})

    def _certificate(self, config: LoggingConfig, kit: PlatformKit) -> list[pulumi.Resource]:
        """The Secret the search nodes and Dashboards mount, when the platform issues it."""
        if config.tls is None or config.tls.certificate != "generate":
            return []
        issued = GeneratedCertificate("opensearch-certificate", subject=config.tls.nodes_dn[0],
                                      dns_names=logging.search_names(config),
                                      validity_days=config.tls.validity_days, client_subject=config.tls.admin_dn,
                                      opts=pulumi.ResourceOptions(parent=self))
        nodes = {"ca.crt": issued.ca_crt, "tls.crt": issued.tls_crt, "tls.key": pulumi.Output.secret(issued.tls_key)}
        admin = {"ca.crt": issued.ca_crt, "tls.crt": issued.admin_crt,
                 "tls.key": pulumi.Output.secret(issued.admin_key)}
        return [kit.secret(config.tls.secret_name, config.namespace, nodes, self, type_="kubernetes.io/tls"),
                kit.secret(config.tls.admin_secret, config.namespace, admin, self, type_="kubernetes.io/tls")]

    def _security_apply(self, config: LoggingConfig, kit: PlatformKit, users: pulumi.Output[str],
                        needs: list[pulumi.Resource]) -> None:
        """A rotated password reaches the running cluster: securityadmin applies the changed internal users."""
        digest = pulumi.Output.secret(users.apply(lambda text: hashlib.sha256(text.encode()).hexdigest()[:16]))
        k8s.batch.v1.Job(
            logging.SECURITY_APPLY_JOB,
            metadata={"name": logging.SECURITY_APPLY_JOB, "namespace": kit.ns(config.namespace), "labels": PART_OF},
            spec=logging.security_apply_job(config, OPENSEARCH_IMAGE, digest),
            # its pod template is immutable: a new digest replaces the Job, which runs again
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs, replace_on_changes=["spec"],
                                        delete_before_replace=True))

    def _plain_request_logger(self, config: LoggingConfig, kit: PlatformKit) -> None:
        """Seed 003 "Running without KNative": a Deployment and Service Seldon Core's executor posts to."""
        labels = {"app": REQUEST_LOGGER, **PART_OF}
        env = [{"name": "ELASTICSEARCH_HOST", "value": logging.search_host(config)},
               {"name": "ELASTICSEARCH_PORT", "value": "9200"},
               {"name": "ELASTICSEARCH_PROTOCOL", "value": "https"},
               {"name": "ELASTICSEARCH_USER", **logging.from_credentials("username")},
               {"name": "ELASTICSEARCH_PASS", **logging.from_credentials("password")}]
        meta = {"name": REQUEST_LOGGER, "namespace": kit.ns(config.namespace), "labels": labels}
        k8s.apps.v1.Deployment(
            REQUEST_LOGGER, metadata=meta,
            spec={"replicas": 2, "selector": {"matchLabels": {"app": REQUEST_LOGGER}},
                  "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                      "name": "user-container", "image": REQUEST_LOGGER_IMAGE, "env": env,
                      "ports": [{"containerPort": 8080, "name": "http"}],
                      "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                                    "limits": {"cpu": "500m", "memory": "512Mi"}}}]}}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.search, *self.credentials]))
        k8s.core.v1.Service(
            REQUEST_LOGGER, metadata=meta,
            spec={"selector": {"app": REQUEST_LOGGER}, "ports": [{"protocol": "TCP", "port": 80, "targetPort": 8080}]},
            opts=pulumi.ResourceOptions(parent=self))
