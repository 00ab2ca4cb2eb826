"""Request logging store (seed 003 Request Logging): OpenSearch (OpenDistro's successor) or
Elasticsearch, and the `elastic-credentials` Secret in seldon-logs AND seldon-system from one source."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.addon import AddonConfig
from components.base import DnsLabel
from components.quantity import Requests
from components.secrets import SecretRef

CREDENTIALS_SECRET = "elastic-credentials"
# each search node (OpenSearch or Elasticsearch): requests and limits
SEARCH_NODE_RESOURCES = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
SEARCH_NODE_REQUESTS = Requests.of(**SEARCH_NODE_RESOURCES["requests"])


class LoggingConfig(AddonConfig):
    namespace: DnsLabel | None = "seldon-logs"
    flavor: Literal["opensearch", "elasticsearch"] = "opensearch"
    username: str = "admin"
    password: SecretRef = "generate"
    replicas: int = Field(default=3, ge=1)
    # seed 003 §9.1.4: raise the write queue when bulk requests are rejected
    write_queue_size: int = Field(default=2000, ge=200)

    def chart_key(self) -> str:
        return "opensearch" if self.flavor == "opensearch" else "eck-operator"


def search_url(config: LoggingConfig) -> str:
    host = "opensearch-cluster-master" if config.flavor == "opensearch" else "seldon-logs-es-http"
    return f"https://{host}.{config.namespace}.svc.cluster.local:9200"


def opensearch_values(config: LoggingConfig) -> dict:
    return {
        "replicas": config.replicas,
        "config": {"opensearch.yml": f"thread_pool.write.queue_size: {config.write_queue_size}\n"},
        "extraEnvs": [{"name": "OPENSEARCH_INITIAL_ADMIN_PASSWORD",
                       "valueFrom": {"secretKeyRef": {"name": CREDENTIALS_SECRET, "key": "password"}}}],
        "resources": SEARCH_NODE_RESOURCES,
        "persistence": {"enabled": True, "size": "30Gi"},
    }
