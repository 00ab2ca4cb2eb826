"""The one typed root of a stack's configuration, validated before a single resource is declared.

Stack config lives in `stacks/Pulumi.<stack>.yaml` as top-level keys of the `modelplane` namespace
(`modelplane:environment`, `modelplane:cluster`, `modelplane:addons`, ...): `pulumi config set --path
addons.logging.flavor opensearch` edits it. Secrets are top-level `secure:` keys referenced as
`config:<key>` (components.secrets).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StringConstraints, ValidationError, model_validator

from components.addon import AddonConfig
from components.addons.argocd import ArgoCdConfig
from components.addons.batch import ArgoWorkflowsConfig, MinioConfig
from components.addons.istio import IstioConfig
from components.addons.knative import KnativeConfig
from components.addons.logging import LoggingConfig
from components.addons.postgres import PostgresConfig, backup_problems
from components.addons.prometheus import PrometheusConfig
from components.addons.seldon_core import SeldonCoreConfig
from components.addons.seldon_deploy import SeldonDeployConfig
from components.base import DnsLabel, Strict
from components.cluster.eks import EksClusterConfig
from components.cluster.existing import ExistingClusterConfig
from components.cluster.gke import GkeClusterConfig
from components.errors import ConfigError, FieldProblems, from_validation_error
from components.models.spec import ModelSpec
from components.names import REPO_ROOT, SEED_DEFAULT_SECRETS, SELDON_SYSTEM
from components.secrets import config_key, is_plaintext, is_secret_field
from components.versions import ISTIO_CHARTS, kubernetes_problems

PROJECT = "modelplane"
CHART_SOURCE_ENV = "MODELPLANE_CHART_SOURCE"
Environment = Literal["local", "dev", "staging", "prod"]
DEV_ENVIRONMENTS = ("local", "dev")
# the pins (components.versions.KUBERNETES_SUPPORT) whose Kubernetes range an enabled add-on brings
ADDON_KUBERNETES_PINS = {"istio": ISTIO_CHARTS, "knative": ("knative-operator",), "argocd": ("argo-cd",),
                         "prometheus": ("kube-prometheus-stack",), "logging": ("eck-operator",)}
ClusterConfig = Annotated[EksClusterConfig | GkeClusterConfig | ExistingClusterConfig, Field(discriminator="cloud")]


class Addons(Strict):
    istio: IstioConfig = IstioConfig()
    knative: KnativeConfig = KnativeConfig()
    seldon_core: SeldonCoreConfig = SeldonCoreConfig()
    seldon_deploy: SeldonDeployConfig = SeldonDeployConfig()
    prometheus: PrometheusConfig = PrometheusConfig()
    logging: LoggingConfig = LoggingConfig()
    postgres: PostgresConfig = PostgresConfig()
    argocd: ArgoCdConfig = ArgoCdConfig()
    minio: MinioConfig = MinioConfig(enabled=False)
    argo_workflows: ArgoWorkflowsConfig = ArgoWorkflowsConfig(enabled=False)

    def items(self) -> Iterator[tuple[str, AddonConfig]]:
        for name in type(self).model_fields:
            yield name, getattr(self, name)


class Environments(Strict):
    """Seed 001: environments as namespaces of one cluster (suggested), or one stack per cluster."""

    model: Literal["namespaces", "clusters"] = "namespaces"
    # with model=namespaces: the tenant namespaces that are environments (dev, staging, production ...)
    namespaces: list[DnsLabel] = Field(default_factory=list)


class Tenancy(Strict):
    # multi: Seldon Deploy runs with rbac.clusterWide=false and is granted per tenant namespace
    mode: Literal["single", "multi"] = "single"
    # the Pod Security level tenant namespaces audit and warn at; `modelplane check` holds tenants' pod
    # templates to it (they enforce it too where Istio's CNI agent, or no Istio, lets them: components.tenancy)
    pod_security: Literal["baseline", "restricted"] = "restricted"


class PolicyOverride(Strict):
    """A rule's enforcement changed for this stack, with the reason recorded for reviewers."""

    enforcement: Literal["advisory", "mandatory", "disabled"]
    reason: str = Field(min_length=10)


class PolicyConfig(Strict):
    overrides: dict[Annotated[str, StringConstraints(pattern=r"^MP[0-9]{3}$")], PolicyOverride] = Field(
        default_factory=dict)


class StackConfig(Strict):
    environment: Environment
    cluster: ClusterConfig
    environments: Environments = Environments()
    tenancy: Tenancy = Tenancy()
    addons: Addons = Addons()
    policy: PolicyConfig = PolicyConfig()
    models: list[ModelSpec] = Field(default_factory=list)
    # more models, kept apart from the stack config (components.models.spec.ModelsFile)
    models_file: str | None = None
    # default: stacks/tenants/<stack>.yaml
    tenants_file: str | None = None
    # a directory of `<chart>-<version>.tgz` (as `helm package` writes them) every Helm release installs
    # from instead of its repository (air-gapped clusters, tests); unset: $MODELPLANE_CHART_SOURCE, else
    # the upstream repositories. Relative to the checkout.
    chart_source: str | None = Field(default=None, min_length=1)

    def chart_source_dir(self) -> str | None:
        """The chart source this stack installs from: its own setting wins over MODELPLANE_CHART_SOURCE."""
        source = self.chart_source or os.environ.get(CHART_SOURCE_ENV) or None
        return str((REPO_ROOT / source).resolve()) if source else None

    @property
    def production(self) -> bool:
        return self.environment == "prod"

    @property
    def dev(self) -> bool:
        return self.environment in DEV_ENVIRONMENTS

    @model_validator(mode="after")
    def _requires(self) -> StackConfig:
        a, problems = self.addons, []
        if a.seldon_core.enabled and not a.istio.enabled:
            problems.append((("addons", "seldonCore"), "needs addons.istio (seed 003 §3.2: Istio is required)"))
        if a.seldon_deploy.enabled and not a.seldon_core.enabled:
            problems.append((("addons", "seldonDeploy"), "needs addons.seldonCore"))
        if a.argo_workflows.enabled and not a.minio.enabled:
            problems.append((("addons", "argoWorkflows"), "needs addons.minio for its artifacts"))
        backend, cloud = a.postgres.backend, self.cluster.cloud
        needs = {"rds": "aws", "cloudsql": "gcp"}.get(backend)
        if a.postgres.enabled and needs and cloud != needs:
            problems.append((("addons", "postgres", "backend"),
                             f"{backend!r} needs a cloud: {needs} cluster, this stack's is {cloud!r}"))
        version = getattr(self.cluster, "kubernetes_version", None)
        if version:
            pins = [k for name, addon in a.items() if addon.enabled for k in ADDON_KUBERNETES_PINS.get(name, ())]
            problems += [(("cluster", "kubernetesVersion"), p) for p in kubernetes_problems(version, pins)]
        if problems:
            raise FieldProblems(problems)
        return self


@functools.cache
def _fields(model: type[Strict]) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, YAML key, SecretRef-typed) per field of a config model that is or may hold a secret
    reference: worked out once per class, not once per instance (a stack with 1,000 models would otherwise
    cost a million field visits)."""
    return tuple((name, field.alias or name, is_secret_field(field)) for name, field in model.model_fields.items()
                 if is_secret_field(field) or _may_hold_secrets(field.annotation))


def _may_hold_secrets(annotation, seen: frozenset = frozenset()) -> bool:
    """Whether a field's type can contain a SecretRef-typed field of a config model (anything untyped may)."""
    if isinstance(annotation, type) and issubclass(annotation, Strict):
        if annotation in seen:
            return False
        return any(is_secret_field(f) or _may_hold_secrets(f.annotation, seen | {annotation})
                   for f in annotation.model_fields.values())
    args = get_args(annotation)
    if args:
        return any(_may_hold_secrets(a, seen) for a in args)
    return annotation is Any or annotation is object


def secret_fields(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, secret ref) for every SecretRef-typed value in the validated config."""
    if isinstance(node, Strict):
        for name, key, secret in _fields(type(node)):
            value = getattr(node, name)
            child = f"{path}.{key}" if path else key
            if secret and isinstance(value, str):
                yield child, value
            elif isinstance(value, (Strict, list)):
                yield from secret_fields(value, child)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from secret_fields(item, f"{path}[{i}]")


def default_credentials(config: StackConfig) -> list[str]:
    """Fields holding a seed default credential in plaintext (validation refuses them outside local/dev)."""
    return [path for path, ref in secret_fields(config) if is_plaintext(ref) and ref in SEED_DEFAULT_SECRETS]


def provided_objects(config: StackConfig) -> list[str]:
    """`Kind namespace/name` of the objects the stack says exist in the cluster before `pulumi up` (your PKI's
    or another tool's): the plan does not create them, and `modelplane preflight` checks them
    (modelplane/cluster/provided.py)."""
    logging, postgres = config.addons.logging, config.addons.postgres
    backup = postgres.logical_backup if postgres.enabled and postgres.backups_on else None
    out = []
    if logging.enabled and logging.tls and logging.tls.certificate == "provided":
        out += [f"Secret {logging.namespace}/{logging.tls.secret_name}",
                f"Secret {logging.namespace}/{logging.tls.admin_secret}"]
    if backup and backup.credentials_secret:
        out.append(f"Secret {SELDON_SYSTEM}/{backup.credentials_secret}")
    return out


def environment_problems(config: StackConfig) -> list[str]:
    """What a stack outside local/dev must have on top of a valid shape."""
    if config.dev:
        return []
    problems = []
    if config.addons.istio.enabled and config.addons.istio.tls is None:
        problems.append(f"addons.istio.tls: required in a {config.environment} stack: the seldon-gateway serves "
                        "HTTPS outside local/dev (set credentialName and hosts)")
    return problems


def validate_stack(raw: Mapping[str, object], secret_keys: set[str], stack: str) -> StackConfig:
    """Validate the `modelplane:*` config of a stack (keys without the namespace, secret keys left out,
    values already decoded from JSON). Raises ConfigError naming every bad field."""
    source = f"stack {stack!r}"
    try:
        config = StackConfig.model_validate(dict(raw))
    except ValidationError as exc:
        error = from_validation_error(source, exc, model=StackConfig)
        # pydantic puts the discriminator's value into the path (cluster.aws.region): users wrote cluster.region
        raise ConfigError(source, [re.sub(r"^cluster\.(aws|gcp|existing)\.", "cluster.", p)
                                   for p in error.problems]) from None
    problems = environment_problems(config)
    if config.addons.postgres.enabled:
        problems += backup_problems(config.addons.postgres, config.cluster.cloud)
    for path, ref in secret_fields(config):
        key = config_key(ref)
        if key is not None and key not in secret_keys:
            problems.append(f"{path}: secret config key {key!r} is not set "
                            f"(pulumi config set --secret {key} ... --stack {stack})")
        if is_plaintext(ref) and not config.dev:
            if ref in SEED_DEFAULT_SECRETS:
                problems.append(f"{path}: {ref!r} is a default credential from the seeds; "
                                "refused outside local/dev stacks")
            else:
                problems.append(f"{path}: plaintext secret in a {config.environment} stack; "
                                "use config:<key> or generate")
    if problems:
        raise ConfigError(source, problems)
    return config


def split_pulumi_config(flat: Mapping[str, object], secret_keys: set[str],
                        project: str = PROJECT) -> tuple[dict[str, object], set[str]]:
    """Pulumi's flat config (`<project>:<key>` -> JSON text or value) to (root mapping, secret key names).
    Secret keys are not part of the root: they are only referenced from it as config:<key>."""
    raw: dict[str, object] = {}
    secrets: set[str] = set()
    for full_key, value in flat.items():
        namespace, _, key = full_key.partition(":")
        if namespace != project:
            continue
        if full_key in secret_keys:
            secrets.add(key)
            continue
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        raw[key] = value
    return raw, secrets
