"""The house plan holds: no import cycle in ``src/ruin``, and the arrows point down.

Every module under ``src/ruin`` is parsed with :mod:`ast` (nothing is imported), and every
import statement is read: absolute and relative, at module level and inside functions
(only imports under ``if TYPE_CHECKING:`` are skipped: they never run). Importing
``ruin.market.trade`` from outside ``ruin.market`` also runs ``ruin/market/__init__.py``,
so it counts as importing that package too (the root package ``ruin``, the public API that
imports everything, is not counted: it is always imported first).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT = "ruin"

#: The bottom of the house: may import only each other and these helpers.
BOTTOM = ("ruin.engine", "ruin.brownian")
BOTTOM_MAY_IMPORT = ("ruin.engine", "ruin.brownian", "ruin.errors", "ruin.metrics", "ruin._lazy")
#: The trade models of this plan, and what they must not import (what sits above them).
MODELS = ("ruin.outcomes", "ruin.market", "ruin.behaviour")
ABOVE_MODELS = (
    "ruin.params",
    "ruin.config",
    "ruin.simulate",
    "ruin.scenarios",
    "ruin.lessons",
    "ruin.studies",
    "ruin.sweep",
    "ruin.cli",
    "ruin.charts",
    "ruin.export",
    "ruin.share",
    "ruin.insights",
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Every Import / ImportFrom node, at any depth, outside ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child
            stack.append(child)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _targets(module: str, path: Path, node: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The ruin modules an import statement in ``module`` runs."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = node.module or ""
        for alias in node.names:  # ``from pkg import mod`` imports the submodule
            sub = f"{base}.{alias.name}"
            names.append(sub if sub in modules else base)
    found = set()
    for name in names:
        while name and name not in modules:  # ``import ruin.x.func``: the module part
            name = name.rpartition(".")[0]
        if not _within(name, ROOT) or name == module:
            continue
        found.add(name)
        parent = name.rpartition(".")[0]  # packages whose __init__ runs first
        while parent and parent != ROOT:
            if not _within(module, parent):
                found.add(parent)
            parent = parent.rpartition(".")[0]
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges: set[str] = set()
        for node in _import_nodes(tree):
            edges |= _targets(module, path, node, modules)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_relative_absolute_and_function_level_imports():
    graph = _graph()
    assert "ruin.engine.accounting" in graph["ruin.engine.kernels"]  # relative, module level
    assert "ruin.params" in graph["ruin.config"]
    assert "ruin.market.flat" in graph["ruin.config"] and "ruin.market" in graph["ruin.config"]
    assert "ruin.tradefile" in graph["ruin.config"]  # imported inside build_scenario
    # a module inside a package does not depend on its own package's __init__
    assert "ruin.market" not in graph["ruin.market.plan"]


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_engine_and_brownian_import_nothing_from_the_models_or_faces():
    graph = _graph()
    bad = {
        m: sorted(t for t in targets if not any(_within(t, p) for p in BOTTOM_MAY_IMPORT))
        for m, targets in graph.items()
        if any(_within(m, p) for p in BOTTOM)
    }
    assert not any(bad.values()), {m: t for m, t in bad.items() if t}


def test_the_trade_models_import_nothing_from_above():
    graph = _graph()
    bad = {
        m: sorted(t for t in targets if any(_within(t, p) for p in ABOVE_MODELS))
        for m, targets in graph.items()
        if any(_within(m, p) for p in MODELS)
    }
    assert not any(bad.values()), {m: t for m, t in bad.items() if t}
