"""The default, human-readable format, plus helpers shared by the other formats.

Everything that comes from the analyzed files (paths, source lines, messages built from names
in them) is passed through :func:`escape_control` before it reaches a terminal, so a hostile
file cannot move the cursor, change colors or retitle the window.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from gilcheck.findings import Confidence, Finding, RunSummary
from gilcheck.registry import RULES

# C0 controls except tab, DEL, C1 controls (0x9b is a one-byte CSI on some terminals) and the
# bidirectional overrides/isolates that can make displayed code differ from the real code.
_CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_CONFIDENCE_COLOR = {
    Confidence.HIGH: "\x1b[1;31m",  # bold red
    Confidence.MEDIUM: "\x1b[1;33m",  # bold yellow
    Confidence.LOW: "\x1b[1;34m",  # bold blue
}
_CYAN = "\x1b[1;36m"
_GREEN = "\x1b[1;32m"


def _escape_char(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def escape_control(text: str) -> str:
    """Make control characters visible: ``"\\x1b[31m"`` becomes the 8 characters ``\\x1b[31m``."""
    return _CONTROL_RE.sub(_escape_char, text)


def style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and text else text


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def message_with_fix(finding: Finding) -> str:
    """``message. Fix: suggestion`` (the one-line form used by sarif and github)."""
    message = finding.message.rstrip()
    if not finding.suggestion.strip():
        return message
    if message and message[-1] not in ".!?":
        message += "."
    return f"{message} Fix: {finding.suggestion.strip()}"


def confidence_counts(findings: Sequence[Finding]) -> dict[Confidence, int]:
    counts = Counter(f.confidence for f in findings)
    return {
        level: counts.get(level, 0)
        for level in (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW)
    }


def header(finding: Finding, color: bool) -> str:
    """``path:line:col: CODE [confidence] message``."""
    location = f"{escape_control(finding.path)}:{finding.line}:{finding.column}:"
    level = _CONFIDENCE_COLOR.get(finding.confidence, _BOLD)
    return (
        f"{style(location, _BOLD, color)} {style(finding.code, level, color)}"
        f" [{finding.confidence}] {escape_control(finding.message)}"
    )


def summary_lines(findings: Sequence[Finding], summary: RunSummary, color: bool) -> list[str]:
    files = plural(summary.files_checked, "file")
    if findings:
        counts = confidence_counts(findings)
        first = (
            f"Found {plural(len(findings), 'finding')} ({counts[Confidence.HIGH]} high, "
            f"{counts[Confidence.MEDIUM]} medium, {counts[Confidence.LOW]} low) "
            f"in {files} checked."
        )
    else:
        first = f"All checks passed! ({files} checked)"
    lines = [style(first, _BOLD, color)]
    if summary.hidden_below_confidence:
        hidden = f"{summary.hidden_below_confidence} more below --min-confidence hidden"
        if summary.hidden_medium:
            hidden += f" ({summary.hidden_medium} medium: --min-confidence medium shows them)"
        lines.append(hidden + ".")
    if summary.suppressed:
        lines.append(f"{plural(summary.suppressed, 'finding')} suppressed by inline comments.")
    if summary.baselined:
        lines.append(f"{plural(summary.baselined, 'finding')} already in the baseline.")
    return lines


def _display_width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _source_block(finding: Finding, color: bool) -> list[str]:
    raw = finding.source_line.rstrip("\r\n")
    if not raw.strip():
        return []
    number = str(finding.line)
    gutter = " " * (len(number) + 1)
    lines = [f"{gutter}{number} | {escape_control(raw)}"]
    if finding.end_line == finding.line and 1 <= finding.column <= len(raw.rstrip()) + 1:
        start = finding.column - 1
        stop = min(max(finding.end_column - 1, start + 1), max(len(raw.rstrip()), start + 1))
        # Keep tabs so the marker lines up with the line above whatever the tab width.
        pad = "".join(
            "\t" if char == "\t" else " " * _display_width(escape_control(char))
            for char in raw[:start]
        )
        marker = "^" * max(1, _display_width(escape_control(raw[start:stop])))
        level = _CONFIDENCE_COLOR.get(finding.confidence, _BOLD)
        lines.append(f"{gutter}{' ' * len(number)} | {pad}{style(marker, level, color)}")
    return lines


def format_finding(finding: Finding, color: bool) -> list[str]:
    lines = [header(finding, color)]
    lines.extend(_source_block(finding, color))
    suggestion = finding.suggestion.strip().splitlines()
    if suggestion:
        lines.append(f"  {style('help:', _CYAN, color)} {escape_control(suggestion[0])}")
        lines.extend(f"        {escape_control(extra)}" for extra in suggestion[1:])
    if finding.replacement is not None:
        lines.append(f"  {style('fix:', _GREEN, color)}")
        lines.extend(
            f"    {escape_control(code)}".rstrip() for code in finding.replacement.splitlines()
        )
    lines.append(f"  docs: gilcheck --explain {finding.code}")
    return lines


def render(findings: Sequence[Finding], summary: RunSummary, *, color: bool = False) -> str:
    lines: list[str] = []
    for finding in findings:
        lines.extend(format_finding(finding, color))
        lines.append("")
    lines.extend(summary_lines(findings, summary, color))
    return "\n".join(lines) + "\n"


def render_statistics(findings: Sequence[Finding], *, color: bool = False) -> str:
    """``count  CODE  slug  (2 high, 1 medium)`` per code, by count descending then code."""
    if not findings:
        return ""
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    rows = sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0]))
    count_width = max(len(str(len(group))) for _, group in rows)
    code_width = max(len(code) for code, _ in rows)
    names = {code: RULES[code].name if code in RULES else group[0].name for code, group in rows}
    name_width = max(len(name) for name in names.values())
    lines = []
    for code, group in rows:
        counts = confidence_counts(group)
        breakdown = ", ".join(f"{n} {level}" for level, n in counts.items() if n)
        code_cell = style(code.ljust(code_width), _BOLD, color)
        name_cell = escape_control(names[code]).ljust(name_width)
        lines.append(f"{len(group):>{count_width}}  {code_cell}  {name_cell}  ({breakdown})")
    return "\n".join(lines) + "\n"
