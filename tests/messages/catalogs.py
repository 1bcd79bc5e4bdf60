"""The catalogs as Fluent's parser reads them: every message of a locale with the variables it
uses, for tests that compare the languages."""

from __future__ import annotations

from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

from bot.messages.catalog import catalog_sources


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)
        self.generic_visit(node)


def variables(entry: ast.Message | ast.Term) -> frozenset[str]:
    found = _Variables()
    found.visit(entry)
    return frozenset(found.names)


def catalog_messages(locale: str) -> list[tuple[str, frozenset[str]]]:
    """(message id, variables it uses) for every message of a locale, in file order. Junk (text
    the parser could not read) fails here, naming the file."""
    parser = FluentParser()
    messages = []
    for name, source in catalog_sources(locale):
        for entry in parser.parse(source).body:
            assert not isinstance(entry, ast.Junk), f"{locale}/{name}: {entry.content!r}"
            if isinstance(entry, ast.Message):
                messages.append((entry.id.name, variables(entry)))
    return messages
