"""Rules on what keeps the platform running past its first `pulumi up`: pods whose Secrets exist, backups
that can write, upgrades that can roll, passwords that reach the servers that use them."""

from __future__ import annotations

import re

import yaml

from components.names import IRSA_ANNOTATION, POD_SERVICE_ACCOUNT, chart_name
from components.quantity import memory_gib
from modelplane.plan.charts import get, release_values
from modelplane.plan.mounts import release_mounts
from modelplane.plan.rollout import object_rollouts, release_rollouts
from policies.rules.base import Context, Violation, rule

ZALANDO = "kubernetes:acid.zalan.do/v1:postgresql"
MINIO_PREFIX = "/minio/"  # components.addons.batch.CONSOLE_PREFIX (that module imports pydantic)
S3_BUCKET = "aws:s3/bucket:Bucket"
# the annotations that give a service account's pods a cloud identity: EKS (IRSA), GKE (Workload Identity)
WORKLOAD_IDENTITY = {IRSA_ANNOTATION, "iam.gke.io/gcp-service-account"}


def _created(ctx: Context) -> set[str]:
    """`Kind namespace/name` of every Secret and ConfigMap the plan creates."""
    return {f"{o.kind} {o.namespace}/{o.name}" for o in ctx.objects if o.kind in ("Secret", "ConfigMap")}


@rule("MP035", "Every Secret and ConfigMap a release's pods read exists", severity="high",
      rationale="Kubernetes starts no container whose non-optional Secret or ConfigMap is missing: the pods "
                "stay in ContainerCreating, Helm's wait runs out after 900 s and the release rolls back. "
                "`pulumi up` fails on a fresh cluster although every object it declared was valid.",
      fix="Create the object in the plan (before the release: depends_on), or, when your PKI or another tool "
          "writes it, declare it as provided in the stack (e.g. addons.logging.tls.certificate: provided) so "
          "`modelplane preflight` checks it exists before anything is created.")
def mounted_objects_exist(ctx: Context):
    exists = _created(ctx) | set(ctx.provided)
    for r in ctx.releases():
        namespace = str(r.inputs.get("namespace") or "")
        for mount in release_mounts(chart_name(r.inputs), r.inputs.get("values") or {}):
            if mount.label(namespace) not in exists:
                yield Violation(f"Helm release {r.name}",
                                f"values.{mount.path} makes its pods read {mount.label(namespace)}, which nothing "
                                "in the plan creates and the stack does not declare as provided", r.urn)


@rule("MP036", "A single pod on a ReadWriteOnce volume is replaced, not rolled", severity="high",
      rationale="RollingUpdate starts the new pod before the old one stops. With one ReadWriteOnce volume the "
                "new pod cannot attach it on another node: the rollout and Helm's wait fail and the release "
                "rolls back on every upgrade. On the same node two processes write one data directory.",
      fix="Set the workload's strategy to Recreate (MinIO: values.deploymentUpdate.type), or give it a volume "
          "per pod (a StatefulSet).")
def single_pod_volumes_recreate(ctx: Context):
    urns = {f"{o.kind} {o.namespace}/{o.name}": o.urn for o in ctx.objects}
    rollouts = [(r.urn, rollout) for r in ctx.releases() for rollout in release_rollouts(ctx.charts, r.inputs)]
    manifests = [o.manifest for o in ctx.objects]
    rollouts += [(urns.get(rollout.workload), rollout) for rollout in object_rollouts(manifests)]
    for urn, rollout in rollouts:
        if rollout.strategy != "Recreate":
            yield Violation(rollout.workload, f"{rollout.where} is {rollout.strategy}: one pod on a ReadWriteOnce "
                            "volume, whose successor would start before it stops", urn)


def _backup_credentials(ctx: Context, values: dict, namespace: str) -> str | None:
    """How the backup job authenticates, or None."""
    backup = values.get("configLogicalBackup") or {}
    if backup.get("logical_backup_s3_access_key_id") and backup.get("logical_backup_s3_secret_access_key"):
        return "keys"
    secret = backup.get("logical_backup_cronjob_environment_secret")
    if secret and f"Secret {namespace}/{secret}" in _created(ctx) | set(ctx.provided):
        return "environment"
    account = get(values, "podServiceAccount.name") or POD_SERVICE_ACCOUNT
    for o in ctx.kind("ServiceAccount"):
        annotations = (o.manifest.get("metadata") or {}).get("annotations") or {}
        if (o.namespace, o.name) == (namespace, account) and WORKLOAD_IDENTITY & set(annotations):
            return "workload identity"
    return None


@rule("MP037", "Logical backups can write", severity="high",
      rationale="The Zalando operator runs the nightly pg_dumpall job whatever its credentials: without keys, an "
                "environment Secret or a workload identity (IRSA) the upload fails every night, unnoticed, while "
                "the stack reports backups on. A bucket nothing creates fails the same way.",
      fix="On EKS leave addons.postgres.logicalBackup.credentialsSecret unset (the platform creates the bucket and "
          "an IAM role the database pods assume); elsewhere name a Secret holding the job's credentials, or set "
          "addons.postgres.backups: false.")
def backups_can_write(ctx: Context):
    operator = next(iter(ctx.releases_of("postgres-operator")), None)
    values = release_values(ctx.charts, operator.inputs) if operator else {}
    buckets = {r.inputs.get("bucket") for r in ctx.of_type(S3_BUCKET)}
    for cluster in ctx.of_type(ZALANDO):
        spec, meta = cluster.inputs.get("spec") or {}, cluster.inputs.get("metadata") or {}
        if not spec.get("enableLogicalBackup"):
            continue
        label = f"postgresql {meta.get('namespace')}/{meta.get('name')}"
        how = _backup_credentials(ctx, values, str(meta.get("namespace") or ""))
        if how is None:
            yield Violation(label, "enableLogicalBackup is on, but the backup job has no credentials: no keys or "
                            "environment Secret in the operator's configLogicalBackup, and no service account "
                            f"{get(values, 'podServiceAccount.name') or POD_SERVICE_ACCOUNT!r} with a workload "
                            "identity in its namespace", cluster.urn)
            continue
        bucket = (values.get("configLogicalBackup") or {}).get("logical_backup_s3_bucket")
        if how == "workload identity" and bucket not in buckets:
            yield Violation(label, f"backups go to bucket {bucket!r}, which nothing in the plan creates", cluster.urn)


def _applies_security(ctx: Context, namespace: str, users_secret: str) -> bool:
    """A Job in `namespace` that runs securityadmin on the internal users Secret."""
    for job in ctx.kind("Job"):
        spec = ((job.manifest.get("spec") or {}).get("template") or {}).get("spec") or {}
        commands = [" ".join([*(c.get("command") or []), *(c.get("args") or [])])
                    for c in spec.get("containers") or []]
        volumes = [(v.get("secret") or {}).get("secretName") for v in spec.get("volumes") or []]
        if job.namespace == namespace and any("securityadmin" in c for c in commands) and users_secret in volumes:
            return True
    return False


@rule("MP038", "A rotated search password reaches the search cluster", severity="high",
      rationale="OpenSearch reads its users (internal_users.yml, or the demo setup's initial admin password) only "
                "when it first creates its security index. Rotating the password changes the Secret that Fluent "
                "Bit, Dashboards and Seldon Deploy log in with, but not the cluster: all three get 401s.",
      fix="Configure your own certificates (addons.logging.tls): the platform then sets "
          "plugins.security.authcz.admin_dn and runs securityadmin in a Job whenever the users file changes.")
def search_password_rotates(ctx: Context):
    for r in ctx.releases_of("opensearch"):
        values, namespace = r.inputs.get("values") or {}, str(r.inputs.get("namespace") or "")
        users = get(values, "securityConfig.internalUsersSecret")
        if not users:
            if any(e.get("name") == "OPENSEARCH_INITIAL_ADMIN_PASSWORD" for e in values.get("extraEnvs") or []):
                yield Violation(f"Helm release {r.name}", "values.extraEnvs sets OPENSEARCH_INITIAL_ADMIN_PASSWORD, "
                                "which OpenSearch reads once, when it creates its security index", r.urn)
            continue
        settings = _opensearch_yml(values)
        if not settings.get("plugins.security.authcz.admin_dn"):
            yield Violation(f"Helm release {r.name}", "opensearch.yml sets no plugins.security.authcz.admin_dn: "
                            f"nothing may apply a changed {users}", r.urn)
        elif not _applies_security(ctx, namespace, users):
            yield Violation(f"Helm release {r.name}", f"no Job in {namespace} runs securityadmin on Secret {users}: "
                            "a rotated password stays in the Secret", r.urn)


def _opensearch_yml(values: dict) -> dict:
    text = (values.get("config") or {}).get("opensearch.yml")
    try:
        loaded = yaml.safe_load(text) if isinstance(text, str) else text
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _heap_mib(java_opts: str) -> float | None:
    found = re.search(r"-Xmx([0-9]+)([kKmMgG])", java_opts or "")
    if not found:
        return None
    return int(found.group(1)) * {"k": 1 / 1024, "m": 1, "g": 1024}[found.group(2).lower()]


@rule("MP039", "A JVM's heap follows its container's memory", severity="medium",
      rationale="OpenSearch's heap is fixed by -Xmx, not by the container: the chart's -Xmx512M in a pod that "
                "requests 2Gi leaves three quarters of it unused by the heap, and indexing under load runs out of "
                "heap while the node has memory to spare; a heap near the limit gets the pod OOM-killed.",
      fix="modelplane sets opensearchJavaOpts to half the memory request; keep it between 40 % of the request "
          "and 75 % of the limit when overriding either.")
def jvm_heap_fits(ctx: Context):
    for r in ctx.releases_of("opensearch"):
        values = release_values(ctx.charts, r.inputs)
        heap = _heap_mib(str(values.get("opensearchJavaOpts") or ""))
        resources = values.get("resources") or {}
        request = (resources.get("requests") or {}).get("memory")
        limit = (resources.get("limits") or {}).get("memory")
        if heap is None or not request:
            continue
        if heap < 0.4 * memory_gib(request) * 1024:
            yield Violation(f"Helm release {r.name}", f"heap -Xmx{int(heap)}m is under 40 % of the {request} memory "
                            "request", r.urn)
        elif limit and heap > 0.75 * memory_gib(limit) * 1024:
            yield Violation(f"Helm release {r.name}", f"heap -Xmx{int(heap)}m is over 75 % of the {limit} memory "
                            "limit", r.urn)


@rule("MP040", "Prometheus keeps what its volume holds", severity="medium",
      rationale="Retention by time alone lets the TSDB outgrow its volume: at full disk Prometheus stops "
                "ingesting, and every alert goes quiet with it.",
      fix="modelplane sets prometheus.prometheusSpec.retentionSize to 85 % of the volume; keep it under the "
          "volume's size when overriding either.")
def prometheus_retention_fits(ctx: Context):
    for r in ctx.releases_of("kube-prometheus-stack"):
        spec = get(r.inputs.get("values") or {}, "prometheus.prometheusSpec") or {}
        volume = get(spec, "storageSpec.volumeClaimTemplate.spec.resources.requests.storage")
        if not volume:
            continue
        size = spec.get("retentionSize")
        if not size:
            yield Violation(f"Helm release {r.name}", f"retention {spec.get('retention', 'default')} by time only, on "
                            f"a {volume} volume: no retentionSize", r.urn)
        elif _prometheus_bytes(str(size)) > memory_gib(volume) * 2**30:
            yield Violation(f"Helm release {r.name}", f"retentionSize {size} exceeds the {volume} volume", r.urn)


def _prometheus_bytes(size: str) -> float:
    found = re.fullmatch(r"([0-9.]+)(B|KB|MB|GB|TB|PB)", size)
    if not found:
        return float("inf")
    return float(found.group(1)) * 1024 ** ("B", "KB", "MB", "GB", "TB", "PB").index(found.group(2))


@rule("MP041", "No platform objects in the default namespace", severity="low",
      rationale="Objects in `default` belong to nobody: no quota, no Pod Security level of the platform's, "
                "forgotten by teardown, and found by anyone who lists `default`.",
      fix="modelplane turns off argo-workflows' per-namespace workflow RBAC (workflow.rbac.create: false): batch "
          "tenants get theirs from onboarding.")
def nothing_in_default(ctx: Context):
    for o in ctx.objects:
        if o.namespace == "default":
            yield Violation(o.label, "is in namespace default", o.urn)
    for r in ctx.releases_of("argo-workflows") if ctx.charts else []:
        values = release_values(ctx.charts, r.inputs)
        if get(values, "workflow.rbac.create") and "default" in (get(values, "controller.workflowNamespaces") or []):
            yield Violation(f"Helm release {r.name}", "writes a workflow Role and RoleBinding into default "
                            "(workflow.rbac.create with controller.workflowNamespaces [default])", r.urn)


@rule("MP042", "MinIO's console behind a path knows its URL", severity="low",
      rationale="The gateway serves MinIO's console under /minio/ and strips the prefix; without "
                "MINIO_BROWSER_REDIRECT_URL the console links its assets and redirects at /, outside the route: "
                "the page loads blank and login redirects leave the console.",
      fix="Set addons.minio.consoleUrl to the absolute URL browsers use (https://<host>/minio/), or give the "
          "gateway a TLS host (addons.istio.tls.hosts), from which modelplane derives it.")
def minio_console_url(ctx: Context):
    routed = any(any(((m.get("uri") or {}).get("prefix") == MINIO_PREFIX) for h in (o.manifest.get("spec") or {})
                     .get("http") or [] for m in h.get("match") or []) for o in ctx.kind("VirtualService"))
    for r in ctx.releases_of("minio"):
        environment = get(r.inputs.get("values") or {}, "environment") or {}
        if routed and not environment.get("MINIO_BROWSER_REDIRECT_URL"):
            yield Violation(f"Helm release {r.name}", f"the console is routed under {MINIO_PREFIX} but "
                            "values.environment has no MINIO_BROWSER_REDIRECT_URL", r.urn)


# chart -> (values path of a templated object's annotations, the switch that templates it, what its deletion loses)
KEEP_ON_UNINSTALL = {
    "seldon-core-operator": ("crd.annotations", "crd.create",
                             "the SeldonDeployment CRD, and with it every tenant's models"),
    "minio": ("persistence.annotations", "persistence.enabled", "the MinIO volume claim, and the buckets on it"),
}
CRD_KEEP_SWITCH = {"argo-cd": "crds.keep", "argo-workflows": "crds.keep"}


@rule("MP043", "Uninstalling a release keeps its CRDs and its data", severity="high",
      rationale="Helm deletes what a chart templates when its release is uninstalled (by `modelplane down`, or a "
                "removed add-on). A templated CRD takes every object of its kind with it, tenants' models "
                "included; a templated volume claim takes its volume.",
      fix="Annotate the templated object with helm.sh/resource-policy: keep through the chart's values "
          "(seldon-core-operator crd.annotations, minio persistence.annotations), and leave crds.keep on.")
def uninstall_keeps_data(ctx: Context):
    for chart, (annotations_path, switch, loses) in KEEP_ON_UNINSTALL.items():
        for r in ctx.releases_of(chart):
            values = release_values(ctx.charts, r.inputs)
            templated = get(values, switch) is not False and not get(values, "persistence.existingClaim")
            if templated and (get(values, annotations_path) or {}).get("helm.sh/resource-policy") != "keep":
                yield Violation(f"Helm release {r.name}", f"values.{annotations_path} has no helm.sh/resource-policy: "
                                f"keep: uninstalling the release deletes {loses}", r.urn)
    for chart, switch in CRD_KEEP_SWITCH.items():
        for r in ctx.releases_of(chart):
            if get(release_values(ctx.charts, r.inputs), switch) is False:
                yield Violation(f"Helm release {r.name}", f"values.{switch} is false: uninstalling the release "
                                "deletes its CRDs and every object of their kinds", r.urn)
