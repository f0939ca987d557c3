"""The arrows between the project's rooms point one way (README, "Where things live").

The imports are read from the source with :mod:`ast`, so a test fails on the line that
adds an arrow pointing up, before anything runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "schedule", "db")
# The composition: the only modules of bot/ that know the handlers.
COMPOSITION = {"bot", "bot.__main__", "bot.app", "bot.cli", "bot.dispatcher"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> Iterator[str]:
    """Every module a file imports, with ``from pkg import mod`` resolved to ``pkg.mod``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if candidate in MODULES:
                    yield candidate


def _graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (packages count as modules)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for imported in _imports(path):
            if imported in MODULES and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _is_in(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def _external(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imports(path)}


def test_the_project_has_the_rooms_the_readme_names() -> None:
    for room in ("bot.views", "bot.delivery", "bot.demo", "schedule.services"):
        assert room in MODULES, room


def test_no_cycle_between_modules() -> None:
    graph = _graph()
    # A package's __init__ may gather its own modules; that is not a cycle of jobs.
    edges = {
        name: {t for t in targets if not _is_in(t, name) and not _is_in(name, t)}
        for name, targets in graph.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("room", ["schedule", "db"])
def test_the_model_rules_and_data_know_nothing_of_telegram(room: str) -> None:
    offenders = {
        (name, imported)
        for name, path in MODULES.items()
        if _is_in(name, room)
        for imported in _external(path)
        if imported in {"aiogram", "aiohttp", "bot", "handlers"}
    }
    assert offenders == set()


def test_the_rules_do_no_io() -> None:
    """schedule/ outside its services is the model and the rules: no database."""
    offenders = {
        (name, imported)
        for name, targets in _graph().items()
        if _is_in(name, "schedule") and not _is_in(name, "schedule.services")
        for imported in targets
        if _is_in(imported, "db") or _is_in(imported, "schedule.services")
    }
    assert offenders == set()


def test_db_imports_only_the_model() -> None:
    offenders = {
        (name, imported)
        for name, targets in _graph().items()
        if _is_in(name, "db")
        for imported in targets
        if not (_is_in(imported, "db") or imported == "schedule.model")
    }
    assert offenders == set()


def test_only_the_composition_knows_the_handlers() -> None:
    offenders = {
        (name, imported)
        for name, targets in _graph().items()
        if _is_in(name, "bot") and name not in COMPOSITION
        for imported in targets
        if _is_in(imported, "handlers")
    }
    assert offenders == set()


def test_views_render_without_the_database_or_delivery() -> None:
    offenders = {
        (name, imported)
        for name, targets in _graph().items()
        if _is_in(name, "bot.views")
        for imported in targets
        if not (_is_in(imported, "bot.views") or _is_in(imported, "schedule"))
        or _is_in(imported, "schedule.services")
    }
    assert offenders == set()


def test_delivery_does_not_know_the_app_or_the_handlers() -> None:
    offenders = {
        (name, imported)
        for name, targets in _graph().items()
        if _is_in(name, "bot.delivery")
        for imported in targets
        if imported in COMPOSITION or _is_in(imported, "handlers")
    }
    assert offenders == set()


def test_handlers_use_views_and_services_not_the_composition() -> None:
    offenders = {
        (name, imported)
        for name, targets in _graph().items()
        if _is_in(name, "handlers")
        for imported in targets
        if imported in COMPOSITION - {"bot"} or imported == "bot.middlewares"
    }
    assert offenders == set()
