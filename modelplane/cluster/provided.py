"""`modelplane preflight` on what the stack says exists before `pulumi up` (components.config.provided_objects):
present in the cluster, and right. OpenSearch's certificate Secret: the keys the nodes read, the subject
they accept (`nodesDn`), the name Dashboards verifies, a PKCS #8 key, signed by the CA it ships, not about
to expire. The backup job's environment Secret: the credentials its provider needs."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable

import urllib3
from cryptography import x509

from components.addons.logging import LoggingConfig, search_host
from components.generated_certificate import RENEW_BEFORE
from modelplane.cluster.preflight import Check

TLS_KEYS = ("tls.crt", "tls.key", "ca.crt")


def tls_secret_problems(data: dict[str, str], config: LoggingConfig, now: datetime.datetime | None = None,
                        admin: bool = False) -> list[str]:
    """What is wrong with a certificate Secret's `data` (base64 values, as the API returns them): the nodes'
    one, or with `admin` the client certificate securityadmin presents (subject `adminDn`, no names)."""
    missing = [k for k in TLS_KEYS if k not in data]
    if missing:
        return [f"no {', '.join(missing)} (the nodes read {', '.join(TLS_KEYS)})"]
    text = {k: base64.b64decode(data[k]).decode(errors="replace") for k in TLS_KEYS}
    try:
        cert = x509.load_pem_x509_certificate(text["tls.crt"].encode())
        ca = x509.load_pem_x509_certificate(text["ca.crt"].encode())
    except ValueError as exc:
        return [f"tls.crt or ca.crt is not a PEM certificate ({exc})"]
    problems = []
    accepted = [config.tls.admin_dn] if admin else config.tls.nodes_dn
    if cert.subject not in [x509.Name.from_rfc4514_string(dn) for dn in accepted]:
        problems.append(f"tls.crt's subject {cert.subject.rfc4514_string()!r} is not "
                        f"{'adminDn' if admin else 'in nodesDn'} ({', '.join(accepted)}): "
                        f"{'OpenSearch refuses its changes' if admin else 'the nodes refuse each other'}")
    if not admin:
        problems += _names_problems(cert, config)
    if not text["tls.key"].lstrip().startswith("-----BEGIN PRIVATE KEY-----"):
        problems.append("tls.key is not a PKCS #8 key (-----BEGIN PRIVATE KEY-----), which OpenSearch requires; "
                        "cert-manager writes PKCS #1 unless the Certificate sets privateKey.encoding: PKCS8")
    if cert.issuer != ca.subject:
        problems.append(f"tls.crt was issued by {cert.issuer.rfc4514_string()!r}, not by ca.crt's "
                        f"{ca.subject.rfc4514_string()!r}")
    now = now or datetime.datetime.now(datetime.UTC)
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        problems.append(f"tls.crt expires {cert.not_valid_after_utc:%Y-%m-%d}, within {RENEW_BEFORE.days} days")
    return problems


def cluster_client(cluster):
    """A client of the stack's cluster: an existing cluster's kubeconfig and context, else KUBECONFIG's
    current context (a cloud cluster this stack created earlier); None when there is no kubeconfig."""
    from kubernetes import config as kubeconfig
    from kubernetes.config.config_exception import ConfigException

    from components.cluster.existing import ExistingClusterConfig

    existing = isinstance(cluster, ExistingClusterConfig)
    context = (cluster.context or (f"kind-{cluster.kind_cluster}" if cluster.kind_cluster else None)) \
        if existing else None
    try:
        return kubeconfig.new_client_from_config(config_file=cluster.kubeconfig if existing else None,
                                                 context=context)
    except (ConfigException, OSError):
        return None


def backup_secret_problems(data: dict[str, str], target) -> list[str]:
    """What the backup job's environment Secret lacks for its provider (`target`: a LogicalBackup)."""
    needed = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if target.provider == "s3" else ()
    missing = [k for k in needed if not data.get(k)]
    return [f"no {', '.join(missing)}: the backup job authenticates to {target.provider} with them"] if missing else []


def _names_problems(cert: x509.Certificate, config: LoggingConfig) -> list[str]:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = names.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        dns_names = []
    if search_host(config) not in dns_names:
        return [f"tls.crt does not name {search_host(config)} (SANs: {', '.join(dns_names) or 'none'}): "
                "Dashboards verifies it (verificationMode: full)"]
    return []


def _problems_of(label: str, config) -> Callable[[dict[str, str]], list[str]]:
    """What is wrong with the data of the provided object `label` (a label of provided_objects)."""
    logging, backup = config.addons.logging, config.addons.postgres.logical_backup
    if logging.tls and label == f"Secret {logging.namespace}/{logging.tls.secret_name}":
        return lambda data: tls_secret_problems(data, logging)
    if logging.tls and label == f"Secret {logging.namespace}/{logging.tls.admin_secret}":
        return lambda data: tls_secret_problems(data, logging, admin=True)
    if backup and label.endswith(f"/{backup.credentials_secret}"):
        return lambda data: backup_secret_problems(
            {k: base64.b64decode(v).decode(errors="replace") for k, v in data.items()}, backup)
    return lambda data: []


def provided_checks(config, api_client) -> list[Check]:
    """One check per provided object (components.config.provided_objects), read with `api_client`
    (kubernetes.client.ApiClient); None: no cluster to read, and every provided object fails (it cannot be
    verified)."""
    from kubernetes import client

    from components.config import provided_objects

    checks = []
    for label in provided_objects(config):
        namespace, name = label.split(" ", 1)[1].split("/", 1)
        if api_client is None:
            checks.append(Check(f"provided {label}", "failed", "no reachable cluster to check it in (KUBECONFIG, "
                                "or the stack's cluster.kubeconfig): a provided object must exist before "
                                "`pulumi up`; on a cluster this stack creates, let the platform make it"))
            continue
        try:
            secret = client.CoreV1Api(api_client).read_namespaced_secret(name, namespace, _request_timeout=10)
        except client.ApiException as exc:
            status = "does not exist" if exc.status == 404 else f"cannot be read ({exc.status} {exc.reason})"
            checks.append(Check(f"provided {label}", "failed", status))
            continue
        except urllib3.exceptions.HTTPError as exc:
            checks.append(Check(f"provided {label}", "failed", f"the cluster did not answer ({exc})"))
            continue
        problems = _problems_of(label, config)(secret.data or {})
        checks.append(Check(f"provided {label}", "failed" if problems else "ok",
                            "; ".join(problems) or "present and right"))
    return checks
