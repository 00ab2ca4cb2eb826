"""The Kubernetes kinds modelplane reads and writes by path (modelplane.cluster.kube), and the read-only role
`modelplane drift` needs for them."""

from __future__ import annotations

# (apiVersion, kind) -> (plural, namespaced): the kinds onboarding writes and drift reads (a test checks the
# custom resources against their CRDs)
RESOURCES = {
    ("v1", "Namespace"): ("namespaces", False),
    ("v1", "ConfigMap"): ("configmaps", True),
    ("v1", "Secret"): ("secrets", True),
    ("v1", "ServiceAccount"): ("serviceaccounts", True),
    ("v1", "ResourceQuota"): ("resourcequotas", True),
    ("v1", "LimitRange"): ("limitranges", True),
    ("v1", "Service"): ("services", True),
    ("networking.k8s.io/v1", "NetworkPolicy"): ("networkpolicies", True),
    ("rbac.authorization.k8s.io/v1", "Role"): ("roles", True),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("rolebindings", True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("clusterroles", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("clusterrolebindings", False),
    ("argoproj.io/v1alpha1", "Application"): ("applications", True),
    ("argoproj.io/v1alpha1", "AppProject"): ("appprojects", True),
    ("machinelearning.seldon.io/v1", "SeldonDeployment"): ("seldondeployments", True),
    ("apps/v1", "Deployment"): ("deployments", True),
    ("batch/v1", "Job"): ("jobs", True),
    ("storage.k8s.io/v1", "StorageClass"): ("storageclasses", False),
    # the CRDs of charts' crds/ folders, which the program applies (components.chart_crds)
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): ("customresourcedefinitions", False),
    # the platform's custom resources (the plans of the four stacks)
    ("acid.zalan.do/v1", "postgresql"): ("postgresqls", True),
    ("elasticsearch.k8s.elastic.co/v1", "Elasticsearch"): ("elasticsearches", True),
    ("kibana.k8s.elastic.co/v1", "Kibana"): ("kibanas", True),
    ("eventing.knative.dev/v1", "Broker"): ("brokers", True),
    ("monitoring.coreos.com/v1", "PodMonitor"): ("podmonitors", True),
    ("monitoring.coreos.com/v1", "PrometheusRule"): ("prometheusrules", True),
    ("networking.istio.io/v1", "Gateway"): ("gateways", True),
    ("networking.istio.io/v1", "VirtualService"): ("virtualservices", True),
    ("operator.knative.dev/v1beta1", "KnativeEventing"): ("knativeeventings", True),
    ("operator.knative.dev/v1beta1", "KnativeServing"): ("knativeservings", True),
}


def read_rules() -> list[dict]:
    """RBAC rules granting get and list on every kind in RESOURCES, one rule per API group."""
    groups: dict[str, list[str]] = {}
    for (api_version, _kind), (plural, _namespaced) in RESOURCES.items():
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        groups.setdefault(group, []).append(plural)
    return [{"apiGroups": [group], "resources": sorted(set(plurals)), "verbs": ["get", "list"]}
            for group, plurals in sorted(groups.items())]
