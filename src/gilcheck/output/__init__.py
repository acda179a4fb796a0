"""Output formats.

Each format lives in its own module and is imported only when it is used: importing this package
must stay cheap (one-file runs are all start-up latency), so no ``json``, ``hashlib`` or
``urllib`` here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gilcheck.findings import Finding, RunSummary

FORMATS: tuple[str, ...] = ("text", "concise", "json", "sarif", "github", "markdown")

#: format name -> module inside this package (``json`` would shadow the standard library).
_MODULES: dict[str, str] = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "markdown": "markdown",
}

Renderer = Callable[..., str]


def render(
    fmt: str, findings: Sequence[Finding], summary: RunSummary, *, color: bool = False
) -> str:
    """Render findings (already sorted) in format ``fmt``; the result ends with a newline."""
    module_name = _MODULES.get(fmt)
    if module_name is None:
        raise ValueError(f"unknown output format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    module = importlib.import_module(f"{__name__}.{module_name}")
    renderer: Renderer = module.render
    return renderer(findings, summary, color=color)


def render_statistics(findings: Sequence[Finding], *, color: bool = False) -> str:
    """One row per rule code, most frequent first (like ``ruff --statistics``)."""
    from gilcheck.output.text import render_statistics as _render_statistics

    return _render_statistics(findings, color=color)


__all__ = ["FORMATS", "render", "render_statistics"]
