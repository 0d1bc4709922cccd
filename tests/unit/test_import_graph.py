"""Every import edge of the project, read from the source: no cycles, no App outside bootstrap.

Every `import` counts: at module level, under `if TYPE_CHECKING:` and inside
functions, since each is a dependency a reader has to follow. The graph is
built from the syntax tree, so the test needs nothing imported.

`KNOWN_CYCLES` lists the import cycles that remain while the modules that
still take the whole application are given their own ports. It may only
shrink: a new cycle fails, and so does an entry that no longer exists.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "scheduler")
BOOTSTRAP = "bot.app"

# Modules that still reach each other through `bot.app.App` (issue: one path
# through Nashir). Each is a module name; the test fails if one of them is no
# longer in a cycle, so the list shrinks as they are freed.
KNOWN_CYCLES: frozenset[str] = frozenset(
    {
        "bot.admin_service",
        "bot.app",
        "bot.backfill",
        "bot.digests",
        "bot.hooks",
        "bot.removal",
        "bot.revisions",
        "bot.trending",
        "bot.watch",
        "handlers",
        "handlers.admin",
        "handlers.callbacks",
        "handlers.context",
        "handlers.inline",
        "handlers.notify",
        "scheduler.jobs",
        "scheduler.setup",
    }
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the production packages (migrations are data, not code)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _imported_names(path: Path, module: str) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` refers to (a name inside a module resolves to the module)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports, wherever the import statement is."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {_resolve(name, modules) for name in _imported_names(path, module)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_under_type_checking_and_inside_functions() -> None:
    graph = import_graph()
    # bot.app imports handlers.register inside build(): a function-level edge.
    assert "handlers" in graph[BOOTSTRAP]
    assert "bot.ingest" in graph[BOOTSTRAP]


def test_cycles_are_found_by_the_search() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_outside_the_known_ones_and_none_listed_in_vain() -> None:
    in_cycles = set().union(*cycles(import_graph()))
    assert in_cycles - KNOWN_CYCLES == set(), "new modules in an import cycle"
    assert KNOWN_CYCLES - in_cycles == set(), "freed from cycles: remove from KNOWN_CYCLES"


def test_no_module_reads_the_application_through_getattr() -> None:
    offenders = [
        module
        for module, path in project_modules().items()
        if "getattr(app" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
