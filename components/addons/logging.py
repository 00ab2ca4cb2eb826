"""Request logging configuration and the values of its releases (seed 003 Request Logging): OpenSearch
(OpenDistro's successor) or Elasticsearch run by ECK, Fluent Bit collecting container logs, dashboards or
Kibana under /kibana/, and the `elastic-credentials` Secret in seldon-logs AND seldon-system."""

from __future__ import annotations

from typing import Annotated, Literal

import yaml
from pydantic import Field, StringConstraints, field_validator, model_validator

from components.addon import AddonConfig
from components.base import DnsLabel, Strict
from components.dicts import deep_merge
from components.errors import FieldProblems
from components.secrets import SecretRef
from components.versions import ELASTIC_STACK_VERSION

CREDENTIALS_SECRET = "elastic-credentials"
ECK_NAME = "seldon-logs"  # Elasticsearch and Kibana resources: services seldon-logs-es-http, -kb-http
OPENSEARCH_SERVICE = "opensearch-cluster-master"
DASHBOARDS_PORT = 5601
KIBANA_PREFIX = "/kibana/"
# each search node (OpenSearch or Elasticsearch): requests and limits
SEARCH_NODE_RESOURCES = {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
KIBANA_RESOURCES = {"requests": {"cpu": "500m", "memory": "2Gi"}, "limits": {"memory": "2Gi"}}
OPENSEARCH_ADMIN = "admin"  # the user OpenSearch's demo setup gives OPENSEARCH_INITIAL_ADMIN_PASSWORD to
INTERNAL_USERS_SECRET = "opensearch-internal-users"
OPENSEARCH_CERTS = "/usr/share/opensearch/config/certs"
DASHBOARDS_CERTS = "/usr/share/opensearch-dashboards/certs"
SECURITY_APPLY_JOB = "opensearch-security-apply"
SECURITY_DIGEST = "modelplane.io/internal-users-digest"
SECURITY_FILES = "/security"
ADMIN_CERTS = "/admin"


class SearchTls(Strict):
    """OpenSearch's own certificates instead of the image's demo ones (the same key pair on every node
    in every image): a Secret in the logging namespace with tls.crt, tls.key (PKCS #8) and ca.crt.
    `generate`: the platform issues them (components/generated_certificate.py) with the first of `nodes_dn`
    as subject and the service's names (search_names()) as SANs. `provided`: your PKI or cert-manager
    writes the Secret before `pulumi up`, and `modelplane preflight` checks it."""

    secret_name: DnsLabel
    # the certificates' subjects, which nodes accept from each other on the transport layer
    nodes_dn: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)
    certificate: Literal["generate", "provided"] = "generate"
    validity_days: int = Field(default=1095, ge=60, le=3650)
    # the client certificate's subject that may change the security index (securityadmin): in Secret
    # `<secretName>-admin` (tls.crt, tls.key, ca.crt), issued with the nodes' one or provided with it
    admin_dn: str = "CN=opensearch-admin,O=modelplane"

    @field_validator("nodes_dn")
    @classmethod
    def _distinguished_names(cls, names: list[str]) -> list[str]:
        for name in names:
            _distinguished_name(name)
        return names

    @field_validator("admin_dn")
    @classmethod
    def _admin_dn(cls, name: str) -> str:
        return _distinguished_name(name)

    @property
    def admin_secret(self) -> str:
        return f"{self.secret_name}-admin"


def _distinguished_name(name: str) -> str:
    from cryptography import x509

    try:
        x509.Name.from_rfc4514_string(name)
    except ValueError as exc:
        raise ValueError(f"{name!r} is not an RFC 4514 distinguished name ({exc})") from None
    return name


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
    # OpenSearch only (ECK issues its own per-cluster CA): without it, the image's demo certificates
    tls: SearchTls | None = None

    @model_validator(mode="after")
    def _opensearch_users(self) -> LoggingConfig:
        if self.flavor != "opensearch" and self.tls is not None:
            raise FieldProblems([(("tls",), "only for flavor opensearch (ECK issues the Elasticsearch "
                                            "certificates itself)")])
        if self.flavor == "opensearch" and self.tls is None and self.username != OPENSEARCH_ADMIN:
            raise FieldProblems([(("username",), f"{self.username!r}: with the demo security setup (no tls) "
                                                 f"OpenSearch's only configured user is {OPENSEARCH_ADMIN!r}")])
        return self

    def chart_key(self) -> str:
        return "opensearch" if self.flavor == "opensearch" else "eck-operator"


def search_host(config: LoggingConfig) -> str:
    service = OPENSEARCH_SERVICE if config.flavor == "opensearch" else f"{ECK_NAME}-es-http"
    return f"{service}.{config.namespace}.svc.cluster.local"


def search_names(config: LoggingConfig) -> list[str]:
    """Every name a client reaches the search service by, short to fully qualified, its headless twin's too
    (Dashboards verifies the certificate against the name it connects to)."""
    out = []
    for service in (OPENSEARCH_SERVICE, f"{OPENSEARCH_SERVICE}-headless"):
        out += [service, f"{service}.{config.namespace}", f"{service}.{config.namespace}.svc",
                f"{service}.{config.namespace}.svc.cluster.local"]
    return out


def search_url(config: LoggingConfig) -> str:
    return f"https://{search_host(config)}:9200"


def dashboards_service(config: LoggingConfig) -> str:
    return "opensearch-dashboards" if config.flavor == "opensearch" else f"{ECK_NAME}-kb-http"


def from_credentials(key: str) -> dict:
    return {"valueFrom": {"secretKeyRef": {"name": CREDENTIALS_SECRET, "key": key}}}


def opensearch_settings(config: LoggingConfig) -> dict:
    """opensearch.yml. It replaces the image's file; the chart sets cluster name, network host and
    discovery through the environment, and the demo setup (without tls) appends its own security lines."""
    settings: dict = {
        "thread_pool.write.queue_size": config.write_queue_size,
        # mmapfs needs vm.max_map_count >= 262144 on the node, which managed node images do not promise;
        # without mmap OpenSearch starts anywhere (the Elasticsearch path does the same)
        "node.store.allow_mmap": False,
    }
    if config.tls:
        pem = {"pemcert_filepath": "certs/tls.crt", "pemkey_filepath": "certs/tls.key",
               "pemtrustedcas_filepath": "certs/ca.crt"}
        settings.update({
            **{f"plugins.security.ssl.transport.{k}": v for k, v in pem.items()},
            "plugins.security.ssl.transport.enforce_hostname_verification": False,
            "plugins.security.ssl.http.enabled": True,
            **{f"plugins.security.ssl.http.{k}": v for k, v in pem.items()},
            "plugins.security.nodes_dn": config.tls.nodes_dn,
            # who may apply a changed security configuration (a rotated password: security_apply_job)
            "plugins.security.authcz.admin_dn": [config.tls.admin_dn],
            # first start: create the security index from the mounted configuration (internal users)
            "plugins.security.allow_default_init_securityindex": True,
        })
    return settings


def opensearch_values(config: LoggingConfig, storage_class: str | None = None) -> dict:
    values: dict = {
        # the Service every search URL names (the chart's default, stated so the plan shows what serves it)
        "masterService": OPENSEARCH_SERVICE,
        "replicas": config.replicas,
        "config": {"opensearch.yml": yaml.safe_dump(opensearch_settings(config), sort_keys=True)},
        "resources": SEARCH_NODE_RESOURCES,
        # the heap follows the requests the stack's overrides leave (local asks for less)
        "opensearchJavaOpts": java_opts(deep_merge(SEARCH_NODE_RESOURCES,
                                                   (config.values or {}).get("resources") or {})),
        "persistence": {"enabled": True, "size": config.volume_size,
                        **({"storageClass": storage_class} if storage_class else {})},
    }
    if config.tls:
        values["extraEnvs"] = [{"name": "DISABLE_INSTALL_DEMO_CONFIG", "value": "true"}]
        values["secretMounts"] = [{"name": "tls", "secretName": config.tls.secret_name, "path": OPENSEARCH_CERTS}]
        values["securityConfig"] = {"internalUsersSecret": INTERNAL_USERS_SECRET}
    else:
        # the demo setup creates the admin user with this password (and the demo certificates)
        values["extraEnvs"] = [{"name": "OPENSEARCH_INITIAL_ADMIN_PASSWORD", **from_credentials("password")}]
    return values


def java_opts(resources: dict) -> str:
    """The JVM heap at half the container's memory request (the rest: off-heap buffers and the page cache
    Lucene reads through), the chart's -Xmx512M otherwise."""
    from components.quantity import memory_gib

    heap = max(256, int(memory_gib(resources["requests"]["memory"]) * 1024 / 2))
    return f"-Xms{heap}m -Xmx{heap}m"


def internal_users(username: str, password_hash: str) -> str:
    """internal_users.yml of OpenSearch's security plugin with the one user modelplane configures."""
    return yaml.safe_dump({"_meta": {"type": "internalusers", "config_version": 2},
                           username: {"hash": password_hash, "reserved": True, "backend_roles": ["admin"],
                                      "description": "modelplane: elastic-credentials"}}, sort_keys=True)


def security_apply_job(config: LoggingConfig, image: str, digest: object) -> dict:
    """A Job's spec that applies internal_users.yml to the running cluster with the admin certificate
    (OpenSearch's documented route, securityadmin.sh). OpenSearch reads the mounted file only when it first
    creates its security index; `digest` (of the file) in the pod template makes a rotated password a new
    Job. It retries until the cluster answers."""
    tools = "/usr/share/opensearch/plugins/opensearch-security/tools"
    command = [f"{tools}/securityadmin.sh", "-f", f"{SECURITY_FILES}/internal_users.yml", "-t", "internalusers",
               "-h", search_host(config), "-icl", "-cacert", f"{ADMIN_CERTS}/ca.crt",
               "-cert", f"{ADMIN_CERTS}/tls.crt", "-key", f"{ADMIN_CERTS}/tls.key"]
    container = {"name": "securityadmin", "image": image, "command": command,
                 "volumeMounts": [{"name": "users", "mountPath": SECURITY_FILES, "readOnly": True},
                                  {"name": "admin", "mountPath": ADMIN_CERTS, "readOnly": True}],
                 "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
                 "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}
    return {"backoffLimit": 20, "template": {
        "metadata": {"annotations": {SECURITY_DIGEST: digest}},
        "spec": {"restartPolicy": "OnFailure", "containers": [container],
                 "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000,
                                     "seccompProfile": {"type": "RuntimeDefault"}},
                 "volumes": [{"name": "users", "secret": {"secretName": INTERNAL_USERS_SECRET}},
                             {"name": "admin", "secret": {"secretName": config.tls.admin_secret}}]}}}


def dashboards_values(config: LoggingConfig) -> dict:
    # the chart's `config` replaces the image's whole opensearch_dashboards.yml: keep what it set
    ssl = ({"verificationMode": "full", "certificateAuthorities": [f"{DASHBOARDS_CERTS}/ca.crt"]} if config.tls
           else {"verificationMode": "none"})  # the demo certificates name no host
    values: dict = {
        "opensearchHosts": search_url(config),
        "extraEnvs": [{"name": "OPENSEARCH_USERNAME", **from_credentials("username")},
                      {"name": "OPENSEARCH_PASSWORD", **from_credentials("password")}],
        "config": {"opensearch_dashboards.yml": {
            # served under /kibana/ behind the gateway, which strips the prefix (seed 003 Kibana ingress)
            "server": {"host": "0.0.0.0", "basePath": KIBANA_PREFIX.rstrip("/"), "rewriteBasePath": False},
            "opensearch": {"ssl": ssl, "requestHeadersWhitelist": ["authorization", "securitytenant"]},
        }},
    }
    if config.tls:
        values["secretMounts"] = [{"name": "tls", "secretName": config.tls.secret_name, "path": DASHBOARDS_CERTS}]
    return values


def elasticsearch_spec(config: LoggingConfig, storage_class: str | None = None) -> dict:
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
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": config.volume_size}},
                **({"storageClassName": storage_class} if storage_class else {})}}],
        }],
    }


def kibana_spec(config: LoggingConfig) -> dict:
    return {
        "version": ELASTIC_STACK_VERSION,
        "count": 1,
        "elasticsearchRef": {"name": ECK_NAME},
        # set, not left to ECK's default, so the footprint counts what Kibana asks for
        "podTemplate": {"spec": {"containers": [{"name": "kibana", "resources": KIBANA_RESOURCES}]}},
        "config": {"server.basePath": KIBANA_PREFIX.rstrip("/"), "server.rewriteBasePath": False},
        # plain HTTP inside the mesh; the gateway terminates TLS
        "http": {"tls": {"selfSignedCertificate": {"disabled": True}}},
    }


def fluent_bit_values(config: LoggingConfig) -> dict:
    """Fluent Bit tailing every container's log into the search cluster."""
    output = {"Name": "opensearch" if config.flavor == "opensearch" else "es", "Match": "kube.*",
              "Host": search_host(config), "Port": "9200", "HTTP_User": "${SEARCH_USERNAME}",
              "HTTP_Passwd": "${SEARCH_PASSWORD}", "tls": "On", "tls.verify": "Off",
              "Logstash_Format": "On", "Logstash_Prefix": "kube", "Suppress_Type_Name": "On",
              "Replace_Dots": "On", "Retry_Limit": "False"}
    # only container logs: the chart's default also reads the kubelet's journal (tag host.*), which no
    # output here takes, so those records would be read and dropped
    tail = {"Name": "tail", "Path": "/var/log/containers/*.log", "multiline.parser": "docker, cri",
            "Tag": "kube.*", "Mem_Buf_Limit": "5MB", "Skip_Long_Lines": "On"}
    return {
        "env": [{"name": "SEARCH_USERNAME", **from_credentials("username")},
                {"name": "SEARCH_PASSWORD", **from_credentials("password")}],
        "config": {"inputs": fluent_bit_section("INPUT", tail), "outputs": fluent_bit_section("OUTPUT", output)},
    }


def fluent_bit_section(kind: str, entries: dict[str, str]) -> str:
    """One section of Fluent Bit's classic configuration format (not YAML: key/value lines)."""
    return "\n".join([f"[{kind}]", *(f"    {key} {value}" for key, value in entries.items())]) + "\n"
