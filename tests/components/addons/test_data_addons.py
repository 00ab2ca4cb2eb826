"""Data, observability and GitOps add-ons (issue 6), asserted on `modelplane render` output: secrets with
the right keys in the right namespaces per backend and flavour, and production protection of every
stateful resource."""

from __future__ import annotations

import bcrypt
import pytest

from components.generated_password import TYPE as GENERATED_PASSWORD
from components.password import bcrypt_hash
from modelplane.commands.cli import main
from modelplane.plan.document import manifests, read_plan
from tests.conftest import edit_stack, render_plan

METADATA_KEYS = {"dbname", "host", "user", "password", "port", "sslmode"}


def _objects(plan, kind) -> list[dict]:
    return [o for o in manifests(plan) if o["kind"] == kind]


def _secret(plan, name, namespace) -> dict:
    """A Secret's manifest. pulumi-kubernetes makes all of stringData secret, so the plan shows its keys
    with every value `<redacted>`: where a value comes from is asserted through the recorded dependencies."""
    [found] = [o for o in _objects(plan, "Secret")
               if o["metadata"]["name"] == name and o["metadata"]["namespace"] == namespace]
    assert set(found["stringData"].values()) == {"<redacted>"}
    return found


def _secret_resource(plan, name, namespace) -> dict:
    return next(r for r in plan["resources"] if r["type"] == "kubernetes:core/v1:Secret"
                and r["inputs"]["metadata"]["name"] == name and r["inputs"]["metadata"]["namespace"] == namespace)


def to_elasticsearch(config) -> None:
    """ECK instead of OpenSearch: ECK issues the certificates, so OpenSearch's tls setting goes."""
    logging = config["modelplane:addons"]["logging"]
    logging.update(flavor="elasticsearch")
    logging.pop("tls", None)


def _one(plan, type_) -> dict:
    [found] = [r for r in plan["resources"] if r["type"] == type_]
    return found


def test_zalando_metadata_secret_points_at_the_operator_cluster(rendered):
    plan = read_plan(rendered["dev"])
    assert set(_secret(plan, "metadata-postgres", "seldon-system")["stringData"]) == METADATA_KEYS
    zalando = next(r for r in plan["resources"] if r["type"] == "kubernetes:acid.zalan.do/v1:postgresql")
    assert zalando["urn"] in _secret_resource(plan, "metadata-postgres", "seldon-system")["dependsOn"]
    [cluster] = _objects(plan, "postgresql")
    # dev names no backup bucket: logical backups are off rather than aimed at the chart's placeholder
    assert cluster["spec"]["numberOfInstances"] == 2 and cluster["spec"]["enableLogicalBackup"] is False


def test_rds_backend_in_prod(stack_tree, tmp_path):
    edit_stack(stack_tree, "prod", lambda c: c["modelplane:addons"]["postgres"].update(backend="rds"))
    plan = render_plan(stack_tree, "prod", tmp_path / "o")
    db = _one(plan, "aws:rds/instance:Instance")
    assert db["options"]["protect"] is True
    inputs = db["inputs"]
    assert inputs["deletionProtection"] is True and inputs["storageEncrypted"] is True
    assert inputs["publiclyAccessible"] is False and inputs["multiAz"] is True
    assert inputs["backupRetentionPeriod"] == 7 and inputs["skipFinalSnapshot"] is False
    assert inputs["password"] == "<redacted>"
    subnets = _one(plan, "aws:rds/subnetGroup:SubnetGroup")["inputs"]["subnetIds"]
    assert subnets == ["subnet-0f1e2d3c4b5a60001", "subnet-0f1e2d3c4b5a60002", "subnet-0f1e2d3c4b5a60003"]
    [rule] = _one(plan, "aws:ec2/securityGroup:SecurityGroup")["inputs"]["ingress"]
    assert rule["fromPort"] == rule["toPort"] == 5432 and rule["securityGroups"][0].startswith("sg-")
    assert set(_secret(plan, "metadata-postgres", "seldon-system")["stringData"]) == METADATA_KEYS
    # host is the instance's address output: the Secret depends on the instance itself
    assert db["urn"] in _secret_resource(plan, "metadata-postgres", "seldon-system")["dependsOn"]
    assert not _objects(plan, "postgresql")


def _gcp_prod(config):
    config["modelplane:environment"] = "prod"
    config["modelplane:addons"]["istio"]["tls"] = {"credentialName": "seldon-gateway-tls", "hosts": ["ml.example.com"]}
    config["modelplane:addons"]["postgres"] = {"backend": "cloudsql"}


def test_cloudsql_backend_in_prod(stack_tree, tmp_path):
    edit_stack(stack_tree, "dev", _gcp_prod)
    plan = render_plan(stack_tree, "dev", tmp_path / "o")
    db = _one(plan, "gcp:sql/databaseInstance:DatabaseInstance")
    assert db["options"]["protect"] is True and db["inputs"]["deletionProtection"] is True
    settings = db["inputs"]["settings"]
    assert settings["ipConfiguration"]["ipv4Enabled"] is False
    assert settings["ipConfiguration"]["privateNetwork"] == "projects/ml-platform-dev/global/networks/default"
    assert settings["backupConfiguration"]["enabled"] is True and settings["availabilityType"] == "REGIONAL"
    peering = _one(plan, "gcp:servicenetworking/connection:Connection")
    assert peering["urn"] in db["dependsOn"]
    assert set(_secret(plan, "metadata-postgres", "seldon-system")["stringData"]) == METADATA_KEYS
    assert db["urn"] in _secret_resource(plan, "metadata-postgres", "seldon-system")["dependsOn"]


def test_managed_backend_on_the_wrong_cloud_is_refused(stack_tree, tmp_path, capsys):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"].update(postgres={"backend": "rds"}))
    assert main(["render", "--stack", "dev", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert "addons.postgres.backend: 'rds' needs a cloud: aws cluster, this stack's is 'gcp'" in capsys.readouterr().err


@pytest.mark.parametrize(("stack", "flavor"), [("dev", "opensearch"), ("staging", "elasticsearch")])
def test_elastic_credentials_in_both_namespaces_from_one_source(rendered, stack, flavor):
    plan = read_plan(rendered[stack])
    logs = _secret(plan, "elastic-credentials", "seldon-logs")
    system = _secret(plan, "elastic-credentials", "seldon-system")
    assert logs["type"] == system["type"] == "kubernetes.io/basic-auth"
    assert set(system["stringData"]) == {"username", "password"}
    assert set(logs["stringData"]) == {"username", "password", "roles"}  # roles: ECK's file realm
    # one generated password feeds both
    [password] = [r for r in plan["resources"] if r["type"] == GENERATED_PASSWORD
                  and r["name"] == "elastic-password"] or [None]
    if password:
        for ns in ("seldon-logs", "seldon-system"):
            assert password["urn"] in _secret_resource(plan, "elastic-credentials", ns)["dependsOn"]
    [route] = [o for o in _objects(plan, "VirtualService") if o["metadata"]["name"] == "kibana"]
    http = route["spec"]["http"][0]
    assert http["match"] == [{"uri": {"prefix": "/kibana/"}}] and http["rewrite"] == {"uri": "/"}
    service = "opensearch-dashboards" if flavor == "opensearch" else "seldon-logs-kb-http"
    assert http["route"][0]["destination"]["host"] == f"{service}.seldon-logs.svc.cluster.local"
    assert route["spec"]["gateways"] == ["istio-system/seldon-gateway"]
    fluent = next(r for r in plan["resources"] if r["type"].endswith("Release") and r["name"] == "fluent-bit")
    output = "opensearch" if flavor == "opensearch" else "es"
    assert f"Name {output}" in fluent["inputs"]["values"]["config"]["outputs"]


def test_elasticsearch_flavor_runs_eck_with_the_write_queue(rendered):
    plan = read_plan(rendered["staging"])
    [es] = _objects(plan, "Elasticsearch")
    node_set = es["spec"]["nodeSets"][0]
    assert node_set["count"] == 3 and node_set["config"]["thread_pool.write.queue_size"] == 2000
    assert es["spec"]["auth"]["fileRealm"] == [{"secretName": "elastic-credentials"}]
    [kibana] = _objects(plan, "Kibana")
    assert kibana["spec"]["elasticsearchRef"] == {"name": "seldon-logs"}
    assert kibana["spec"]["config"]["server.basePath"] == "/kibana"


def test_without_knative_the_plain_request_logger_runs(stack_tree, tmp_path):
    edit_stack(stack_tree, "dev", lambda c: c["modelplane:addons"].update(knative={"enabled": False}))
    plan = render_plan(stack_tree, "dev", tmp_path / "o")
    [deployment] = _objects(plan, "Deployment")
    assert deployment["metadata"]["name"] == "seldon-request-logger"
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["ELASTICSEARCH_HOST"]["value"] == "opensearch-cluster-master.seldon-logs.svc.cluster.local"
    assert env["ELASTICSEARCH_PASS"]["valueFrom"]["secretKeyRef"] == {"name": "elastic-credentials", "key": "password"}
    core = next(r for r in plan["resources"] if r["type"].endswith("Release") and r["name"] == "seldon-core")
    assert core["inputs"]["values"]["executor"]["requestLogger"]["defaultEndpoint"] == \
        "http://seldon-request-logger.seldon-logs.svc.cluster.local"


def test_prometheus_rules_and_scraping(rendered):
    plan = read_plan(rendered["dev"])
    [rule] = _objects(plan, "PrometheusRule")
    [group] = rule["spec"]["groups"]
    assert group["name"] == "model-usage"
    assert {r["record"] for r in group["rules"]} >= {"model_usage:requests:rate5m", "model_usage:containers:count"}
    monitors = {o["metadata"]["name"]: o["spec"] for o in _objects(plan, "PodMonitor")}
    assert monitors["seldon-models"]["podMetricsEndpoints"] == [{"port": "metrics", "path": "/prometheus"}]
    assert monitors["knative-serving"]["namespaceSelector"] == {"matchNames": ["knative-serving"]}
    prometheus = next(r for r in plan["resources"] if r["type"].endswith("Release") and r["name"] == "prometheus")
    spec = prometheus["inputs"]["values"]["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "90d" and spec["query"] == {"maxConcurrency": 400}
    assert spec["resources"] == {"requests": {"cpu": "800m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}


def test_argocd_admin_password_is_hashed_and_hidden(rendered):
    plan = read_plan(rendered["prod"])
    argocd = next(r for r in plan["resources"] if r["type"].endswith("Release") and r["name"] == "argocd")
    values = argocd["inputs"]["values"]["configs"]
    assert values["secret"]["argocdServerAdminPassword"] == "<redacted>"
    assert values["params"]["server.rootpath"] == "/argocd/" and values["params"]["server.insecure"] is True
    [route] = [o for o in _objects(plan, "VirtualService") if o["metadata"]["name"] == "argocd-server"]
    assert route["spec"]["http"][0]["match"] == [{"uri": {"prefix": "/argocd/"}}]
    assert "rewrite" not in route["spec"]["http"][0]  # Argo CD serves under its rootpath itself
    [project] = _objects(plan, "AppProject")
    assert project["metadata"]["name"] == "seldon"


def test_bcrypt_hash_is_stable_and_verifies():
    first, again = bcrypt_hash("s3cret-pass", "p"), bcrypt_hash("s3cret-pass", "p")
    assert first == again and first.startswith("$2b$10$")
    assert bcrypt.checkpw(b"s3cret-pass", first.encode())
    assert bcrypt_hash("other-pass", "p") != first


def test_git_credentials_ssh_variant(stack_tree, tmp_path):
    def ssh(config):
        config["modelplane:addons"]["argocd"]["git"] = {
            "username": "bot", "email": "bot@example.com", "sshPrivateKey": "config:gitToken",
            "sshKnownHosts": "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabg"}
    edit_stack(stack_tree, "dev", ssh)
    data = _secret(render_plan(stack_tree, "dev", tmp_path / "o"), "git-creds", "seldon-system")["stringData"]
    assert set(data) == {"username", "email", "id_rsa", "known_hosts", "passphrase"}


def test_minio_behind_its_prefix(rendered):
    plan = read_plan(rendered["prod"])
    [route] = [o for o in _objects(plan, "VirtualService") if o["metadata"]["name"] == "minio"]
    assert route["spec"]["http"][0]["match"] == [{"uri": {"prefix": "/minio/"}}]
    root = _secret(plan, "minio-root", "minio-system")["stringData"]
    assert set(root) == {"rootUser", "rootPassword", "consolePassword"}


STATEFUL = {
    # type, name: everything whose deletion loses data
    ("kubernetes:helm.sh/v3:Release", "prometheus"),
    ("kubernetes:helm.sh/v3:Release", "logging-opensearch"),
    ("kubernetes:helm.sh/v3:Release", "minio"),
    ("kubernetes:acid.zalan.do/v1:postgresql", "metadata-postgresql"),
}


def test_prod_protects_every_stateful_resource(rendered):
    plan = read_plan(rendered["prod"])
    found = {(r["type"], r["name"]): r["options"]["protect"] for r in plan["resources"]}
    assert {key: found.get(key) for key in STATEFUL} == dict.fromkeys(STATEFUL, True)
    namespaces = [r for r in plan["resources"] if r["type"] == "kubernetes:core/v1:Namespace"]
    assert all(n["options"]["protect"] and n["options"]["retainOnDelete"] for n in namespaces)


def test_prod_protects_the_eck_cluster(stack_tree, tmp_path):
    edit_stack(stack_tree, "prod", to_elasticsearch)
    plan = render_plan(stack_tree, "prod", tmp_path / "o")
    es = next(r for r in plan["resources"] if r["type"].endswith(":Elasticsearch"))
    assert es["options"]["protect"] is True


@pytest.mark.parametrize(("field", "change"), [
    ("addons.logging.password", lambda a: a["logging"].update(password="admin")),
    ("addons.argocd.adminPassword", lambda a: a["argocd"].update(adminPassword="admin")),
    ("addons.minio.rootPassword", lambda a: a["minio"].update(rootPassword="minioadmin")),
])
def test_seed_default_credentials_are_refused_in_prod(stack_tree, tmp_path, capsys, field, change):
    edit_stack(stack_tree, "prod", lambda c: change(c["modelplane:addons"]))
    assert main(["render", "--stack", "prod", "--out", str(tmp_path / "o"), "--root", str(stack_tree)]) == 2
    assert f"{field}: " in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("change", [
    lambda c: c["modelplane:addons"]["postgres"].update(backend="rds"),
    lambda c: to_elasticsearch(c),
], ids=["rds", "elasticsearch"])
def test_prod_backends_pass_the_stateful_policy(stack_tree, change):
    from modelplane.commands.check import check_stack

    edit_stack(stack_tree, "prod", change)
    result = check_stack("prod", stack_tree)
    assert [f.violation for f in result.findings if f.rule.id == "MP005"] == []
    assert "MP005" in {rule.id for rule, _, _ in result.evaluated}
    assert not result.failed
