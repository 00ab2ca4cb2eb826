"""The whole platform for one stack: cluster, system namespaces, add-ons wired together, models."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import kinds, tenancy
from components.addon_component import CHART_SOURCE, HelmAddon
from components.addons import argocd as argocd_mod
from components.addons import batch, logging, postgres
from components.addons.argocd_component import ArgoCd
from components.addons.batch_component import Minio
from components.addons.istio import cluster_local_host, public_host
from components.addons.istio_component import Istio
from components.addons.knative_component import Knative
from components.addons.postgres_backup import BackupBucket
from components.addons.postgres_cloud import CloudSqlPostgres, RdsPostgres
from components.addons.postgres_component import ZalandoPostgres
from components.addons.prometheus_component import Prometheus
from components.addons.request_logging import RequestLogging, request_logger_url
from components.addons.seldon_core_component import SeldonCore
from components.addons.seldon_deploy import Wiring
from components.addons.seldon_deploy_component import SeldonDeploy
from components.cluster import storage_class
from components.cluster.eks_component import EksCluster
from components.cluster.existing_component import ExistingCluster
from components.cluster.gke_component import GkeCluster
from components.config import StackConfig
from components.kit import PART_OF, PlatformKit
from components.models.seldon_deployment import GitopsTarget
from components.models.seldon_model import SeldonModel
from components.names import FACTS_CONFIGMAP
from components.namespaces import (
    KNATIVE_EVENTING,
    KNATIVE_SERVING,
    SELDON_LOGS,
    SELDON_SYSTEM,
    pod_security_labels,
    system_namespaces,
)
from components.secret_source import SecretSource


def make_cluster(name: str, config: StackConfig, opts: pulumi.ResourceOptions):
    cluster = config.cluster
    if cluster.cloud == "aws":
        return EksCluster(name, cluster, production=config.production, opts=opts)
    if cluster.cloud == "gcp":
        return GkeCluster(name, cluster, production=config.production, opts=opts)
    return ExistingCluster(name, cluster, opts=opts)


def ingress_service_type(config: StackConfig) -> str:
    """The ingress gateway's Service type: as configured, else NodePort on kind (nothing there gives a
    LoadBalancer an address), else LoadBalancer."""
    if config.addons.istio.service_type:
        return config.addons.istio.service_type
    kind = config.cluster.cloud == "existing" and config.cluster.kind_cluster
    return "NodePort" if kind else "LoadBalancer"


# server-side apply takes back a field someone changed by hand (kubectl edit, a patch) instead of failing
# the next `pulumi up` on the conflict: the stack is the source of truth, and drift names the change first
FORCE_APPLY = {"pulumi.com/patchForce": "true"}


def force_apply(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """Every Kubernetes object the platform declares (not Helm releases, which Helm applies) is applied
    with force (pulumi-kubernetes' patchForce annotation)."""
    if not args.type_.startswith("kubernetes:") or args.type_.startswith("kubernetes:helm.sh/"):
        return None
    props = dict(args.props)
    metadata = dict(props.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), **FORCE_APPLY}
    props["metadata"] = metadata
    return pulumi.ResourceTransformationResult(props, args.opts)


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, config: StackConfig, *,
                 gitops: dict[tuple[str, str], GitopsTarget] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transformations=[force_apply]))
        super().__init__("modelplane:platform:Platform", name, None, opts)
        token = CHART_SOURCE.set(config.chart_source_dir())
        try:
            self._declare(name, config, gitops)
        finally:
            CHART_SOURCE.reset(token)

    def _declare(self, name: str, config: StackConfig, gitops: dict[tuple[str, str], GitopsTarget] | None) -> None:
        self.config = config
        self.gitops = gitops or {}
        self.secrets = SecretSource()
        self.cluster = make_cluster(f"{name}-cluster", config, pulumi.ResourceOptions(parent=self))
        self.provider = self.cluster.provider
        self.namespaces = {
            ns: k8s.core.v1.Namespace(
                ns, metadata={"name": ns, "labels": {**PART_OF, "kubernetes.io/metadata.name": ns,
                                                     **pod_security_labels(config, ns)}},
                opts=self._opts(protect=config.production, retain_on_delete=config.production))
            for ns in system_namespaces(config)
        }
        a = config.addons
        self.kit = PlatformKit(self.namespaces, self.secrets, self.provider, production=config.production,
                               public_host=public_host(a.istio), storage_class=storage_class(config.cluster),
                               managed_control_plane=config.cluster.cloud in ("aws", "gcp"),
                               cloud=config.cluster.cloud,
                               volumes_ready=getattr(self.cluster, "volumes_ready", []))
        wiring: dict = {"tenancy": config.tenancy.mode, "ingress_namespace": a.istio.namespace}
        core_deps: list[pulumi.Resource] = []
        # what Seldon Deploy's values name (secrets, services): its pods fail to start without them
        self.deploy_needs: list[pulumi.Resource] = []

        if a.istio.enabled:
            self.istio = Istio("istio", a.istio, namespace=self.kit.ns(a.istio.namespace),
                               service_type=ingress_service_type(config), cloud=config.cluster.cloud,
                               opts=self._opts())
            wiring["gateway_ref"] = self.kit.gateway_ref = self.istio.gateway_ref
            core_deps.append(self.istio)
        if a.knative.enabled:
            self.knative = Knative("knative", a.knative, namespace=self.kit.ns(a.knative.namespace),
                                   local_gateway_host=cluster_local_host(a.istio),
                                   serving_namespace=self.kit.ns(KNATIVE_SERVING),
                                   eventing_namespace=self.kit.ns(KNATIVE_EVENTING),
                                   logs_namespace=self.kit.ns(SELDON_LOGS), logs_namespace_name=SELDON_LOGS,
                                   depends_on=core_deps[:], opts=self._opts())
            wiring["broker_url"] = self.knative.broker_url
            self.deploy_needs.append(self.knative)
        if a.prometheus.enabled:
            self.prometheus = Prometheus("prometheus", a.prometheus, self.kit, opts=self._opts())
            wiring["prometheus_url"] = self.prometheus.url
            self.deploy_needs.append(self.prometheus)
        logger_endpoint = None
        if a.logging.enabled:
            self.logging = RequestLogging("request-logging", a.logging, self.kit, system_namespace=SELDON_SYSTEM,
                                          knative=a.knative.enabled, opts=self._opts())
            self.deploy_needs += self.logging.needed_by_deploy
            wiring["elasticsearch_url"] = logging.search_url(a.logging)
            wiring["elasticsearch_secret"] = logging.CREDENTIALS_SECRET
            logger_endpoint = wiring.get("broker_url") or request_logger_url(a.logging.namespace)
        if a.postgres.enabled:
            self.deploy_needs.append(self._metadata_database(a.postgres))
            wiring["postgres_secret"] = postgres.METADATA_SECRET
        if a.argocd.enabled:
            argocd = ArgoCd("argocd", a.argocd, self.kit, system_namespace=SELDON_SYSTEM, opts=self._opts())
            self.deploy_needs += argocd.needed_by_deploy
            wiring["argocd"] = True
            if a.argocd.git:
                wiring["git_secret"] = argocd_mod.GIT_SECRET
        if a.minio.enabled:
            Minio("minio", a.minio, self.kit, opts=self._opts())
        if a.argo_workflows.enabled:
            HelmAddon("argo-workflows", pin=a.argo_workflows.pin("argo-workflows"),
                      namespace=self.kit.ns(a.argo_workflows.namespace), values=batch.argo_workflows_values(),
                      overrides=a.argo_workflows.values, opts=self._opts())

        self.seldon_core = None
        if a.seldon_core.enabled:
            self.seldon_core = SeldonCore("seldon-core", a.seldon_core, namespace=self.kit.ns(SELDON_SYSTEM),
                                          gateway_ref=wiring["gateway_ref"], logger_endpoint=logger_endpoint,
                                          depends_on=core_deps, opts=self._opts())
        if a.seldon_deploy.enabled:
            self._seldon_deploy(a.seldon_deploy, Wiring(**wiring))

        self._tenancy_support(config)
        for spec in config.models:
            SeldonModel(f"{spec.namespace}-{spec.name}", spec, gitops=self.gitops.get((spec.namespace, spec.name)),
                        depends_on=[self.seldon_core] if self.seldon_core else [], opts=self._opts())
        self.register_outputs({"namespaces": sorted(self.namespaces)})

    def _metadata_database(self, cfg: postgres.PostgresConfig) -> k8s.core.v1.Secret:
        """The backend's database, and the metadata-postgres Secret made from its outputs."""
        password = self.secrets.resolve(cfg.password, "metadata-postgres-password", self)
        if cfg.backend == "rds":
            db = RdsPostgres("seldon-metadata", cfg, self.cluster.network_for_databases(), password=password,
                             production=self.config.production, opts=pulumi.ResourceOptions(parent=self))
        elif cfg.backend == "cloudsql":
            db = CloudSqlPostgres("seldon-metadata", cfg, self.cluster.network_for_databases(), password=password,
                                  production=self.config.production, opts=pulumi.ResourceOptions(parent=self))
        else:
            db = ZalandoPostgres("zalando-postgres", cfg, self.kit, system_namespace=SELDON_SYSTEM,
                                 password=password, backup_role_arn=self._backup_role(cfg), opts=self._opts())
        return self.kit.secret(postgres.METADATA_SECRET, SELDON_SYSTEM,
                               postgres.metadata_secret_data(cfg, db.host, password), self, depends_on=[db])

    def _backup_role(self, cfg: postgres.PostgresConfig) -> pulumi.Output[str] | None:
        """On EKS, backups without named credentials write to a bucket of the platform's, as an IAM role."""
        target = cfg.logical_backup
        if not (cfg.backups_on and target and not target.credentials_secret and self.config.cluster.cloud == "aws"):
            return None
        bucket = BackupBucket("metadata-backups", target, namespace=SELDON_SYSTEM,
                              oidc_provider_arn=self.cluster.oidc_provider.arn, issuer=self.cluster.oidc_issuer,
                              production=self.config.production, tags=self.cluster.tags,
                              opts=pulumi.ResourceOptions(parent=self))
        return bucket.role_arn

    def _tenancy_support(self, config: StackConfig) -> None:
        """What tenant onboarding (Ansible) reads instead of retyping it: the platform facts ConfigMap,
        ClusterRoles that add Seldon's resources to the built-in edit/view roles tenants are bound to, and the
        read-only role `modelplane drift` runs with."""
        facts = tenancy.platform_facts(config)
        k8s.core.v1.ConfigMap(
            "platform-facts", metadata={"name": FACTS_CONFIGMAP, "namespace": self.kit.ns(SELDON_SYSTEM),
                                        "labels": PART_OF},
            data=facts, opts=self._opts())
        for name, (labels, verbs) in tenancy.AGGREGATED_ROLES.items():
            k8s.rbac.v1.ClusterRole(
                name, metadata={"name": name, "labels": {**PART_OF, **labels}},
                rules=[{"apiGroups": [group], "resources": resources, "verbs": list(verbs)}
                       for group, resources in tenancy.TENANT_API_RESOURCES],
                opts=self._opts())
        k8s.rbac.v1.ClusterRole(
            tenancy.DRIFT_READER_ROLE, metadata={"name": tenancy.DRIFT_READER_ROLE, "labels": PART_OF},
            rules=kinds.read_rules(), opts=self._opts())

    def _opts(self, **kw) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self.provider, **kw)

    def _seldon_deploy(self, cfg, wiring: Wiring) -> None:
        env = None
        if cfg.oidc:
            secret = self.secrets.resolve(cfg.oidc.client_secret, "oidc-client-secret", self)
            env = {"OIDC_PROVIDER": cfg.oidc.provider, "CLIENT_ID": cfg.oidc.client_id, "CLIENT_SECRET": secret,
                   "REDIRECT_URL": cfg.oidc.redirect_url, "OIDC_SCOPES": cfg.oidc.scopes,
                   "USERID_CLAIM_KEY": cfg.oidc.userid_claim_key}
        deps = ([self.seldon_core] if self.seldon_core else []) + self.deploy_needs
        SeldonDeploy("seldon-deploy", cfg, namespace=self.kit.ns(SELDON_SYSTEM), wiring=wiring, oidc_env=env,
                     depends_on=deps, opts=self._opts())
