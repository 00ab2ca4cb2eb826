"""The whole platform for one stack: cluster, system namespaces, add-ons wired together, models."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components import tenancy
from components.addon import HelmAddon
from components.addons import argocd as argocd_mod
from components.addons import batch, logging, postgres, prometheus
from components.addons.istio import Istio
from components.addons.knative import Knative
from components.addons.seldon_core import SeldonCore
from components.addons.seldon_deploy import SeldonDeploy, Wiring
from components.cluster.eks import EksCluster
from components.cluster.existing import ExistingCluster
from components.cluster.gke import GkeCluster
from components.config import StackConfig
from components.models.seldon_deployment import GitopsTarget, SeldonModel
from components.secrets import SecretSource

SELDON_SYSTEM = "seldon-system"
SELDON_LOGS = "seldon-logs"
KNATIVE_SERVING = "knative-serving"
KNATIVE_EVENTING = "knative-eventing"
PART_OF = {"app.kubernetes.io/part-of": "modelplane", "app.kubernetes.io/managed-by": "modelplane"}


def make_cluster(name: str, config: StackConfig, opts: pulumi.ResourceOptions):
    cluster = config.cluster
    if cluster.cloud == "aws":
        return EksCluster(name, cluster, production=config.production, opts=opts)
    if cluster.cloud == "gcp":
        return GkeCluster(name, cluster, production=config.production, opts=opts)
    return ExistingCluster(name, cluster, opts=opts)


def system_namespaces(config: StackConfig) -> list[str]:
    a = config.addons
    wanted = [SELDON_SYSTEM, SELDON_LOGS]
    for addon in (a.istio, a.prometheus, a.argocd, a.minio, a.argo_workflows, a.postgres):
        if addon.enabled:
            wanted.append(addon.namespace)
    if a.knative.enabled:
        wanted += [a.knative.namespace, KNATIVE_SERVING, KNATIVE_EVENTING]
    return sorted(set(wanted))


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, config: StackConfig, *,
                 gitops: dict[tuple[str, str], GitopsTarget] | None = None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("modelplane:platform:Platform", name, None, opts)
        self.config = config
        self.gitops = gitops or {}
        self.secrets = SecretSource()
        self.cluster = make_cluster(f"{name}-cluster", config, pulumi.ResourceOptions(parent=self))
        self.provider = self.cluster.provider
        self.namespaces = {
            ns: k8s.core.v1.Namespace(
                ns, metadata={"name": ns, "labels": {**PART_OF, "kubernetes.io/metadata.name": ns}},
                opts=self._opts(protect=config.production, retain_on_delete=config.production))
            for ns in system_namespaces(config)
        }
        a = config.addons
        wiring: dict = {"tenancy": config.tenancy.mode, "ingress_namespace": a.istio.namespace}
        core_deps: list[pulumi.Resource] = []
        # what Seldon Deploy's values name (secrets, services): its pods fail to start without them
        self.deploy_needs: list[pulumi.Resource] = []

        if a.istio.enabled:
            self.istio = Istio("istio", a.istio, namespace=self._ns(a.istio.namespace), opts=self._opts())
            wiring["gateway_ref"] = self.istio.gateway_ref
            core_deps.append(self.istio)
        if a.knative.enabled:
            self.knative = Knative("knative", a.knative, namespace=self._ns(a.knative.namespace),
                                   serving_namespace=self._ns(KNATIVE_SERVING),
                                   eventing_namespace=self._ns(KNATIVE_EVENTING),
                                   logs_namespace=self._ns(SELDON_LOGS), logs_namespace_name=SELDON_LOGS,
                                   depends_on=core_deps[:], opts=self._opts())
            wiring["broker_url"] = self.knative.broker_url
            self.deploy_needs.append(self.knative)
        if a.prometheus.enabled:
            self.prometheus = HelmAddon("prometheus", pin=a.prometheus.pin("kube-prometheus-stack"),
                                        namespace=self._ns(a.prometheus.namespace),
                                        values=prometheus.prometheus_values(a.prometheus),
                                        overrides=a.prometheus.values, opts=self._stateful())
            wiring["prometheus_url"] = prometheus.prometheus_url(a.prometheus)
            self.deploy_needs.append(self.prometheus)
        if a.logging.enabled:
            self._logging(a.logging)
            wiring["elasticsearch_url"] = logging.search_url(a.logging)
            wiring["elasticsearch_secret"] = logging.CREDENTIALS_SECRET
        if a.postgres.enabled:
            self._postgres(a.postgres)
            wiring["postgres_secret"] = postgres.METADATA_SECRET
        if a.argocd.enabled:
            self._argocd(a.argocd)
            wiring["argocd"] = True
            if a.argocd.git:
                wiring["git_secret"] = argocd_mod.GIT_SECRET
        if a.minio.enabled:
            self._minio(a.minio)
        if a.argo_workflows.enabled:
            HelmAddon("argo-workflows", pin=a.argo_workflows.pin("argo-workflows"),
                      namespace=self._ns(a.argo_workflows.namespace), overrides=a.argo_workflows.values,
                      opts=self._opts())

        self.seldon_core = None
        if a.seldon_core.enabled:
            logger = wiring.get("broker_url") if a.logging.enabled else None
            self.seldon_core = SeldonCore("seldon-core", a.seldon_core, namespace=self._ns(SELDON_SYSTEM),
                                          gateway_ref=wiring["gateway_ref"], logger_endpoint=logger,
                                          depends_on=core_deps, opts=self._opts())
        if a.seldon_deploy.enabled:
            self._seldon_deploy(a.seldon_deploy, Wiring(**wiring))

        self._tenancy_support(config)
        for spec in config.models:
            SeldonModel(f"{spec.namespace}-{spec.name}", spec, gitops=self.gitops.get((spec.namespace, spec.name)),
                        depends_on=[self.seldon_core] if self.seldon_core else [], opts=self._opts())
        self.register_outputs({"namespaces": sorted(self.namespaces)})

    def _tenancy_support(self, config: StackConfig) -> None:
        """What tenant onboarding (Ansible) reads instead of retyping it: the platform facts ConfigMap,
        and ClusterRoles that add Seldon's resources to the built-in edit/view roles tenants are bound to."""
        facts = tenancy.platform_facts(config)
        k8s.core.v1.ConfigMap(
            "platform-facts", metadata={"name": tenancy.FACTS_CONFIGMAP, "namespace": self._ns(SELDON_SYSTEM),
                                        "labels": PART_OF},
            data=facts, opts=self._opts())
        for name, (labels, verbs) in tenancy.AGGREGATED_ROLES.items():
            k8s.rbac.v1.ClusterRole(
                name, metadata={"name": name, "labels": {**PART_OF, **labels}},
                rules=[{"apiGroups": [group], "resources": resources, "verbs": list(verbs)}
                       for group, resources in tenancy.TENANT_API_RESOURCES],
                opts=self._opts())

    def _opts(self, **kw) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self.provider, **kw)

    def _stateful(self) -> pulumi.ResourceOptions:
        """Releases whose data lives on PersistentVolumes: protected in prod (deleting the release would
        delete the claims)."""
        return self._opts(protect=self.config.production)

    def _ns(self, name: str) -> pulumi.Output[str]:
        return self.namespaces[name].metadata.name

    def _secret(self, name: str, namespace: str, data: dict, **kw) -> k8s.core.v1.Secret:
        return k8s.core.v1.Secret(
            f"{namespace}-{name}", metadata={"name": name, "namespace": self._ns(namespace), "labels": PART_OF},
            type="Opaque", string_data=data, opts=self._opts(**kw))

    def _logging(self, cfg: logging.LoggingConfig) -> None:
        password = self.secrets.resolve(cfg.password, "elastic-password", self)
        creds = [self._secret(logging.CREDENTIALS_SECRET, ns, {"username": cfg.username, "password": password})
                 for ns in (cfg.namespace, SELDON_SYSTEM)]
        self.deploy_needs += creds
        values = logging.opensearch_values(cfg) if cfg.flavor == "opensearch" else {}
        self.logging = HelmAddon(f"logging-{cfg.flavor}", pin=cfg.pin(cfg.chart_key()),
                                 namespace=self._ns(cfg.namespace), values=values, overrides=cfg.values,
                                 depends_on=creds, opts=self._stateful())
        self.deploy_needs.append(self.logging)

    def _postgres(self, cfg: postgres.PostgresConfig) -> None:
        operator = HelmAddon("postgres-operator", pin=cfg.pin("postgres-operator"),
                             namespace=self._ns(cfg.namespace), overrides=cfg.values, opts=self._opts())
        cluster = "seldon-metadata"
        password = self.secrets.resolve("generate", "metadata-postgres-password", self)
        # the operator adopts a credentials Secret that already exists, so both sides share one password
        operator_secret = self._secret(f"{cfg.user}.{cluster}.credentials.postgresql.acid.zalan.do",
                                       SELDON_SYSTEM, {"username": cfg.user, "password": password})
        k8s.apiextensions.CustomResource(
            "metadata-postgresql", api_version="acid.zalan.do/v1", kind="postgresql",
            metadata={"name": cluster, "namespace": self._ns(SELDON_SYSTEM), "labels": PART_OF},
            spec={"teamId": "seldon", "numberOfInstances": cfg.instances, "postgresql": {"version": "17"},
                  "volume": {"size": cfg.volume_size}, "users": {cfg.user: ["createdb"]},
                  "databases": {cfg.database: cfg.user}, "enableLogicalBackup": cfg.backups,
                  **({"logicalBackupSchedule": cfg.backup_schedule} if cfg.backups else {})},
            opts=self._opts(depends_on=[operator, operator_secret], protect=self.config.production))
        self.deploy_needs.append(self._secret(postgres.METADATA_SECRET, SELDON_SYSTEM, {
            "dbname": cfg.database, "host": f"{cluster}.{SELDON_SYSTEM}.svc.cluster.local", "user": cfg.user,
            "password": password, "port": "5432", "sslmode": "require"}))

    def _argocd(self, cfg: argocd_mod.ArgoCdConfig) -> None:
        release = HelmAddon("argocd", pin=cfg.pin("argo-cd"), namespace=self._ns(cfg.namespace),
                            values=argocd_mod.argocd_values(), overrides=cfg.values, opts=self._opts())
        self.deploy_needs.append(release)
        k8s.apiextensions.CustomResource(
            "seldon-appproject", api_version="argoproj.io/v1alpha1", kind="AppProject",
            metadata={"name": "seldon", "namespace": self._ns(cfg.namespace), "labels": PART_OF},
            spec={"description": "Seldon Deploy GitOps namespaces (destinations added per tenant)",
                  "sourceRepos": ["*"], "destinations": [],
                  "clusterResourceWhitelist": []},
            opts=self._opts(depends_on=[release], ignore_changes=["spec.destinations"]))
        if cfg.git:
            token = self.secrets.resolve(cfg.git.token, "git-token", self)
            self.deploy_needs.append(self._secret(argocd_mod.GIT_SECRET, SELDON_SYSTEM, {
                "username": cfg.git.username, "token": token, "email": cfg.git.email}))

    def _minio(self, cfg: batch.MinioConfig) -> None:
        password = self.secrets.resolve(cfg.root_password, "minio-root-password", self)
        root = self._secret(batch.MINIO_SECRET, cfg.namespace,
                            {"rootUser": cfg.root_user, "rootPassword": password})
        HelmAddon("minio", pin=cfg.pin("minio"), namespace=self._ns(cfg.namespace), values=batch.minio_values(),
                  overrides=cfg.values, depends_on=[root], opts=self._stateful())

    def _seldon_deploy(self, cfg, wiring: Wiring) -> None:
        env = None
        if cfg.oidc:
            secret = self.secrets.resolve(cfg.oidc.client_secret, "oidc-client-secret", self)
            env = {"OIDC_PROVIDER": cfg.oidc.provider, "CLIENT_ID": cfg.oidc.client_id, "CLIENT_SECRET": secret,
                   "REDIRECT_URL": cfg.oidc.redirect_url, "OIDC_SCOPES": cfg.oidc.scopes,
                   "USERID_CLAIM_KEY": cfg.oidc.userid_claim_key}
        deps = ([self.seldon_core] if self.seldon_core else []) + self.deploy_needs
        SeldonDeploy("seldon-deploy", cfg, namespace=self._ns(SELDON_SYSTEM), wiring=wiring, oidc_env=env,
                     depends_on=deps, opts=self._opts())
