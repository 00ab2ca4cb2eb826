"""What our values do inside the pinned charts on a real cluster (issue 19's runtime findings). Each test
states the runtime fact as a predicate, shows the predicate refuses the value modelplane used to render,
and holds it on today's plans."""

from __future__ import annotations

import string
from urllib.parse import urlsplit

import pytest
import yaml

from components.generated_password import generate
from components.password import GENERATED, weakness
from components.stack import load
from modelplane.engine.stackfile import read_stack
from modelplane.plan.charts import ChartStore
from modelplane.plan.document import HELM_RELEASE, manifests, read_plan
from modelplane.plan.upstream import charts_dir
from policies.check import resources_from_plan
from policies.rules import RULES, Context
from tests.conftest import REPO, STACKS


def release_values(plan: dict, chart: str) -> list[dict]:
    return [r["inputs"].get("values") or {} for r in plan["resources"]
            if r["type"] == HELM_RELEASE and r["inputs"]["chart"] == chart]


def rule_findings(plan: dict, rule: str, environment: str = "prod") -> list[str]:
    ctx = Context(environment, resources_from_plan(plan))
    return [f"{v.resource}: {v.message}" for v in RULES[rule](ctx)]


# MinIO exits at startup unless MINIO_BROWSER_REDIRECT_URL is an absolute http(s) URL
def minio_redirect_ok(values: dict) -> bool:
    url = (values.get("environment") or {}).get("MINIO_BROWSER_REDIRECT_URL")
    return url is None or (urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc))


def test_minio_redirect_url_is_absolute_or_absent(rendered):
    assert not minio_redirect_ok({"environment": {"MINIO_BROWSER_REDIRECT_URL": "/minio/"}})
    [prod] = release_values(read_plan(rendered["prod"]), "minio")
    assert prod["environment"]["MINIO_BROWSER_REDIRECT_URL"] == "https://ml.example.com/minio/"
    [local] = release_values(read_plan(rendered["local"]), "minio")
    # no public host: the stack names the console's URL (issue 29, MP042)
    assert local["environment"]["MINIO_BROWSER_REDIRECT_URL"] == "http://localhost:8080/minio/"
    assert minio_redirect_ok(local)


def test_opensearch_admin_password_strength():
    assert weakness("admin") and weakness("Changeme!23") and weakness("P@55w0rd")
    assert weakness("DoesNotWork2024@") is None


ALPHABET = set(string.ascii_letters + string.digits + GENERATED["override_special"])


def test_generated_search_passwords_always_pass():
    """components.generated_password with GENERATED: at least the minimum of each class from its alphabet."""
    for _ in range(300):
        password = generate({"special": True, **GENERATED})
        assert weakness(password) is None
        assert len(password) == GENERATED["length"] and set(password) <= ALPHABET


def test_every_opensearch_stack_generates_a_strong_password_or_names_a_strong_one(rendered):
    for stack in STACKS:
        plan = read_plan(rendered[stack])
        generated = [r["inputs"] for r in plan["resources"] if r["name"] == "elastic-password"]
        for inputs in generated:
            assert inputs["special"] is True and inputs["min_special"] >= 1 and inputs["min_upper"] >= 1


def test_prods_configured_password_is_checked_when_pulumi_up_decrypts_it():
    flat, secret_keys = read_stack("prod", REPO)
    weak = {**flat, "modelplane:elasticPassword": "Changeme!23"}
    with pytest.raises(Exception, match=r"addons\.logging\.password: config:elasticPassword: too weak"):
        load(weak, secret_keys, "prod", REPO)
    load({**flat, "modelplane:elasticPassword": "kV7-pq2.Zx9+mW4~"}, secret_keys, "prod", REPO)


# On a plain kind cluster nothing assigns a LoadBalancer an address: Helm waits for it until the timeout
def gateway_works_on_kind(values: dict) -> bool:
    return (values.get("service") or {}).get("type") != "LoadBalancer"


def test_local_gateway_service_works_on_kind(rendered):
    assert not gateway_works_on_kind({"service": {"type": "LoadBalancer"}})
    plan = read_plan(rendered["local"])
    ingress = next(r["inputs"]["values"] for r in plan["resources"]
                   if r["type"] == HELM_RELEASE and r["name"] == "istio-ingressgateway")
    assert gateway_works_on_kind(ingress) and ingress["service"]["type"] == "NodePort"
    prod = next(r["inputs"]["values"] for r in read_plan(rendered["prod"])["resources"]
                if r["type"] == HELM_RELEASE and r["name"] == "istio-ingressgateway")
    assert prod["service"]["type"] == "LoadBalancer" and prod["service"]["loadBalancerSourceRanges"]


# OpenSearch refuses to start where vm.max_map_count < 262144 unless mmap is off
def opensearch_starts_without_max_map_count(values: dict) -> bool:
    settings = yaml.safe_load((values.get("config") or {}).get("opensearch.yml") or "") or {}
    return settings.get("node.store.allow_mmap") is False


def test_opensearch_turns_mmap_off(rendered):
    assert not opensearch_starts_without_max_map_count({"config": {"opensearch.yml":
                                                                   "thread_pool.write.queue_size: 2000\n"}})
    for stack in ("local", "dev", "prod"):
        for values in release_values(read_plan(rendered[stack]), "opensearch"):
            assert opensearch_starts_without_max_map_count(values), stack


# The chart's `config` replaces the image's whole opensearch_dashboards.yml, so what Dashboards needs to reach
# OpenSearch (listen on all interfaces, how to verify the search cluster's certificate) must be in ours
def dashboards_reach_opensearch(values: dict) -> bool:
    config = (values.get("config") or {}).get("opensearch_dashboards.yml") or {}
    ssl = (config.get("opensearch") or {}).get("ssl") or {}
    verify = ssl.get("verificationMode")
    return (config.get("server") or {}).get("host") == "0.0.0.0" and (
        verify == "none" or (verify in ("full", "certificate") and bool(ssl.get("certificateAuthorities"))))


def test_dashboards_keep_their_tls_settings(rendered):
    assert not dashboards_reach_opensearch({"config": {"opensearch_dashboards.yml": {
        "server": {"basePath": "/kibana", "rewriteBasePath": False}}}})
    [dev] = release_values(read_plan(rendered["dev"]), "opensearch-dashboards")
    assert dashboards_reach_opensearch(dev)
    assert dev["config"]["opensearch_dashboards.yml"]["opensearch"]["ssl"] == {"verificationMode": "none"}
    [prod] = release_values(read_plan(rendered["prod"]), "opensearch-dashboards")
    assert dashboards_reach_opensearch(prod)
    assert prod["config"]["opensearch_dashboards.yml"]["opensearch"]["ssl"]["verificationMode"] == "full"
    assert prod["secretMounts"] == [{"name": "tls", "secretName": "opensearch-tls",
                                     "path": "/usr/share/opensearch-dashboards/certs"}]


def test_minio_creates_no_default_console_user(rendered):
    old = {"resources": [{"type": HELM_RELEASE, "name": "minio", "urn": "urn:minio", "inputs": {
        "chart": "minio", "version": "5.4.0", "values": {"mode": "standalone"}}}]}
    assert rule_findings(old, "MP008") == [
        "Helm release minio: values.users is not set: the chart creates its default user console/console123 "
        "(consoleAdmin)"]
    for stack in ("local", "prod"):
        [user] = release_values(read_plan(rendered[stack]), "minio")[0]["users"]
        assert (user["accessKey"], user["existingSecret"], "secretKey" in user) == ("console", "minio-root", False)
        assert rule_findings(read_plan(rendered[stack]), "MP008") == []


# The operator's chart defaults its logical-backup bucket to a placeholder; backups on must name a real one
def backup_bucket(plan: dict, store: ChartStore) -> str | None:
    """The bucket the Zalando operator would write logical backups to, if any cluster has them on."""
    clusters = [o for o in manifests(plan) if o["kind"] == "postgresql"]
    if not any(c["spec"].get("enableLogicalBackup") for c in clusters):
        return None
    chart = store.get("postgres-operator", "1.15.1")
    [values] = release_values(plan, "postgres-operator")
    return ((values.get("configLogicalBackup") or {}).get("logical_backup_s3_bucket")
            or chart.default_at("configLogicalBackup.logical_backup_s3_bucket"))


def test_logical_backups_go_to_a_configured_bucket_or_are_off(rendered):
    store = ChartStore(charts_dir())
    placeholder = store.get("postgres-operator", "1.15.1").default_at("configLogicalBackup.logical_backup_s3_bucket")
    assert placeholder == "my-bucket-url"
    old = {"resources": [
        {"type": "kubernetes:acid.zalan.do/v1:postgresql", "name": "pg", "urn": "u", "inputs": {
            "apiVersion": "acid.zalan.do/v1", "kind": "postgresql", "metadata": {"name": "pg"},
            "spec": {"enableLogicalBackup": True}}},
        {"type": HELM_RELEASE, "name": "postgres-operator", "urn": "o", "inputs": {
            "chart": "postgres-operator", "version": "1.15.1", "values": {}}}]}
    assert backup_bucket(old, store) == placeholder
    assert backup_bucket(read_plan(rendered["prod"]), store) == "modelplane-prod-metadata-backups"
    for stack in ("local", "dev"):
        assert backup_bucket(read_plan(rendered[stack]), store) is None


def test_production_opensearch_runs_its_own_certificates(rendered):
    prod = read_plan(rendered["prod"])
    assert rule_findings(prod, "MP017") == []
    [values] = release_values(prod, "opensearch")
    assert {"name": "DISABLE_INSTALL_DEMO_CONFIG", "value": "true"} in values["extraEnvs"]
    assert values["secretMounts"][0]["secretName"] == "opensearch-tls"
    settings = yaml.safe_load(values["config"]["opensearch.yml"])
    assert settings["plugins.security.ssl.http.pemcert_filepath"] == "certs/tls.crt"
    assert values["securityConfig"] == {"internalUsersSecret": "opensearch-internal-users"}
    users = next(o for o in manifests(prod) if o["kind"] == "Secret"
                 and o["metadata"]["name"] == "opensearch-internal-users")
    assert users["stringData"] == {"internal_users.yml": "<redacted>"}
    # dev keeps the demo setup, and the rule says so (advisory there)
    assert rule_findings(read_plan(rendered["dev"]), "MP017", "dev") == [
        "Helm release logging-opensearch: runs the demo TLS certificates (OpenSearch's demo security setup is "
        "not disabled)"]


def test_internal_users_file_holds_a_hash_of_the_password():
    import bcrypt

    from components.addons.logging import internal_users
    from components.password import bcrypt_hash

    doc = yaml.safe_load(internal_users("admin", bcrypt_hash("kV7-pq2.Zx9+mW4~", "opensearch")))
    assert doc["_meta"] == {"type": "internalusers", "config_version": 2}
    assert bcrypt.checkpw(b"kV7-pq2.Zx9+mW4~", doc["admin"]["hash"].encode())
    assert doc["admin"]["backend_roles"] == ["admin"]
