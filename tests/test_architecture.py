"""The layers of the code, read from its imports (every import statement, those inside functions too): a
module imports only from its own layer or those below it, and no two modules import each other, directly or
round a circle. The README's "Architecture" section draws the same layers."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# lowest first
LAYERS: list[tuple[str, ...]] = [
    ("components",),  # the platform as Pulumi components and their typed config
    ("modelplane.plan", "modelplane.toolchain"),  # the plan as data and what derives from it; the tool builds
    ("policies",),  # the rules, on the plan
    ("modelplane.cluster", "modelplane.engine"),  # Kubernetes access; producing plans (the program under mocks)
    ("modelplane.onboarding",),  # tenants' objects, written by the Ansible collection
    ("modelplane.drift",),  # desired against live
    ("modelplane.commands",),  # the `modelplane` command, thin
    ("harness",),  # test infrastructure: the loopback control plane; nothing below imports it
]
PACKAGES = ("components", "modelplane", "policies", "harness")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The repo modules a file imports, wherever in the file the import statement is."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import submodule` is an import of the submodule; of anything else, of the module
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                     for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def layer(module: str) -> int | None:
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    return None


def test_every_module_is_in_a_layer():
    """`modelplane` itself holds only the package docstring."""
    assert [m for m in modules() if layer(m) is None] == ["modelplane"]
    assert (REPO / "modelplane" / "__init__.py").read_text().count("import") == 0


def test_no_module_imports_a_higher_layer():
    upward = sorted((m, d) for m, deps in graph().items() for d in deps
                    if layer(m) is not None and layer(d) is not None and layer(d) > layer(m))
    assert upward == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle_between_modules():
    assert _cycles(graph()) == []


def test_no_import_circle_between_packages():
    packages: dict[str, set[str]] = defaultdict(set)
    for module, deps in graph().items():
        for dep in deps:
            a, b = module.rpartition(".")[0] or module, dep.rpartition(".")[0] or dep
            if a != b and not b.startswith(a + ".") and not a.startswith(b + "."):
                packages[a].add(b)
    assert _cycles(packages) == []


def test_the_check_can_fail():
    """The circle finder finds a planted circle, and the layer map puts the rules above the plan."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("policies.rules.platform") > layer("modelplane.plan.charts")
    assert layer("modelplane.commands.cli") > layer("modelplane.drift") > layer("modelplane.engine.render")
