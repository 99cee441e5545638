"""The package's shape: no import cycles between govsim modules, and no oversized class.

Every module is parsed, not imported, and every ``govsim`` import it holds counts:
at the top, inside functions and under ``TYPE_CHECKING`` alike (a cycle of type-only
imports is still two modules that cannot be understood one without the other).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "govsim"
MAX_CLASS_LINES = 300
MAX_MODEL_LINES = 230


def module_name(path: Path) -> str:
    """The dotted name of the module at ``path`` (a package's ``__init__`` is the package)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement of ``module`` names (relative ones resolved);
    ``from a import b`` names ``a.b`` when that is a module, else ``a``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph() -> nx.DiGraph:
    """Directed graph: an edge ``a → b`` where govsim module ``a`` imports module ``b``."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path): path for path in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = imported(node, name, path.name == "__init__.py")
            known = [t for t in targets if t in modules]
            if isinstance(node, ast.ImportFrom) and len(known) > 1:
                known = [t for t in known if t != targets[-1]]  # submodules, not the package
            graph.add_edges_from((name, target) for target in known if target != name)
    return graph


def class_lengths() -> dict[str, int]:
    """Lines of every class in govsim, by ``module.Class``."""
    lengths = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                lengths[f"{module_name(path)}.{node.name}"] = node.end_lineno - node.lineno + 1
    return lengths


def test_the_graph_sees_imports_inside_functions_and_type_checking_blocks() -> None:
    graph = import_graph()
    assert graph.has_edge("govsim.engine.model", "govsim.agents")  # at the top
    assert graph.has_edge("govsim.viz.state", "govsim.engine.model")  # TYPE_CHECKING only


def test_no_import_cycles() -> None:
    graph = import_graph()
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = []
    assert not cycle, "import cycle: " + " → ".join([a for a, _ in cycle] + [cycle[0][0]])
    assert nx.is_directed_acyclic_graph(graph)


def test_no_class_is_oversized() -> None:
    long = {name: n for name, n in class_lengths().items() if n > MAX_CLASS_LINES}
    assert not long, f"classes over {MAX_CLASS_LINES} lines: {long}"


def test_the_model_is_thin() -> None:
    assert class_lengths()["govsim.engine.model.GovernanceModel"] <= MAX_MODEL_LINES
