"""The typed model spec (seed 004: SeldonDeployment; seed 003 §4.4 canary/shadow, §7.9.3 projects)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from components.base import DnsLabel, Quantity, Strict

Implementation = Literal["SKLEARN_SERVER", "XGBOOST_SERVER", "TENSORFLOW_SERVER", "MLFLOW_SERVER",
                         "TRITON_SERVER", "HUGGINGFACE_SERVER", "TEMPO_SERVER"]
NodeType = Literal["MODEL", "ROUTER", "COMBINER", "TRANSFORMER", "OUTPUT_TRANSFORMER"]


class Resources(Strict):
    cpu: Quantity = "100m"
    memory: Quantity = "512Mi"
    cpu_limit: Quantity | None = None
    memory_limit: Quantity | None = None


class GraphNode(Strict):
    name: DnsLabel
    type: NodeType = "MODEL"
    implementation: Implementation | None = None
    model_uri: str | None = None
    children: list[GraphNode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _uri_with_implementation(self) -> GraphNode:
        if self.implementation and not self.model_uri:
            raise ValueError(f"graph node {self.name!r}: implementation {self.implementation} needs modelUri")
        return self

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Predictor(Strict):
    name: DnsLabel
    graph: GraphNode
    # custom containers: name -> image; every graph node without an implementation needs one
    containers: dict[str, str] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=0)
    traffic: int = Field(default=100, ge=0, le=100)
    shadow: bool = False
    resources: Resources = Resources()
    env_secret: DnsLabel | None = None

    @model_validator(mode="after")
    def _containers_match_graph(self) -> Predictor:
        for node in self.graph.walk():
            if node.implementation is None and node.name not in self.containers:
                raise ValueError(f"graph node {node.name!r} has no implementation and no container of that "
                                 "name in containers")
        return self


class ModelSpec(Strict):
    name: DnsLabel
    namespace: DnsLabel
    project: DnsLabel = "default"
    predictors: list[Predictor] = Field(min_length=1)
    logger: Literal["all", "request", "response"] | None = None

    @model_validator(mode="after")
    def _traffic(self) -> ModelSpec:
        names = [p.name for p in self.predictors]
        if len(set(names)) != len(names):
            raise ValueError(f"predictor names must be unique, got {names}")
        served = [p for p in self.predictors if not p.shadow]
        if not served:
            raise ValueError("at least one predictor must not be a shadow")
        total = sum(p.traffic for p in served)
        if total != 100:
            raise ValueError(f"traffic of non-shadow predictors sums to {total}, not 100")
        return self
