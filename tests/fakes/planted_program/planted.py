"""A planted violation for the CrossGuard test in the engine: modelplane's program, plus one privileged
SeldonDeployment declared beside it — what no stack config can produce (models are built restricted)."""

from pathlib import Path

import pulumi_kubernetes as k8s

from components.program import main

PLANTED = {
    "apiVersion": "machinelearning.seldon.io/v1", "kind": "SeldonDeployment",
    "metadata": {"name": "planted-privileged", "namespace": "credit-risk"},
    "spec": {"predictors": [{
        "name": "default", "replicas": 2, "graph": {"name": "model", "type": "MODEL"},
        "componentSpecs": [{"spec": {"containers": [{
            "name": "model", "image": "registry.example.com/planted/model:1.0.0",
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"},
                          "limits": {"cpu": "1", "memory": "1Gi"}},
            "securityContext": {"privileged": True}}]}}]}]},
}


def declare(root: Path | None = None) -> None:
    main(root)
    k8s.apiextensions.CustomResource("planted-privileged", api_version=PLANTED["apiVersion"], kind=PLANTED["kind"],
                                     metadata=PLANTED["metadata"], spec=PLANTED["spec"])

