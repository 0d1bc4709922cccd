"""The core knows no platform: its modules never import a network, database or bot library."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "bot/core").rglob("*.py"))
FORBIDDEN = {"telegram", "tweepy", "httpx", "sqlalchemy", "apscheduler", "aiohttp", "requests"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_platform_library(module: str) -> None:
    assert not (_imports(ROOT / module) & FORBIDDEN)
