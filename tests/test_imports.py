"""No import cycle among the modules of `bot/` at import time, so any of them can be imported
first and none sees another half-built. The graph is read from the source with `ast`: an import
inside a function runs later, one under `if TYPE_CHECKING:` never, so neither is an edge."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Set
from pathlib import Path

import bot

ROOT = Path(bot.__file__).parent


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package at `root`, by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _running(name: str, known: Set[str]) -> set[str]:
    """The modules of `known` that importing `name` runs: it and every package above it."""
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts) + 1)} & set(known)


class _ImportTime(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: Set[str]) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.known = known
        self.found: set[str] = set()

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found |= _running(alias.name, self.known)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")  # `.` is the package itself, `..` its parent
            anchor = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{anchor}.{base}" if base else anchor
        self.found |= _running(base, self.known)
        for alias in node.names:  # `from package import module` runs the module too
            self.found |= _running(f"{base}.{alias.name}", self.known)

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.visit(node.test)
            for statement in node.body:
                self.visit(statement)
        for statement in node.orelse:
            self.visit(statement)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for decorator in node.decorator_list:  # decorators run at definition; bodies later
            self.visit(decorator)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass


def import_time_imports(
    source: str, known: Set[str], *, module: str = "bot.m", is_package: bool = False
) -> set[str]:
    """The modules of `known` that running `source` (the module `module`) imports."""
    visitor = _ImportTime(module, is_package, known)
    visitor.visit(ast.parse(source))
    visitor.found.discard(module)
    return visitor.found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = module_files(root)
    return {
        module: import_time_imports(
            path.read_text(encoding="utf-8"),
            files.keys(),
            module=module,
            is_package=path.name == "__init__.py",
        )
        for module, path in files.items()
    }


def find_cycle(graph: Mapping[str, Set[str]]) -> list[str] | None:
    """One cycle of `graph` as the path that closes it (`[a, b, a]`), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            cycle = visit(target)
            if cycle is not None:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle is not None:
            return cycle
    return None


def test_no_module_of_the_bot_imports_itself_back_at_import_time():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or ())


def test_the_graph_holds_the_imports_that_run():
    graph = import_graph()
    assert "bot.__main__" in graph and "bot.ui.views" in graph
    assert {"bot.app", "bot.config"} <= graph["bot.cli"]
    assert "bot.config" in graph["bot.app"] and "bot.cli" not in graph["bot.app"]
    assert "bot.messages.features" in graph["bot.ui.views"], "`from bot.messages import features`"


def test_imports_that_do_not_run_at_import_time_are_no_edges():
    known = {"bot", "bot.a", "bot.b", "bot.c", "bot.d", "bot.e", "bot.pkg", "bot.pkg.f"}
    source = """
from typing import TYPE_CHECKING
import bot.a
from bot.pkg import f
if TYPE_CHECKING:
    from bot import b
else:
    from bot import e
def later():
    import bot.c
class Holder:
    from bot import d
"""
    assert import_time_imports(source, known) == {
        "bot",
        "bot.a",
        "bot.d",
        "bot.e",
        "bot.pkg",
        "bot.pkg.f",
    }


def test_relative_imports_are_resolved_from_the_package():
    known = {"bot", "bot.ui", "bot.ui.views", "bot.ui.embeds", "bot.config"}
    source = "from . import embeds\nfrom ..config import Config\n"
    found = import_time_imports(source, known, module="bot.ui.views")
    assert found == {"bot", "bot.ui", "bot.ui.embeds", "bot.config"}


def test_a_cycle_is_found_and_named():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
