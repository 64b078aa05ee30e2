"""The package's layers never import upward, and the simulator's modules read as a request's
path (wire -> shell -> PowerShell -> Hyper-V state) with no import cycle. Imports are read from
the source (those under ``if TYPE_CHECKING:`` are for annotations only and do not count)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hvgui"
ALLOWED = {
    "core": {"core"},
    "remote": {"core", "remote"},
    "simulator": {"core", "simulator"},
    "ui": {"core", "remote", "simulator", "ui"},
}


def _runtime_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in out if m.startswith("hvgui.")}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_never_import_upward(layer: str) -> None:
    bad = []
    for path in (PACKAGE / layer).rglob("*.py"):
        for mod in _runtime_imports(path):
            target = mod.split(".")[1]
            if target in ALLOWED and target not in ALLOWED[layer]:
                bad.append(f"{_module_name(path)} imports {mod}")
    assert bad == []


def test_simulator_modules_have_no_import_cycle() -> None:
    modules = {_module_name(p): p for p in (PACKAGE / "simulator").glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m if m in modules else m.rsplit(".", 1)[0] for m in _runtime_imports(path)}
        graph[name] = {m for m in graph[name] if m in modules and m != name and m != "hvgui.simulator"}
    seen: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in seen:
                visit(nxt, [*stack, nxt])
        seen[node] = 2

    for start in sorted(graph):
        if start not in seen:
            visit(start, [start])
    assert cycles == []
