"""Every import edge of the project, read from the source: no cycles, no App outside bootstrap.

Every `import` counts: at module level, under `if TYPE_CHECKING:` and inside
functions, since each is a dependency a reader has to follow. The graph is
built from the syntax tree, so the test needs nothing imported.

Every module is given its collaborators by the bootstrap (`bot.app.build`),
so nothing else needs the application object, and no two modules import
each other, even for type hints.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "scheduler")
BOOTSTRAP = "bot.app"

# The bootstrap builds the application object; `bot.runner` runs it (`nashir run`).
APP_OWNERS = frozenset({BOOTSTRAP, "bot.runner"})


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
    assert "bot.services.ingest" in graph[BOOTSTRAP]


def test_cycles_are_found_by_the_search() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_spans_more_than_one_module() -> None:
    assert cycles(import_graph()) == []


def test_only_the_bootstrap_and_the_runner_import_the_application() -> None:
    importers = sorted(m for m, targets in import_graph().items() if BOOTSTRAP in targets)
    assert set(importers) <= APP_OWNERS | {"bot.cli", "bot.backfill", "sandbox.demo"}


def test_no_function_outside_the_bootstrap_takes_the_application_object() -> None:
    takers = []
    for module, path in project_modules().items():
        if module in APP_OWNERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for arg in [*node.args.args, *node.args.kwonlyargs]:
                    if isinstance(arg.annotation, ast.Name | ast.Constant) and (
                        getattr(arg.annotation, "id", None) == "App"
                        or getattr(arg.annotation, "value", None) == "App"
                    ):
                        takers.append(f"{module}.{node.name}")
    assert takers == []


def test_no_module_reads_the_application_through_getattr() -> None:
    offenders = [
        module
        for module, path in project_modules().items()
        if "getattr(app" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# Layers, lowest first. A module may import its own layer and the ones below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("bot.core",)),
    ("adapters", ("bot.adapters",)),
    ("services", ("bot.services",)),
    ("entry points", ("bot.entrypoints", "handlers", "scheduler")),
    ("bootstrap", ("bot.app", "bot.options", "bot.runner")),
    ("commands", ("bot.cli", "bot.preview", "bot.backfill", "bot.failures", "bot.__main__", "bot")),
)


def layer_of(module: str) -> int:
    """The rank of a module's layer (0 = core); every module of the project has one."""
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or (p != "bot" and module.startswith(p + ".")) for p in prefixes):
            return rank
    raise AssertionError(f"{module} belongs to no layer")


def test_every_module_is_in_a_layer() -> None:
    for module in project_modules():
        layer_of(module)


def test_imports_point_only_down_the_layers() -> None:
    upward = [
        f"{source} ({LAYERS[layer_of(source)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for source, targets in import_graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(source)
    ]
    assert upward == []


def test_the_layer_rule_catches_an_upward_import() -> None:
    assert layer_of("bot.core.model") < layer_of("bot.services.ingest") < layer_of("handlers")
    assert layer_of("bot.adapters.storage.articles") < layer_of("bot.services.publishing")


def test_the_core_imports_the_standard_library_and_itself_only() -> None:
    foreign: list[str] = []
    for module, path in project_modules().items():
        if layer_of(module) != 0:
            continue
        for name in _imported_names(path, module):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if not name.startswith("bot.core"):
                foreign.append(f"{module}: {name}")
    assert foreign == []
