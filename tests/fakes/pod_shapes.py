"""Pods as the software that creates them in a real cluster would shape them — no kubelet or operator runs
here, so the control-plane tests build these and let Pod Security admission judge them.

- `seldon_core_pods`: the pods Seldon Core 1.18's operator builds from a SeldonDeployment's componentSpecs
  (operator/controllers/seldondeployment_engine.go and _prepackaged_servers.go at v1.18.2, chart defaults
  executor.user 8888 and defaultUserID 8888): the executor container `seldon-container-engine`, a container
  per graph node componentSpecs does not describe, the storage initializer of a node with a modelUri, the
  seldon-podinfo volume, and the pod's runAsUser when the componentSpec gives no securityContext.
- `istio_injected`: the pod after Istio 1.29's sidecar injector (files/injection-template.yaml at 1.29.6) on
  Kubernetes >= 1.33 (native sidecars): with the CNI agent, `istio-validation` then `istio-proxy` as init
  containers, unprivileged; without it, `istio-init` with NET_ADMIN and NET_RAW as root. Container
  seccomp comes from istiod's `global.proxy.seccompProfile`.
Only what Pod Security looks at is kept exact (security contexts, volumes, ports, host settings); images,
arguments and probes are abbreviated.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

SELDON_USER = 8888
EXECUTOR = "seldon-container-engine"
ISTIO_USER = 1337
PREPACKAGED = {"SKLEARN_SERVER": "seldonio/sklearnserver", "XGBOOST_SERVER": "seldonio/xgboostserver",
               "MLFLOW_SERVER": "seldonio/mlflowserver", "TENSORFLOW_SERVER": "tensorflow/serving",
               "TRITON_SERVER": "nvcr.io/nvidia/tritonserver", "HUGGINGFACE_SERVER": "seldonio/mlserver"}


def _graph_nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("children") or []:
        yield from _graph_nodes(child)


def _podinfo_mount(container: dict) -> None:
    container.setdefault("volumeMounts", []).append({"name": "seldon-podinfo", "mountPath": "/etc/podinfo"})


def seldon_core_pods(sdep: dict) -> list[tuple[str, dict]]:
    """(name, pod) per componentSpec of every predictor, as Seldon Core 1.18 builds its Deployments."""
    namespace, name = sdep["metadata"].get("namespace"), sdep["metadata"]["name"]
    pods = []
    for predictor in sdep["spec"].get("predictors") or []:
        specs = copy.deepcopy(predictor.get("componentSpecs") or [{"spec": {"containers": []}}])
        described = {c.get("name") for s in specs for c in (s.get("spec") or {}).get("containers") or []}
        first = specs[0].setdefault("spec", {})
        for node in _graph_nodes(predictor.get("graph") or {}):
            server = PREPACKAGED.get(node.get("implementation", ""))
            if server and node["name"] not in described:
                first.setdefault("containers", []).append({"name": node["name"], "image": f"{server}:1.18.2"})
            elif server:
                container = next(c for s in specs for c in (s.get("spec") or {}).get("containers") or []
                                 if c.get("name") == node["name"])
                container.setdefault("image", f"{server}:1.18.2")
            if server and node.get("modelUri"):
                volume = f"{node['name']}-provision-location"
                first.setdefault("volumes", []).append({"name": volume, "emptyDir": {}})
                first.setdefault("initContainers", []).append({
                    "name": f"{node['name']}-model-initializer",
                    "image": "seldonio/rclone-storage-initializer:1.18.2",
                    "args": [node["modelUri"], "/mnt/models"],
                    "volumeMounts": [{"name": volume, "mountPath": "/mnt/models"}]})
        for i, component in enumerate(specs):
            pod = component.setdefault("spec", {})
            for container in pod.get("containers") or []:
                container.setdefault("ports", [{"name": "metrics", "containerPort": 6000},
                                               {"name": "http", "containerPort": 9000},
                                               {"name": "grpc", "containerPort": 9500}])
                _podinfo_mount(container)
            if i == 0:
                executor = {"name": EXECUTOR, "image": "docker.io/seldonio/seldon-core-executor:1.18.2",
                            "ports": [{"name": "http", "containerPort": 8000},
                                      {"name": "metrics", "containerPort": 8000},
                                      {"name": "grpc", "containerPort": 5001}],
                            "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                                          "limits": {"cpu": "500m", "memory": "512Mi"}},
                            "securityContext": {"runAsUser": SELDON_USER, "allowPrivilegeEscalation": False}}
                _podinfo_mount(executor)
                pod["containers"].append(executor)
            pod.setdefault("volumes", []).append({"name": "seldon-podinfo", "downwardAPI": {
                "items": [{"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}}]}})
            pod.setdefault("securityContext", {"runAsUser": SELDON_USER})
            pods.append((f"{name}-{predictor['name']}-{i}", {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"{name}-{predictor['name']}-{i}", "namespace": namespace,
                             "labels": {"seldon-deployment-id": name, "app.kubernetes.io/managed-by": "seldon-core"},
                             **({"annotations": component["metadata"]["annotations"]}
                                if (component.get("metadata") or {}).get("annotations") else {})},
                "spec": pod}))
    return pods


def _proxy_security(seccomp: bool) -> dict:
    context = {"allowPrivilegeEscalation": False, "privileged": False, "capabilities": {"drop": ["ALL"]},
               "readOnlyRootFilesystem": True, "runAsUser": ISTIO_USER, "runAsGroup": ISTIO_USER,
               "runAsNonRoot": True}
    if seccomp:
        context["seccompProfile"] = {"type": "RuntimeDefault"}
    return context


ISTIO_VOLUMES = [
    {"name": "workload-socket", "emptyDir": {}}, {"name": "credential-socket", "emptyDir": {}},
    {"name": "workload-certs", "emptyDir": {}}, {"name": "istio-envoy", "emptyDir": {"medium": "Memory"}},
    {"name": "istio-data", "emptyDir": {}},
    {"name": "istio-podinfo", "downwardAPI": {"items": [
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
        {"path": "annotations", "fieldRef": {"fieldPath": "metadata.annotations"}}]}},
    {"name": "istio-token", "projected": {"sources": [{"serviceAccountToken": {
        "audience": "istio-ca", "expirationSeconds": 43200, "path": "istio-token"}}]}},
    {"name": "istiod-ca-cert", "configMap": {"name": "istio-ca-root-cert"}},
    {"name": "istio-ca-crl", "configMap": {"name": "istio-ca-crl", "optional": True}},
]


def istio_injected(pod: dict, *, cni: bool, proxy_seccomp: bool) -> dict:
    """The pod as Istio 1.29's injector returns it (native sidecar: istio-proxy is an init container that
    keeps running). `proxy_seccomp`: istiod's global.proxy.seccompProfile is RuntimeDefault."""
    out = copy.deepcopy(pod)
    spec = out["spec"]
    image = "docker.io/istio/proxyv2:1.29.6"
    proxy = {"name": "istio-proxy", "image": image, "restartPolicy": "Always",
             "ports": [{"name": "http-envoy-prom", "containerPort": 15090}],
             "securityContext": _proxy_security(proxy_seccomp)}
    if cni:
        first = {"name": "istio-validation", "image": image, "args": ["istio-iptables", "--run-validation",
                                                                       "--skip-rule-apply"],
                 "securityContext": _proxy_security(proxy_seccomp)}
    else:
        first = {"name": "istio-init", "image": image, "args": ["istio-iptables"], "securityContext": {
            "allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": False,
            "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
            "runAsUser": 0, "runAsGroup": 0, "runAsNonRoot": False}}
        if proxy_seccomp:
            first["securityContext"]["seccompProfile"] = {"type": "RuntimeDefault"}
    spec["initContainers"] = [first, proxy, *(spec.get("initContainers") or [])]
    spec["volumes"] = [*(spec.get("volumes") or []), *copy.deepcopy(ISTIO_VOLUMES)]
    out["metadata"].setdefault("annotations", {})["sidecar.istio.io/status"] = "injected"
    return out
