"""The typed model spec (seed 004: SeldonDeployment; seed 003 §4.4 canary/shadow, §7.9.3 projects).

Field checks are pydantic types; checks across fields collect every problem with its own path
(`predictors[1].traffic`), so one run names everything that is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from components.base import DnsLabel, Quantity, Strict
from components.errors import FieldProblems

# Seldon Core 1.18's pre-packaged model servers
Implementation = Literal["SKLEARN_SERVER", "XGBOOST_SERVER", "TENSORFLOW_SERVER", "MLFLOW_SERVER",
                         "TRITON_SERVER", "HUGGINGFACE_SERVER", "TEMPO_SERVER"]
NodeType = Literal["MODEL", "ROUTER", "COMBINER", "TRANSFORMER", "OUTPUT_TRANSFORMER"]
ParameterType = Literal["INT", "FLOAT", "DOUBLE", "STRING", "BOOL"]
ExplainerType = Literal["AnchorTabular", "AnchorImages", "AnchorText", "KernelShap", "IntegratedGradients",
                        "TreeShap", "ALE"]
# the v1 CRD's structural schema spells out `children` 11 levels deep; the API server silently prunes
# anything deeper, so such a graph would deploy without its leaves
MAX_GRAPH_DEPTH = 11
NEEDS_CHILDREN = ("ROUTER", "COMBINER")
V2_ONLY = {"TRITON_SERVER"}

Problems = list[tuple[tuple, str]]


class Resources(Strict):
    cpu: Quantity = "100m"
    memory: Quantity = "512Mi"
    cpu_limit: Quantity | None = None
    memory_limit: Quantity | None = None
    gpu: int = Field(default=0, ge=0)


class Parameter(Strict):
    """Passed to the node as PREDICTIVE_UNIT_PARAMETERS (seed 004)."""

    name: str = Field(min_length=1)
    type: ParameterType = "STRING"
    value: str | int | float | bool


class GraphNode(Strict):
    name: DnsLabel
    type: NodeType = "MODEL"
    implementation: Implementation | None = None
    model_uri: str | None = Field(default=None, min_length=1)
    parameters: list[Parameter] = Field(default_factory=list)
    # this node's container resources; the predictor's when unset
    resources: Resources | None = None
    children: list[GraphNode] = Field(default_factory=list)

    def walk(self, path: tuple = ("graph",), depth: int = 1) -> Iterator[tuple[GraphNode, tuple, int]]:
        """(node, its field path, its depth) for this node and every node below it."""
        yield self, path, depth
        for i, child in enumerate(self.children):
            yield from child.walk((*path, "children", i), depth + 1)

    @model_validator(mode="after")
    def _consistent(self) -> GraphNode:
        problems: Problems = []
        if self.implementation and not self.model_uri:
            problems.append((("modelUri",), f"implementation {self.implementation} needs modelUri"))
        if self.implementation and self.type != "MODEL":
            problems.append((("type",), f"{self.implementation} is a model server; type must be MODEL, "
                                        f"not {self.type}"))
        if self.type in NEEDS_CHILDREN and not self.children:
            problems.append((("children",), f"a {self.type} needs at least one child"))
        if problems:
            raise FieldProblems(problems)
        return self


class Explainer(Strict):
    """An Alibi black-box explainer beside the predictor (seed 003 §6.3, demos 5.1.2-5.1.4)."""

    type: ExplainerType
    model_uri: str | None = Field(default=None, min_length=1)
    replicas: int = Field(default=1, ge=1)
    env_secret: DnsLabel | None = None
    config: dict[str, str] = Field(default_factory=dict)
    # the explainer container's requests/limits; default: the predictor's
    resources: Resources | None = None


class Predictor(Strict):
    name: DnsLabel
    graph: GraphNode
    # custom containers: graph node name -> image; every node without an implementation needs one
    containers: dict[str, str] = Field(default_factory=dict)
    replicas: int = Field(default=1, ge=0)
    # required when the model has more than one predictor that serves traffic
    traffic: int | None = Field(default=None, ge=0, le=100)
    shadow: bool = False
    resources: Resources = Resources()
    # credentials for the model store (envSecretRefName) and env of custom containers
    env_secret: DnsLabel | None = None
    explainer: Explainer | None = None
    # the project of this predictor's components; the model's when unset
    project: DnsLabel | None = None

    def nodes(self) -> list[GraphNode]:
        return [node for node, _, _ in self.graph.walk()]

    @model_validator(mode="after")
    def _graph_and_containers(self) -> Predictor:
        problems: Problems = []
        seen: set[str] = set()
        for node, path, depth in self.graph.walk():
            if node.name in seen:
                problems.append(((*path, "name"), f"{node.name!r} is used twice in this graph; node names "
                                                  "become container names and must be unique"))
            seen.add(node.name)
            if depth > MAX_GRAPH_DEPTH:
                problems.append((path, f"graph is deeper than {MAX_GRAPH_DEPTH} levels, the most the "
                                       "SeldonDeployment CRD keeps"))
            if node.implementation is None and node.name not in self.containers:
                problems.append(((*path, "name"), f"graph node {node.name!r} has no implementation and no "
                                                  f"container of that name in containers"))
            if node.implementation is not None and node.name in self.containers:
                problems.append((("containers", node.name), f"graph node {node.name!r} runs "
                                 f"{node.implementation}, whose image Seldon Core chooses; remove the container"))
        for name in sorted(set(self.containers) - seen):
            problems.append((("containers", name), f"matches no graph node (nodes: {', '.join(sorted(seen))})"))
        if self.shadow and self.traffic:
            problems.append((("traffic",), "a shadow receives a copy of all traffic; remove traffic or set 0"))
        if problems:
            raise FieldProblems(problems)
        return self


class Logger(Strict):
    """Request logging of every predictor's graph (seed 003 §4.3): what payloads go to the broker."""

    mode: Literal["all", "request", "response"] = "all"


class ModelSpec(Strict):
    name: DnsLabel
    namespace: DnsLabel
    project: DnsLabel = "default"
    protocol: Literal["seldon", "tensorflow", "v2"] = "seldon"
    predictors: list[Predictor] = Field(min_length=1)
    logger: Logger | None = None

    def served(self) -> list[Predictor]:
        return [p for p in self.predictors if not p.shadow]

    def traffic(self, predictor: Predictor) -> int:
        """The share a predictor serves: as declared, or all of it when it is the only one serving."""
        if predictor.shadow:
            return 0
        return predictor.traffic if predictor.traffic is not None else 100

    @model_validator(mode="after")
    def _predictors(self) -> ModelSpec:
        problems: Problems = []
        names: set[str] = set()
        for i, p in enumerate(self.predictors):
            if p.name in names:
                problems.append((("predictors", i, "name"), f"predictor {p.name!r} is declared twice"))
            names.add(p.name)
            for node, path, _ in p.graph.walk():
                if node.implementation in V2_ONLY and self.protocol != "v2":
                    problems.append((("predictors", i, *path, "implementation"),
                                     f"{node.implementation} speaks only the v2 protocol; set protocol: v2"))
        served = self.served()
        missing = [i for i, p in enumerate(self.predictors) if not p.shadow and p.traffic is None]
        if not served:
            problems.append((("predictors",), "every predictor is a shadow; one must serve traffic"))
        elif len(served) > 1 and missing:
            problems += [(("predictors", i, "traffic"), "required when more than one predictor serves traffic")
                         for i in missing]
        elif (total := sum(self.traffic(p) for p in served)) != 100:
            shares = " + ".join(f"{p.name} {self.traffic(p)}" for p in served)
            problems.append((("predictors",), f"traffic of non-shadow predictors sums to {total} ({shares}), "
                                              "not 100"))
        if problems:
            raise FieldProblems(problems)
        return self


class ModelsFile(Strict):
    """A models file per stack (`modelsFile` in stack config), for teams that keep models apart."""

    models: list[ModelSpec] = Field(default_factory=list)
