"""Every rule on a passing and a failing fixture: small hand-built contexts, one concern each."""

from __future__ import annotations

import base64
import copy

import pytest

from components.tenants import Tenant, TenantsFile
from modelplane.plan.charts import ChartStore
from modelplane.plan.upstream import charts_dir
from policies.rules import RULES, Context, Resource
from tests.policies import test_pod_security as pss

SDEP = "kubernetes:machinelearning.seldon.io/v1:SeldonDeployment"
RELEASE = "kubernetes:helm.sh/v3:Release"


def k8s(api: str, kind: str, name: str, namespace: str | None = None, protect: bool = False, **body) -> Resource:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    group_version = api if "/" in api else f"core/{api}"
    return Resource(f"kubernetes:{group_version}:{kind}", name, f"urn:{kind}:{name}",
                    {"apiVersion": api, "kind": kind, "metadata": meta, **body}, protect)


def release(name: str, chart: str = "some-chart", version: str = "1.2.3", values: dict | None = None,
            protect: bool = False, namespace: str | None = None) -> Resource:
    return Resource(RELEASE, name, f"urn:release:{name}", {"chart": chart, "version": version, "values": values or {},
                                                           **({"namespace": namespace} if namespace else {})}, protect)


def backups(**operator_backup: str) -> list[Resource]:
    """A Zalando cluster with logical backups on, and the operator's backup config."""
    operator = release("postgres-operator", "postgres-operator", namespace="postgres-operator", values={
        "configLogicalBackup": {"logical_backup_provider": "s3", "logical_backup_s3_bucket": "backups",
                                **operator_backup}})
    cluster = k8s("acid.zalan.do/v1", "postgresql", "seldon-metadata", "seldon-system",
                  spec={"enableLogicalBackup": True})
    return [operator, cluster]


def irsa_account() -> Resource:
    meta = {"name": "postgres-pod", "namespace": "seldon-system",
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/backups"}}
    return Resource("kubernetes:core/v1:ServiceAccount", "postgres-pod", "urn:sa",
                    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta})


def minio_route() -> Resource:
    return k8s("networking.istio.io/v1", "VirtualService", "minio", "minio-system", spec={"http": [
        {"match": [{"uri": {"prefix": "/minio/"}}], "route": [{"destination": {"host": "minio-console"}}]}]})


def prometheus(**spec: str) -> Resource:
    volume = {"volumeClaimTemplate": {"spec": {"resources": {"requests": {"storage": "32Gi"}}}}}
    return release("prometheus", "kube-prometheus-stack", "77.0.0", {"prometheus": {"prometheusSpec": {
        "retention": "90d", "storageSpec": volume, **spec}}})


def search_with_users(admin_dn: bool) -> Resource:
    settings = "plugins.security.authcz.admin_dn: [CN=admin]\n" if admin_dn else "node.store.allow_mmap: false\n"
    return release("logging-opensearch", "opensearch", namespace="seldon-logs", values={
        "securityConfig": {"internalUsersSecret": "users"}, "config": {"opensearch.yml": settings}})


def security_job(namespace: str = "seldon-logs") -> Resource:
    return k8s("batch/v1", "Job", "apply", namespace, spec={"template": {"spec": {
        "containers": [{"name": "a", "command": ["/tools/securityadmin.sh", "-f", "/s/internal_users.yml"]}],
        "volumes": [{"name": "u", "secret": {"secretName": "users"}}]}}})


def search_with_tls() -> Resource:
    return release("logging-opensearch", "opensearch", namespace="seldon-logs", values={
        "secretMounts": [{"name": "tls", "secretName": "opensearch-tls", "path": "/certs"}]})


RES = {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}


def sdep(namespace: str = "team-a", predictors: list[dict] | None = None) -> Resource:
    predictors = predictors or [{"name": "default", "replicas": 2, "traffic": 100, "componentSpecs": [
        {"spec": {"containers": [{"name": "m", "image": "registry.example.com/m:1.0.0", "resources": RES}]}}]}]
    return k8s("machinelearning.seldon.io/v1", "SeldonDeployment", "iris", namespace, spec={"predictors": predictors})


def with_container(**changes) -> Resource:
    base = sdep()
    spec = copy.deepcopy(base.inputs["spec"])
    spec["predictors"][0]["componentSpecs"][0]["spec"]["containers"][0].update(changes)
    return k8s("machinelearning.seldon.io/v1", "SeldonDeployment", "iris", "team-a", spec=spec)


def with_pod(**changes) -> Resource:
    base = sdep()
    spec = copy.deepcopy(base.inputs["spec"])
    spec["predictors"][0]["componentSpecs"][0]["spec"].update(changes)
    return k8s("machinelearning.seldon.io/v1", "SeldonDeployment", "iris", "team-a", spec=spec)


def gateway(https: bool) -> Resource:
    servers = [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}]
    if https:
        servers.append({"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["ml.example.com"],
                        "tls": {"mode": "SIMPLE", "credentialName": "seldon-gateway-tls"}})
    return k8s("networking.istio.io/v1beta1", "Gateway", "seldon-gateway", "istio-system", spec={"servers": servers})


def deploy(opa: bool = True, basic_auth: bool = True) -> Resource:
    return release("seldon-deploy", "seldon-deploy", values={
        "rbac": {"opa": {"enabled": opa}},
        "elasticsearch": {"url": "https://opensearch:9200", "basicAuth": basic_auth}})


def elastic_secrets() -> list[Resource]:
    return [k8s("v1", "Secret", "elastic-credentials", ns, stringData={"password": "<redacted>"})
            for ns in ("seldon-logs", "seldon-system")]


def ctx(env: str = "prod", resources: list[Resource] = (), tenants: list[Tenant] | None = None, grants=(),
        default_credentials: list[str] = (), charts: bool = False) -> Context:
    return Context(env, list(resources), TenantsFile.model_construct(tenants=tenants) if tenants is not None else None,
                   list(grants), list(default_credentials), ChartStore(charts_dir()) if charts else None)


def facts(**data: str) -> Resource:
    """The platform facts ConfigMap (components.tenancy.platform_facts) with the given entries."""
    return k8s("v1", "ConfigMap", "modelplane-platform", "seldon-system", data=data)


def tenant(name: str, quota: bool = True) -> Tenant:
    data = {"name": name, "groups": {"ds": "write"}}
    if quota:
        data["quota"] = {"cpu": "8", "memory": "32Gi", "pods": 50}
    return Tenant.model_validate(data) if not name.startswith("kube-") else Tenant.model_construct(
        name=name, quota=None, groups={}, users={}, visibility="restricted", gitops=None, batch=False, adopt=False)


CASES = {
    # rule: (passing context, failing context, text the failure names)
    "MP001": (ctx(resources=[sdep()]), ctx(resources=[with_container(image="seldonio/mock:latest")]),
              "image 'seldonio/mock:latest' uses the tag latest"),
    "MP002": (ctx(resources=[sdep()]), ctx(resources=[with_container(resources={"requests": {"cpu": "1"}})]),
              "no requests.memory, limits.cpu, limits.memory"),
    "MP003": (ctx(resources=[sdep()]), ctx(resources=[with_pod(hostNetwork=True)]), "hostNetwork: true"),
    "MP004": (ctx(resources=[release("a", version="1.2.3")]), ctx(resources=[release("a", version="^1.2")]),
              "version '^1.2' is not an exact version"),
    "MP005": (ctx(resources=[release("prometheus", "kube-prometheus-stack", protect=True)]),
              ctx(resources=[Resource("aws:rds/instance:Instance", "metadata", "urn:rds", {
                  "deletionProtection": False, "backupRetentionPeriod": 0}, protect=True)]),
              "deletionProtection is off; no automated backups"),
    "MP006": (ctx(resources=[gateway(https=True)]), ctx(resources=[gateway(https=False)]),
              "Gateway istio-system/seldon-gateway: no HTTPS server"),
    "MP007": (ctx(resources=[release("istio-ingressgateway", values={"service": {
                  "type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]}})]),
              ctx(resources=[release("istio-ingressgateway", values={"service": {"type": "LoadBalancer"}})]),
              "values.service: LoadBalancer without loadBalancerSourceRanges"),
    "MP008": (ctx(resources=[k8s("v1", "Secret", "minio-root", "minio-system",
                                 stringData={"rootPassword": "<redacted>"})]),
              ctx(resources=[k8s("v1", "Secret", "minio-root", "minio-system",
                                 data={"rootPassword": base64.b64encode(b"minioadmin").decode()})]),
              "data.rootPassword is a default credential"),
    "MP017": (ctx(resources=[release("logging-opensearch", "opensearch", values={
                  "extraEnvs": [{"name": "DISABLE_INSTALL_DEMO_CONFIG", "value": "true"}]})]),
              ctx(resources=[release("logging-opensearch", "opensearch", values={
                  "extraEnvs": [{"name": "OPENSEARCH_INITIAL_ADMIN_PASSWORD", "value": "<redacted>"}]})]),
              "runs the demo TLS certificates"),
    "MP018": (ctx(resources=[release("seldon-core", "seldon-core-operator", values={"executor": {"requestLogger": {
                  "defaultEndpoint": "http://seldon-request-logger.seldon-logs.svc.cluster.local"}}}),
                  k8s("v1", "Service", "seldon-request-logger", "seldon-logs", spec={}),
                  k8s("apps/v1", "Deployment", "seldon-request-logger", "seldon-logs", spec={"template": {"spec": {
                      "containers": [{"name": "logger", "env": [{"name": "ELASTICSEARCH_HOST", "value":
                                     "search-es-http.seldon-logs.svc.cluster.local"}]}]}}}),
                  k8s("elasticsearch.k8s.elastic.co/v1", "Elasticsearch", "search", "seldon-logs", spec={})]),
              ctx(resources=[release("seldon-core", "seldon-core-operator", values={"executor": {"requestLogger": {
                  "defaultEndpoint": "http://seldon-request-logger.seldon-logs.svc.cluster.local"}}})]),
              "executor → logger endpoint"),
    "MP019": (ctx(resources=[Resource("aws:eks/cluster:Cluster", "c", "urn:c", {}),
                             Resource(RELEASE, "minio", "urn:release:minio", {"chart": "minio", "values": {
                                 "persistence": {"enabled": True, "storageClass": "gp3"}}},
                                 depends_on=("urn:StorageClass:gp3",)),
                             k8s("storage.k8s.io/v1", "StorageClass", "gp3", None)]),
              ctx(resources=[Resource("aws:eks/cluster:Cluster", "c", "urn:c", {}),
                             release("minio", "minio", values={"persistence": {"enabled": True}})]),
              "names no StorageClass, and EKS has no default class"),
    "MP020": (ctx(resources=[release("argocd", "argo-cd", values={
                  "configs": {"cm": {"url": "https://ml.example.org/argocd"}}})]),
              ctx(resources=[release("argocd", "argo-cd")]), "Argo CD's URL is the chart's example"),
    "MP021": (ctx(resources=[Resource("gcp:container/cluster:Cluster", "c", "urn:c", {}),
                             release("prometheus", "kube-prometheus-stack", values={
                                 k: {"enabled": False} for k in ("kubeControllerManager", "kubeScheduler",
                                                                 "kubeEtcd", "kubeProxy", "coreDns")})]),
              ctx(resources=[Resource("gcp:container/cluster:Cluster", "c", "urn:c", {}),
                             release("prometheus", "kube-prometheus-stack")]),
              "kubeControllerManager, kubeScheduler, kubeEtcd, kubeProxy enabled"),
    "MP022": (ctx(resources=[release("fluent-bit", "fluent-bit", values={"config": {
                  "inputs": "[INPUT]\n    Name tail\n    Tag kube.*\n",
                  "outputs": "[OUTPUT]\n    Name es\n    Match kube.*\n"}})]),
              ctx(resources=[release("fluent-bit", "fluent-bit", values={"config": {
                  "inputs": "[INPUT]\n    Name systemd\n    Tag host.*\n",
                  "outputs": "[OUTPUT]\n    Name es\n    Match kube.*\n"}})]),
              "input with tag 'host.*' matches no output"),
    "MP009": (ctx(resources=[sdep()]), ctx(resources=[sdep(predictors=[
                  {"name": "default", "traffic": 90, "replicas": 2},
                  {"name": "canary", "traffic": 20, "replicas": 2}])]),
              "traffic sums to 110 (default 90 + canary 20)"),
    "MP010": (ctx(resources=[sdep()]), ctx(resources=[sdep(predictors=[{"name": "default", "replicas": 1,
                                                                          "traffic": 100}])]),
              "predictor default has 1 replica(s)"),
    "MP011": (ctx(resources=[sdep("team-a")]), ctx(resources=[sdep("seldon-logs")]),
              "namespace 'seldon-logs' is a system or reserved namespace"),
    "MP012": (ctx(tenants=[tenant("team-a")]), ctx(tenants=[tenant("team-a", quota=False)]), "tenant team-a: no quota"),
    "MP013": (ctx(grants=[("user_grants", "*", "read", "namespace/team-a")]),
              ctx(grants=[("user_grants", "*", "write", "namespace/team-a")]), "write on namespace/team-a"),
    "MP014": (ctx(resources=[deploy()], tenants=[tenant("team-a")]),
              ctx(resources=[deploy()], tenants=[tenant("team-a")],
                  # one grant per user, 20000 users: the document would not fit a ConfigMap
                  grants=[("user_grants", f"user-{i:05d}", "write", "namespace/team-a") for i in range(20000)]),
              "over the ConfigMap limit"),
    "MP015": (ctx(resources=[deploy(), *elastic_secrets()]), ctx(resources=[deploy(basic_auth=False)]),
              "elasticsearch.basicAuth is not true"),
    "MP016": (ctx(resources=[release("prometheus", "kube-prometheus-stack", version="77.0.0", values={
                  "prometheus": {"prometheusSpec": {"retention": "7d"}}})], charts=True),
              ctx(resources=[release("prometheus", "kube-prometheus-stack", version="77.0.0", values={
                  "prometheus": {"prometheusSpec": {"retentionnn": "7d"}}})], charts=True),
              "values.prometheus.prometheusSpec.retentionnn: not a value of chart kube-prometheus-stack 77.0.0"),
    "MP035": (ctx(resources=[search_with_tls(), k8s("v1", "Secret", "opensearch-tls", "seldon-logs")]),
              ctx(resources=[search_with_tls(), k8s("v1", "Secret", "opensearch-tls", "seldon-system")]),
              "values.secretMounts[0].secretName makes its pods read Secret seldon-logs/opensearch-tls, which "
              "nothing in the plan creates and the stack does not declare as provided"),
    "MP036": (ctx(resources=[release("minio", "minio", values={"mode": "standalone",
                                                                "deploymentUpdate": {"type": "Recreate"}})]),
              ctx(resources=[release("minio", "minio", version="5.4.0", values={"mode": "standalone"})], charts=True),
              "values.deploymentUpdate.type is RollingUpdate: one pod on a ReadWriteOnce volume"),
    "MP037": (ctx(resources=[*backups(), irsa_account(),
                             Resource("aws:s3/bucket:Bucket", "b", "urn:bucket", {"bucket": "backups"})]),
              ctx(resources=backups()),
              "enableLogicalBackup is on, but the backup job has no credentials"),
    "MP038": (ctx(resources=[search_with_users(admin_dn=True), security_job()]),
              ctx(resources=[search_with_users(admin_dn=False), security_job()]),
              "opensearch.yml sets no plugins.security.authcz.admin_dn: nothing may apply a changed users"),
    "MP039": (ctx(resources=[release("s", "opensearch", "3.1.0", {"opensearchJavaOpts": "-Xmx1g -Xms1g"})],
                  charts=True),
              ctx(resources=[release("s", "opensearch", "3.1.0", {"resources": {"requests": {"memory": "2Gi"}}})],
                  charts=True),
              "heap -Xmx512m is under 40 % of the 2Gi memory request"),
    "MP040": (ctx(resources=[prometheus(retentionSize="27GB")]), ctx(resources=[prometheus()]),
              "retention 90d by time only, on a 32Gi volume: no retentionSize"),
    "MP041": (ctx(resources=[release("argo-workflows", "argo-workflows", "0.45.0",
                                     {"workflow": {"rbac": {"create": False}}})], charts=True),
              ctx(resources=[release("argo-workflows", "argo-workflows", "0.45.0")], charts=True),
              "writes a workflow Role and RoleBinding into default"),
    "MP042": (ctx(resources=[minio_route(), release("minio", "minio", values={"environment": {
                  "MINIO_BROWSER_REDIRECT_URL": "http://localhost:8080/minio/"}})]),
              ctx(resources=[minio_route(), release("minio", "minio", values={"mode": "standalone"})]),
              "the console is routed under /minio/ but values.environment has no MINIO_BROWSER_REDIRECT_URL"),
    "MP043": (ctx(resources=[release("seldon-core", "seldon-core-operator", "1.18.2", values={
                  "crd": {"annotations": {"helm.sh/resource-policy": "keep"}}})], charts=True),
              ctx(resources=[release("seldon-core", "seldon-core-operator", "1.18.2")], charts=True),
              "values.crd.annotations has no helm.sh/resource-policy: keep: uninstalling the release deletes the "
              "SeldonDeployment CRD"),
    "MP034": (ctx(resources=[facts(podSecurityEnforce="baseline")], tenants=[tenant("team-a")]),
              ctx(resources=[facts(podSecurityEnforce="privileged")], tenants=[tenant("team-a")]),
              "podSecurityEnforce: privileged: tenant namespaces (team-a) admit privileged"),
}

# the Pod Security Standards rules: every control in both a SeldonDeployment and a Deployment
# (tests/policies/test_pod_security.py); here the SeldonDeployment case, as every rule has one
CASES.update({rule_id: (pss.context(pss.seldon(pss.template())), pss.context(pss.seldon(pss.template(where, change))),
                        expected) for rule_id, (where, change, expected) in pss.CONTROLS.items()})


def test_every_rule_has_fixtures_and_metadata():
    assert sorted(CASES) == sorted(RULES)
    for rule in RULES.values():
        assert rule.title and rule.rationale and rule.fix and rule.severity in ("low", "medium", "high", "critical")
        assert rule.enforcement("prod") == "mandatory"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_its_good_fixture(rule_id):
    good, _, _ = CASES[rule_id]
    assert RULES[rule_id](good) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fails_its_bad_fixture_naming_the_resource(rule_id):
    _, bad, expected = CASES[rule_id]
    violations = RULES[rule_id](bad)
    assert violations, f"{rule_id} found nothing"
    text = "\n".join(f"{v.resource}: {v.message}" for v in violations)
    assert expected in text, text


def test_enforcement_is_advisory_in_dev_for_most_rules_and_mandatory_for_safety_rules():
    mandatory_everywhere = {r for r, rule in RULES.items() if rule.enforcement("dev") == "mandatory"}
    assert mandatory_everywhere == {"MP003", "MP009", "MP011", "MP014"}


def test_environment_gated_rules_say_nothing_in_dev():
    assert RULES["MP005"](ctx("dev", [Resource("aws:rds/instance:Instance", "m", "u", {})])) == []
    assert RULES["MP007"](ctx("dev", [release("gw", values={"service": {"type": "LoadBalancer"}})])) == []
    assert RULES["MP012"](ctx("dev", tenants=[tenant("team-a", quota=False)])) == []
    assert RULES["MP013"](ctx("dev", grants=[("user_grants", "*", "write", "namespace/a")])) == []


def test_untagged_image_and_digest():
    assert "has no tag" in RULES["MP001"](ctx(resources=[with_container(image="registry:5000/team/model")]))[0].message
    assert RULES["MP001"](ctx(resources=[with_container(image="registry:5000/team/model@sha256:" + "a" * 64)])) == []
    assert RULES["MP001"](ctx(resources=[with_container(image="registry:5000/team/model:2.0.1")])) == []


def test_default_credentials_typed_in_stack_config():
    found = RULES["MP008"](ctx("local", default_credentials=["addons.minio.rootPassword"]))
    assert [v.resource for v in found] == ["stack config addons.minio.rootPassword"]


def test_a_secret_the_stack_declares_as_provided_needs_no_object_in_the_plan():
    provided = ctx(resources=[search_with_tls()])
    provided.provided = ["Secret seldon-logs/opensearch-tls"]
    assert RULES["MP035"](provided) == []
    optional = release("fluent-bit", "fluent-bit", namespace="seldon-logs", values={"env": [
        {"name": "P", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "p", "optional": True}}}]})
    assert RULES["MP035"](ctx(resources=[optional])) == []


def test_a_single_replica_deployment_on_a_rwo_claim_is_found_among_the_plans_objects():
    claim = k8s("v1", "PersistentVolumeClaim", "data", "apps", spec={"accessModes": ["ReadWriteOnce"]})
    template = {"spec": {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}}
    rolling = k8s("apps/v1", "Deployment", "store", "apps", spec={"replicas": 1, "template": template})
    [found] = RULES["MP036"](ctx(resources=[claim, rolling]))
    assert (found.resource, found.urn) == ("Deployment apps/store", "urn:Deployment:store")
    recreate = k8s("apps/v1", "Deployment", "store", "apps",
                   spec={"replicas": 1, "template": template, "strategy": {"type": "Recreate"}})
    assert RULES["MP036"](ctx(resources=[claim, recreate])) == []
    distributed = release("minio", "minio", version="5.4.0", values={"mode": "distributed"})
    assert RULES["MP036"](ctx(resources=[distributed], charts=True)) == []


def test_backups_by_irsa_need_the_bucket_in_the_plan_and_an_environment_secret_needs_to_exist():
    [no_bucket] = RULES["MP037"](ctx(resources=[*backups(), irsa_account()]))
    assert no_bucket.message == "backups go to bucket 'backups', which nothing in the plan creates"
    environment = backups(logical_backup_cronjob_environment_secret="backup-credentials")
    assert RULES["MP037"](ctx(resources=environment)) != []
    provided = ctx(resources=environment)
    provided.provided = ["Secret seldon-system/backup-credentials"]
    assert RULES["MP037"](provided) == []
    off = [backups()[0], k8s("acid.zalan.do/v1", "postgresql", "m", "seldon-system", spec={})]
    assert RULES["MP037"](ctx(resources=off)) == []


def test_a_search_password_read_once_is_named_and_a_job_elsewhere_does_not_count():
    [no_job] = RULES["MP038"](ctx(resources=[search_with_users(admin_dn=True), security_job("other")]))
    assert no_job.message.startswith("no Job in seldon-logs runs securityadmin on Secret users")
    demo = release("logging-opensearch", "opensearch", namespace="seldon-logs", values={"extraEnvs": [
        {"name": "OPENSEARCH_INITIAL_ADMIN_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "c", "key": "p"}}}]})
    [once] = RULES["MP038"](ctx("dev", resources=[demo]))
    assert "OPENSEARCH_INITIAL_ADMIN_PASSWORD, which OpenSearch reads once" in once.message


def test_a_heap_near_the_limit_a_retention_over_the_volume_and_an_object_in_default_are_named():
    memory = {"requests": {"memory": "4Gi"}, "limits": {"memory": "4Gi"}}
    near = release("s", "opensearch", "3.1.0", {"opensearchJavaOpts": "-Xmx3500m", "resources": memory})
    assert [v.message for v in RULES["MP039"](ctx(resources=[near], charts=True))] == [
        "heap -Xmx3500m is over 75 % of the 4Gi memory limit"]
    assert [v.message for v in RULES["MP040"](ctx(resources=[prometheus(retentionSize="40GB")]))] == [
        "retentionSize 40GB exceeds the 32Gi volume"]
    [found] = RULES["MP041"](ctx(resources=[k8s("v1", "ConfigMap", "x", "default")]))
    assert found.resource == "ConfigMap default/x"


def test_opa_on_without_any_tenant_means_no_configmap():
    found = RULES["MP014"](ctx(resources=[deploy(opa=True)], tenants=[]))
    assert "nothing creates the ConfigMap" in found[0].message
    assert RULES["MP014"](ctx(resources=[deploy(opa=False)], tenants=[])) == []


def test_mp008_knows_the_minio_charts_default_console_user():
    chart_default = ctx(resources=[release("minio", "minio", values={"mode": "standalone"})])
    [violation] = RULES["MP008"](chart_default)
    assert violation.message == ("values.users is not set: the chart creates its default user console/console123 "
                                 "(consoleAdmin)")
    typed = ctx(resources=[release("minio", "minio", values={"users": [
        {"accessKey": "console", "secretKey": "console123", "policy": "consoleAdmin"}]})])
    assert [v.message for v in RULES["MP008"](typed)] == ["values.users[0].secretKey is a default credential from "
                                                          "the seeds"]
    [empty] = RULES["MP008"](ctx(resources=[release("minio", "minio", values={"users": []})]))
    assert empty.message == ("values.users is [], which the Kubernetes provider drops: the chart creates its "
                             "default user console/console123 (consoleAdmin)")
    named = [{"accessKey": "console", "existingSecret": "minio-root", "existingSecretKey": "consolePassword",
              "policy": "consoleAdmin"}]
    assert RULES["MP008"](ctx(resources=[release("minio", "minio", values={"users": named})])) == []


def test_a_privileged_ephemeral_container_is_refused_too():
    """Pod Security admission checks ephemeral containers (kubectl debug) as it checks the others."""
    debug = {"name": "debug", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    [violation] = RULES["MP003"](ctx(resources=[with_pod(ephemeralContainers=[debug])]))
    assert violation.message.endswith("container debug: privileged")
