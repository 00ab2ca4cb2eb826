"""What the operators would write into the status of the objects they reconcile, for a control plane with no
operator running (no kubelet: no pod ever runs), and what a kubelet would report of a Job's pods. The
Kubernetes provider waits for a Ready condition on some of these kinds; in the engine tests and `make up
CLUSTER=controlplane` this thread sets the status the operator would once it finished, and both say so. Never
a product switch: the program itself waits on real clusters."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import urllib3
from kubernetes import client, config

# group, version, plural -> the status the operator reports when the object is reconciled and healthy
OPERATOR_STATUS = {
    ("operator.knative.dev", "v1beta1", "knativeservings"): "conditions",   # Knative operator
    ("operator.knative.dev", "v1beta1", "knativeeventings"): "conditions",  # Knative operator
    ("eventing.knative.dev", "v1", "brokers"): "conditions",                # Knative Eventing
    ("machinelearning.seldon.io", "v1", "seldondeployments"): "seldon",     # Seldon Core operator
    ("acid.zalan.do", "v1", "postgresqls"): "zalando",                      # Zalando postgres-operator
    ("elasticsearch.k8s.elastic.co", "v1", "elasticsearches"): "eck",       # ECK
    ("kibana.k8s.elastic.co", "v1", "kibanas"): "eck",                      # ECK
}


def _ready(now: str, generation: int) -> dict:
    return {"observedGeneration": generation,
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now, "reason": "Reconciled"}]}


def operator_status(style: str, generation: int) -> dict:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "seldon":
        return {**_ready(now, generation), "state": "Available"}
    if style == "zalando":
        return {"PostgresClusterStatus": "Running"}
    if style == "eck":
        return {"health": "green", "phase": "Ready", "observedGeneration": generation}
    return _ready(now, generation)


def _reconciled(status: dict, style: str, generation: int) -> bool:
    if style == "zalando":
        return status.get("PostgresClusterStatus") == "Running"
    return status.get("observedGeneration") == generation


class StandInOperators(threading.Thread):
    """Marks every object of OPERATOR_STATUS's kinds reconciled, polling until stopped."""

    def __init__(self, kubeconfig, interval: float = 0.5):
        super().__init__(daemon=True, name="stand-in-operators")
        api = config.new_client_from_config(str(kubeconfig))
        self.api, self.core = client.CustomObjectsApi(api), client.CoreV1Api(api)
        self.interval = interval
        self.marked: set[tuple[str, str, str]] = set()
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            for (group, version, plural), style in OPERATOR_STATUS.items():
                try:
                    self._mark(group, version, plural, style)
                except (client.ApiException, urllib3.exceptions.HTTPError):
                    continue  # the apiserver is stopped by a fault test, or the kind is not served
            try:
                self._finish_job_pods()
            except (client.ApiException, urllib3.exceptions.HTTPError):
                continue

    def _mark(self, group: str, version: str, plural: str, style: str) -> None:
        for item in self.api.list_cluster_custom_object(group, version, plural)["items"]:
            meta = item["metadata"]
            generation = meta.get("generation", 1)
            if _reconciled(item.get("status") or {}, style, generation):
                continue
            self.api.patch_namespaced_custom_object_status(group, version, meta["namespace"], plural, meta["name"],
                                                           {"status": operator_status(style, generation)})
            self.marked.add((plural, meta["namespace"], meta["name"]))

    def _finish_job_pods(self) -> None:
        """What a kubelet would report of a Job's pod that ran to the end: Succeeded. The Job controller
        (kube-controller-manager runs here) then completes the Job as it would on a cluster."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for pod in self.core.list_pod_for_all_namespaces(label_selector="batch.kubernetes.io/job-name").items:
            if pod.status.phase in ("Succeeded", "Failed"):
                continue
            containers = [{"name": c.name, "image": c.image, "imageID": "", "ready": False, "restartCount": 0,
                           "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now,
                                                    "finishedAt": now}}} for c in pod.spec.containers]
            self.core.patch_namespaced_pod_status(pod.metadata.name, pod.metadata.namespace, {"status": {
                "phase": "Succeeded", "startTime": now, "containerStatuses": containers}})
            self.marked.add(("pods", pod.metadata.namespace, pod.metadata.name))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)
