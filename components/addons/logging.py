"""Request logging configuration and the values of its releases (seed 003 Request Logging): OpenSearch
(OpenDistro's successor) or Elasticsearch run by ECK, Fluent Bit collecting container logs, dashboards or
Kibana under /kibana/, and the `elastic-credentials` Secret in seldon-logs AND seldon-system."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.addon import AddonConfig
from components.base import DnsLabel
from components.quantity import Requests
from components.secrets import SecretRef
from components.versions import ELASTIC_STACK_VERSION

CREDENTIALS_SECRET = "elastic-credentials"
ECK_NAME = "seldon-logs"  # Elasticsearch and Kibana resources: services seldon-logs-es-http, -kb-http
OPENSEARCH_SERVICE = "opensearch-cluster-master"
DASHBOARDS_PORT = 5601
KIBANA_PREFIX = "/kibana/"
# each search node (OpenSearch or Elasticsearch): requests and limits
SEARCH_NODE_RESOURCES = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
SEARCH_NODE_REQUESTS = Requests.of(**SEARCH_NODE_RESOURCES["requests"])


class LoggingConfig(AddonConfig):
    namespace: DnsLabel | None = "seldon-logs"
    flavor: Literal["opensearch", "elasticsearch"] = "opensearch"
    username: str = "admin"
    password: SecretRef = "generate"
    replicas: int = Field(default=3, ge=1)
    volume_size: str = Field(default="30Gi", pattern=r"^[0-9]+(Gi|Ti)$")
    # seed 003 §9.1.4: raise the write queue when bulk requests are rejected
    write_queue_size: int = Field(default=2000, ge=200)
    # Fluent Bit shipping every container's logs to the search cluster (seed 003: fluentd)
    collector: bool = True
    dashboards: bool = True

    def chart_key(self) -> str:
        return "opensearch" if self.flavor == "opensearch" else "eck-operator"


def search_host(config: LoggingConfig) -> str:
    service = OPENSEARCH_SERVICE if config.flavor == "opensearch" else f"{ECK_NAME}-es-http"
    return f"{service}.{config.namespace}.svc.cluster.local"


def search_url(config: LoggingConfig) -> str:
    return f"https://{search_host(config)}:9200"


def dashboards_service(config: LoggingConfig) -> str:
    return "opensearch-dashboards" if config.flavor == "opensearch" else f"{ECK_NAME}-kb-http"


def from_credentials(key: str) -> dict:
    return {"valueFrom": {"secretKeyRef": {"name": CREDENTIALS_SECRET, "key": key}}}


def opensearch_values(config: LoggingConfig) -> dict:
    return {
        "replicas": config.replicas,
        "config": {"opensearch.yml": f"thread_pool.write.queue_size: {config.write_queue_size}\n"},
        "extraEnvs": [{"name": "OPENSEARCH_INITIAL_ADMIN_PASSWORD", **from_credentials("password")}],
        "resources": SEARCH_NODE_RESOURCES,
        "persistence": {"enabled": True, "size": config.volume_size},
    }


def dashboards_values(config: LoggingConfig) -> dict:
    return {
        "opensearchHosts": search_url(config),
        "extraEnvs": [{"name": "OPENSEARCH_USERNAME", **from_credentials("username")},
                      {"name": "OPENSEARCH_PASSWORD", **from_credentials("password")}],
        # served under /kibana/ behind the gateway, which strips the prefix (seed 003 Kibana ingress)
        "config": {"opensearch_dashboards.yml": {"server": {"basePath": KIBANA_PREFIX.rstrip("/"),
                                                            "rewriteBasePath": False}}},
    }


def elasticsearch_spec(config: LoggingConfig) -> dict:
    """ECK Elasticsearch: users come from the elastic-credentials Secret (a basic-auth file realm)."""
    return {
        "version": ELASTIC_STACK_VERSION,
        "auth": {"fileRealm": [{"secretName": CREDENTIALS_SECRET}]},
        "nodeSets": [{
            "name": "default",
            "count": config.replicas,
            "config": {"thread_pool.write.queue_size": config.write_queue_size, "node.store.allow_mmap": False},
            "podTemplate": {"spec": {"containers": [{"name": "elasticsearch", "resources": SEARCH_NODE_RESOURCES}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "elasticsearch-data"}, "spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": config.volume_size}}}}],
        }],
    }


def kibana_spec(config: LoggingConfig) -> dict:
    return {
        "version": ELASTIC_STACK_VERSION,
        "count": 1,
        "elasticsearchRef": {"name": ECK_NAME},
        "config": {"server.basePath": KIBANA_PREFIX.rstrip("/"), "server.rewriteBasePath": False},
        # plain HTTP inside the mesh; the gateway terminates TLS
        "http": {"tls": {"selfSignedCertificate": {"disabled": True}}},
    }


def fluent_bit_values(config: LoggingConfig) -> dict:
    """Fluent Bit's output to the search cluster; the chart's default inputs tail every container log."""
    output = {"Name": "opensearch" if config.flavor == "opensearch" else "es", "Match": "kube.*",
              "Host": search_host(config), "Port": "9200", "HTTP_User": "${SEARCH_USERNAME}",
              "HTTP_Passwd": "${SEARCH_PASSWORD}", "tls": "On", "tls.verify": "Off",
              "Logstash_Format": "On", "Logstash_Prefix": "kube", "Suppress_Type_Name": "On",
              "Replace_Dots": "On", "Retry_Limit": "False"}
    return {
        "env": [{"name": "SEARCH_USERNAME", **from_credentials("username")},
                {"name": "SEARCH_PASSWORD", **from_credentials("password")}],
        "config": {"outputs": fluent_bit_section("OUTPUT", output)},
    }


def fluent_bit_section(kind: str, entries: dict[str, str]) -> str:
    """One section of Fluent Bit's classic configuration format (not YAML: key/value lines)."""
    return "\n".join([f"[{kind}]", *(f"    {key} {value}" for key, value in entries.items())]) + "\n"
