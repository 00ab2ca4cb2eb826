"""Every pinned version in one place, and Seldon's compatibility matrix (seed 003 §3.2) as rules.

`app_version` is the version of the software the chart installs; the compatibility rules apply to it.
It is the chart's own `appVersion` unless `app_from` says where else it is read and why (a test reads it
there in the pinned chart's data, ../shared/charts). The shared CRDs (../shared/crds) are the versions the
test control plane validates against.
"""

from __future__ import annotations

from dataclasses import dataclass

# where app_version is read when it is not the chart's appVersion
CHART_VERSION = "version"
PROMETHEUS_IMAGE = "values:prometheus.prometheusSpec.image.tag"


@dataclass(frozen=True)
class ChartPin:
    chart: str
    repository: str
    version: str
    app_version: str
    # "appVersion" (Chart.yaml), "version" (the chart's version) or "values:<path>" (a default image tag)
    app_from: str = "appVersion"


ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts"
SELDON_REPO = "https://storage.googleapis.com/seldon-charts"

CHARTS: dict[str, ChartPin] = {
    # Istio's Chart.yaml in git says 1.0.0; the published chart's version and appVersion are the release
    "istio-base": ChartPin("base", ISTIO_REPO, "1.29.6", "1.29.6", CHART_VERSION),
    # the CNI node agent that sets up each pod's traffic redirection, so the injected sidecar needs no
    # privileged init container and tenant namespaces can enforce Pod Security
    "istio-cni": ChartPin("cni", ISTIO_REPO, "1.29.6", "1.29.6", CHART_VERSION),
    "istiod": ChartPin("istiod", ISTIO_REPO, "1.29.6", "1.29.6", CHART_VERSION),
    "istio-gateway": ChartPin("gateway", ISTIO_REPO, "1.29.6", "1.29.6", CHART_VERSION),
    # the operator's version (its Chart.yaml has no appVersion); it installs KNATIVE_VERSION below
    "knative-operator": ChartPin("knative-operator", "https://knative.github.io/operator", "v1.22.2", "1.22.2",
                                 CHART_VERSION),
    "seldon-core": ChartPin("seldon-core-operator", SELDON_REPO, "1.18.2", "1.18.2"),
    # Seldon Deploy is licensed: its chart location is configurable; the values follow the 1.3 manual.
    "seldon-deploy": ChartPin("seldon-deploy", "https://storage.googleapis.com/seldon-deploy-charts", "1.3.0", "1.3.0"),
    # the chart's appVersion (v0.85.0) is prometheus-operator's; the compatibility rule is about Prometheus,
    # so this records the Prometheus image the chart defaults to
    "kube-prometheus-stack": ChartPin(
        "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "77.0.0", "3.5.0",
        PROMETHEUS_IMAGE),
    "opensearch": ChartPin("opensearch", "https://opensearch-project.github.io/helm-charts", "3.1.0", "3.1.0"),
    "opensearch-dashboards": ChartPin("opensearch-dashboards", "https://opensearch-project.github.io/helm-charts",
                                      "3.1.0", "3.1.0"),
    "eck-operator": ChartPin("eck-operator", "https://helm.elastic.co", "3.5.0", "3.5.0"),
    "fluent-bit": ChartPin("fluent-bit", "https://fluent.github.io/helm-charts", "0.54.0", "4.1.0"),
    "argo-cd": ChartPin("argo-cd", "https://argoproj.github.io/argo-helm", "9.1.0", "3.2.0"),
    "postgres-operator": ChartPin(
        "postgres-operator", "https://opensource.zalando.com/postgres-operator/charts/postgres-operator",
        "1.15.1", "1.15.1",
    ),
    "minio": ChartPin("minio", "https://charts.min.io", "5.4.0", "RELEASE.2024-12-18T13-15-44Z"),
    "argo-workflows": ChartPin("argo-workflows", "https://argoproj.github.io/argo-helm", "0.45.0", "3.6.0"),
}

# Knative Serving and Eventing as the operator installs them (its bundled manifests, cmd/operator/kodata);
# set as spec.version of KnativeServing/KnativeEventing so the operator never picks another
KNATIVE_VERSION = "1.22.0"
# Elasticsearch and Kibana run by ECK (the eck-operator chart installs only the operator)
ELASTIC_STACK_VERSION = "8.19.0"
# the non-Knative request logger (seed 003 "Running without KNative"), released with Seldon Core
REQUEST_LOGGER_IMAGE = "docker.io/seldonio/seldon-request-logger:1.18.2"
# the image of the opensearch chart's pin (its appVersion, the chart's default tag): securityadmin's tools
OPENSEARCH_IMAGE = f"docker.io/opensearchproject/opensearch:{CHARTS['opensearch'].app_version}"
POSTGRES_VERSION = "17"

# The Kubernetes release the stacks target: the default version of new EKS and GKE clusters, the control
# plane the tests build (modelplane.toolchain) and run every stack on, and what the gate below checks a
# cluster's version against.
KUBERNETES_VERSION = "1.34.4"
# the etcd release that Kubernetes 1.34 is released with (kubeadm's constants: 3.6.x)
ETCD_VERSION = "3.6.16"


def kubernetes_minor(version: str = KUBERNETES_VERSION) -> str:
    """"1.34" of "1.34.4" (or of "1.34.1-gke.200"): clouds take a cluster's version as major.minor."""
    major, minor = parse(version)[:2]
    return f"{major}.{minor}"


# The Kubernetes minors each pin supports, (lowest, highest or None). Istio and Knative from their
# support matrices (istio.io "Supported releases" for 1.29; Knative 1.22's minimum); the charts that
# declare `kubeVersion` in their Chart.yaml, its floor (a test reads it in ../shared/charts).
KUBERNETES_SUPPORT: dict[str, tuple[str, str | None]] = {
    "istio-base": ("1.30", "1.35"),
    "istio-cni": ("1.30", "1.35"),
    "istiod": ("1.30", "1.35"),
    "istio-gateway": ("1.30", "1.35"),
    "knative-operator": ("1.32", None),
    "argo-cd": ("1.25", None),
    "kube-prometheus-stack": ("1.25", None),
    "eck-operator": ("1.21", None),
}


def kubernetes_problems(version: str, keys: list[str] | None = None) -> list[str]:
    """How a cluster at `version` falls outside what the pins (or the given chart keys) support."""
    have = parse(kubernetes_minor(version))
    problems = []
    for key, (low, high) in KUBERNETES_SUPPORT.items():
        if keys is not None and key not in keys:
            continue
        if have < parse(low) or (high and have > parse(high)):
            span = f"{low} to {high}" if high else f"{low} or newer"
            problems.append(f"{key} {CHARTS[key].version} supports Kubernetes {span}, not {kubernetes_minor(version)}")
    return problems

# Seed 003 §3.2 "Component integrations": minimum supported versions, by chart key.
MINIMUM_APP_VERSIONS: dict[str, str] = {
    "seldon-core": "1.9.1",
    "istio-base": "1.7.3",
    "istio-cni": "1.7.3",
    "istiod": "1.7.3",
    "istio-gateway": "1.7.3",
    "knative-operator": "0.18.0",
    "argo-cd": "1.4.0",
    "kube-prometheus-stack": "2.0.0",  # the seed's "9.7" is the retired prometheus chart; Prometheus 2+
    "opensearch": "1.0.0",  # OpenSearch forked from Elasticsearch 7.10 (seed: Elasticsearch 6.x and above)
    "eck-operator": "1.0.0",
    "opensearch-dashboards": "1.0.0",
}
# Seldon Core 1.x ships only the v1 SeldonDeployment CRD from 1.18 on; the shared CRD is 1.18.2.
SELDON_CORE_SERIES = (1, 18)
# Istio's control plane charts must move together.
ISTIO_CHARTS = ("istio-base", "istio-cni", "istiod", "istio-gateway")


def parse(version: str) -> tuple[int, ...]:
    core = version.lstrip("v").split("-")[0].split("+")[0]
    return tuple(int(p) for p in core.split("."))


def compatibility_problems(charts: dict[str, ChartPin] = CHARTS) -> list[str]:
    """Every way the given pins break Seldon's matrix or our own rules; empty when compatible."""
    problems = []
    for key, pin in charts.items():
        minimum = MINIMUM_APP_VERSIONS.get(key)
        try:
            parse(pin.version)
            app = parse(pin.app_version) if minimum else ()
        except ValueError:
            problems.append(f"{key}: version {pin.version!r} / {pin.app_version!r} is not an exact x.y.z pin")
            continue
        if minimum and app < parse(minimum):
            problems.append(f"{key}: {pin.app_version} is below the supported minimum {minimum}")
    if parse(KNATIVE_VERSION) < parse(MINIMUM_APP_VERSIONS["knative-operator"]):
        problems.append(f"knative: {KNATIVE_VERSION} is below the supported minimum "
                        f"{MINIMUM_APP_VERSIONS['knative-operator']}")
    core = charts.get("seldon-core")
    if core and parse(core.app_version)[:2] != SELDON_CORE_SERIES:
        problems.append(f"seldon-core: {core.app_version} is not 1.18.x (the v1 CRD this platform renders)")
    istio = {charts[k].version for k in ISTIO_CHARTS if k in charts}
    if len(istio) > 1:
        problems.append(f"istio charts must share one version, got {sorted(istio)}")
    problems += [f"the target Kubernetes {KUBERNETES_VERSION}: {p}" for p in kubernetes_problems(KUBERNETES_VERSION)]
    return problems
