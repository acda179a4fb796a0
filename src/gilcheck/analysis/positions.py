"""Source positions of reported nodes, from the ``ast`` tree the precheck already built.

libcst's ``PositionProvider`` regenerates the code of the whole module to count characters: it
costs about 1.4x the parse itself, and half of all files need some position (a finding, a thread
entry point). CPython's ``ast`` already knows the line and column of every statement and call.
Statements of the two trees correspond one to one in pre-order (libcst's ``a; b`` line holds two
small statements, ``ast`` lists two statements), so a parallel walk maps each libcst statement to
its ``ast`` twin; a call is found inside its statement by its dotted name. Any disagreement
(count or kind of statements) returns None and the caller falls back to ``PositionProvider``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence

import libcst as cst
from libcst.metadata import CodePosition, CodeRange

from gilcheck.analysis.collector import dotted_name


def _cst_suite(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body


def cst_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """libcst statements in the order ``ast_statements`` lists their twins."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
            continue
        if isinstance(stmt, cst.BaseSmallStatement):  # inside a SimpleStatementSuite
            yield stmt
            continue
        yield stmt
        if isinstance(stmt, cst.If):
            yield from cst_statements(_cst_suite(stmt.body))
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                yield from cst_statements([orelse])
            elif isinstance(orelse, cst.Else):
                yield from cst_statements(_cst_suite(orelse.body))
        elif isinstance(stmt, cst.For | cst.While):
            yield from cst_statements(_cst_suite(stmt.body))
            if stmt.orelse is not None:
                yield from cst_statements(_cst_suite(stmt.orelse.body))
        elif isinstance(stmt, cst.Try | cst.TryStar):
            yield from cst_statements(_cst_suite(stmt.body))
            for handler in stmt.handlers:
                yield from cst_statements(_cst_suite(handler.body))
            if stmt.orelse is not None:
                yield from cst_statements(_cst_suite(stmt.orelse.body))
            if stmt.finalbody is not None:
                yield from cst_statements(_cst_suite(stmt.finalbody.body))
        elif isinstance(stmt, cst.With | cst.FunctionDef | cst.ClassDef):
            yield from cst_statements(_cst_suite(stmt.body))
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                yield from cst_statements(_cst_suite(case.body))


def ast_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.For | ast.AsyncFor | ast.While):
            yield from ast_statements(stmt.body)
            yield from ast_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from ast_statements(stmt.body)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                yield from ast_statements(handler.body)
            yield from ast_statements(stmt.orelse)  # type: ignore[attr-defined]
            yield from ast_statements(stmt.finalbody)  # type: ignore[attr-defined]
        elif isinstance(
            stmt,
            ast.With | ast.AsyncWith | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        ):
            yield from ast_statements(stmt.body)
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                yield from ast_statements(case.body)


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """Split source into lines where Python does: ``\n``, ``\r\n``, ``\r`` only.

    ``str.splitlines`` also breaks at form feeds, ``\v``, ``\x1c``-``\x1e``, ``\x85`` and
    ``\u2028``, which Python source treats as ordinary characters: line numbers would drift.
    """
    parts = _LINE_BREAK.split(text)
    lines = parts[0::2]
    if keepends:
        ends = [*parts[1::2], ""]
        lines = [line + end for line, end in zip(lines, ends, strict=True)]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_RENAMED = {
    "AsyncFunctionDef": "FunctionDef",
    "AsyncFor": "For",
    "AsyncWith": "With",
    "Delete": "Del",
}


def _same_kind(node: cst.CSTNode, twin: ast.stmt) -> bool:
    name = type(twin).__name__
    return type(node).__name__ == _RENAMED.get(name, name)


class _Lines:
    """ast columns are UTF-8 byte offsets; libcst's are characters."""

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text, keepends=True)

    def char_col(self, line: int, byte_col: int) -> int:
        if not 0 < line <= len(self.lines):
            return byte_col
        raw = self.lines[line - 1]
        if raw.isascii():
            return byte_col
        return len(raw.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def rng(self, node: ast.AST, end: ast.AST | None = None) -> CodeRange:
        last = end or node
        line = node.lineno  # type: ignore[attr-defined]
        end_line = last.end_lineno or line  # type: ignore[attr-defined]
        return CodeRange(
            CodePosition(line, self.char_col(line, node.col_offset)),  # type: ignore[attr-defined]
            CodePosition(end_line, self.char_col(end_line, last.end_col_offset or 0)),  # type: ignore[attr-defined]
        )


def _ast_dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _find_call(stmt: ast.stmt, func: str | None) -> ast.Call | None:
    if func is None:
        return None
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _ast_dotted(n.func) == func]
    if not calls:
        return None
    return min(calls, key=lambda c: (c.lineno, c.col_offset))


def fast_positions(
    tree: cst.Module,
    ast_tree: ast.Module,
    text: str,
    needed: set[cst.CSTNode],
    statement_of: dict[cst.CSTNode, cst.CSTNode],
) -> dict[cst.CSTNode, CodeRange] | None:
    """Positions of ``needed`` nodes (statements, calls, ``for`` headers), or None."""
    twins: dict[cst.CSTNode, ast.stmt] = {}
    wanted_statements = {statement_of.get(n, n) for n in needed}
    cst_iter = cst_statements(tree.body)
    ast_iter = ast_statements(ast_tree.body)
    for node, twin in zip(cst_iter, ast_iter, strict=False):
        if not _same_kind(node, twin):
            return None
        if node in wanted_statements:
            twins[node] = twin
    if next(cst_iter, None) is not None or next(ast_iter, None) is not None:
        return None
    lines = _Lines(text)
    out: dict[cst.CSTNode, CodeRange] = {}
    for node in needed:
        stmt = statement_of.get(node, node)
        found = twins.get(stmt)
        if found is None:
            if isinstance(node, cst.BaseExpression):
                continue  # e.g. a ``for`` iterable: looked up through its statement below
            return None
        if isinstance(node, cst.Call) and stmt is not node:
            call = _find_call(found, dotted_name(node.func))
            out[node] = lines.rng(call) if call is not None else lines.rng(found)
        else:
            out[node] = lines.rng(found)
            if isinstance(node, cst.For) and isinstance(found, ast.For | ast.AsyncFor):
                out[node.iter] = lines.rng(found.iter)
    return out
