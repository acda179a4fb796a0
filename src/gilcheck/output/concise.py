"""One line per finding: ``path:line:col: CODE [confidence] message``, then the summary."""

from __future__ import annotations

from collections.abc import Sequence

from gilcheck.findings import Finding, RunSummary
from gilcheck.output.text import header, summary_lines


def render(findings: Sequence[Finding], summary: RunSummary, *, color: bool = False) -> str:
    lines = [header(finding, color) for finding in findings]
    if findings:
        lines.append("")
    lines.extend(summary_lines(findings, summary, color))
    return "\n".join(lines) + "\n"
