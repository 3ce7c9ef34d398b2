"""The core's imports point one way: paramspec <- landscapes <- optimizers, with no cycle inside them, and the
update rules load NumPy only.  Every import statement counts, at module level, inside a function or under
``TYPE_CHECKING``: a deferred import hides a cycle, it does not remove it."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("paramspec", "landscapes", "optimizers")
LAYERS = ("paramspec", "landscapes", "optimizers", "state", "viz", "ui", "app")   # bottom up


def _loaded_after(statement: str) -> set[str]:
    """Top-level names of the modules a fresh interpreter holds after ``statement`` (beyond its own start-up)."""
    code = ("import sys\nbefore = set(sys.modules)\n" + statement + "\n"
            "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(done.stdout.split())


def test_the_update_rules_load_numpy_only():
    loaded = _loaded_after("import optimizers.rules")
    third_party = {m for m in loaded if m not in sys.stdlib_module_names and not m.startswith("_")}
    assert third_party == {"numpy", "optimizers"}, third_party


@pytest.mark.parametrize("statement", ["import landscapes", "import landscapes.networks"])
def test_surfaces_load_nothing_of_the_layers_above(statement):
    assert not _loaded_after(statement) & {"optimizers", "state", "viz", "ui", "streamlit"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the statement sits (``from a import b`` counts ``a.b`` when
    that is a module of ours)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for top in CORE for p in ([ROOT / f"{top}.py"] if (ROOT / f"{top}.py").exists()
                                         else sorted((ROOT / top).rglob("*.py")))]
    modules = {_module_name(p): p for p in files}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_core_imports_point_down_the_layers():
    rank = {layer: k for k, layer in enumerate(LAYERS)}
    for module, path in ((_module_name(p), p) for top in CORE for p in (ROOT / top).rglob("*.py")):
        own = rank[module.split(".")[0]]
        above = {m for m in _imports(path) if rank.get(m.split(".")[0], -1) > own}
        assert not above, f"{module} imports {above}"


def test_no_import_cycle_within_the_core():
    """A package's ``__init__`` may name its own modules (it imports them, not the reverse); apart from that,
    the import graph of paramspec, landscapes and optimizers has no cycle."""
    graph = _graph()
    graph = {m: {d for d in deps if not (graph.get(d) is not None and d == m.rsplit(".", 1)[0])}
             for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert "optimizers.registry" in graph and "optimizers.simulation" in graph["optimizers.studies"]
