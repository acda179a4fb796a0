"""The free-threading migration audit: a Markdown report readable as-is in a GitHub issue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gilcheck.analysis import project
from gilcheck.findings import Confidence, Finding, RunSummary
from gilcheck.output.text import confidence_counts, escape_control, plural
from gilcheck.registry import RULES

TITLE = "# gilcheck free-threading audit"
#: Risk weight of one finding of each confidence.
WEIGHTS = {Confidence.HIGH: 3, Confidence.MEDIUM: 2, Confidence.LOW: 1}
_LEVELS = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW)


@dataclass(frozen=True)
class ModuleRisk:
    path: str
    score: int
    high: int
    medium: int
    low: int
    findings: tuple[Finding, ...]


def risk_score(findings: Sequence[Finding]) -> int:
    return sum(WEIGHTS.get(f.confidence, 1) for f in findings)


def rank_modules(findings: Sequence[Finding]) -> list[ModuleRisk]:
    """Modules by risk score (3·high + 2·medium + 1·low), ties by high count, then path."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    modules = []
    for path, group in by_path.items():
        counts = confidence_counts(group)
        modules.append(
            ModuleRisk(
                path=path,
                score=risk_score(group),
                high=counts[Confidence.HIGH],
                medium=counts[Confidence.MEDIUM],
                low=counts[Confidence.LOW],
                findings=tuple(group),
            )
        )
    modules.sort(key=lambda m: (-m.score, -m.high, -m.medium, m.path))
    return modules


def cell(text: str) -> str:
    """Text safe inside a table cell: one line, ``|`` escaped, no control characters."""
    one_line = " ".join(text.split())
    return escape_control(one_line).replace("|", "\\|")


def code_span(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    text = escape_control(" ".join(text.split()))
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(code: str, language: str = "python") -> list[str]:
    """A fenced block whose fence is longer than any backtick run inside the code."""
    lines = [escape_control(line).rstrip() for line in code.splitlines()]
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *lines, fence]


def _prose(text: str) -> str:
    return escape_control(" ".join(text.split()))


def _summary_paragraph(findings: Sequence[Finding], summary: RunSummary, modules: int) -> str:
    counts = confidence_counts(findings)
    files = plural(summary.files_checked, "file")
    if findings:
        text = (
            f"gilcheck checked {files} and found **{plural(len(findings), 'finding')}** "
            f"({counts[Confidence.HIGH]} high, {counts[Confidence.MEDIUM]} medium, "
            f"{counts[Confidence.LOW]} low confidence) in {plural(modules, 'module')}: code that "
            "is thread-safe today only because the GIL serializes it, and that can race on "
            "free-threaded CPython (PEP 703). High confidence means a thread gilcheck can see "
            "runs the code; medium, a lazily built lock, executor or connection, or state the "
            "author locks elsewhere; low, code no visible thread runs (a framework's threads "
            "are invisible to gilcheck) or a race that only wastes work."
        )
    else:
        text = (
            f"gilcheck checked {files} and found no code that relies on the GIL for thread safety."
        )
    notes = []
    if summary.hidden_below_confidence:
        hidden = f"{summary.hidden_below_confidence} more below --min-confidence hidden"
        if summary.hidden_medium:
            hidden += f", {summary.hidden_medium} of them medium (`--min-confidence medium`)"
        notes.append(hidden)
    if summary.suppressed:
        notes.append(f"{summary.suppressed} suppressed by inline comments")
    if summary.baselined:
        notes.append(f"{summary.baselined} already in the baseline")
    if notes:
        text += f" Not shown: {'; '.join(notes)}."
    return text


def _rule_table(findings: Sequence[Finding]) -> list[str]:
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    lines = [
        "| Rule | Name | High | Medium | Low | Total |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for code in sorted(by_code):
        group = by_code[code]
        counts = confidence_counts(group)
        name = RULES[code].name if code in RULES else group[0].name
        values = " | ".join(str(counts[level]) for level in _LEVELS)
        lines.append(f"| {cell(code)} | {cell(name)} | {values} | {len(group)} |")
    totals = confidence_counts(findings)
    values = " | ".join(f"**{totals[level]}**" for level in _LEVELS)
    lines.append(f"| **Total** | | {values} | **{len(findings)}** |")
    return lines


#: The reason of a ``low`` finding that records none (decided when the rule ran).
OTHER_LOW = "other (the rule's own judgement: a repeated act, a documented contract...)"
#: What to do about a group of ``low`` findings, by reason (``analysis.project`` wording).
_LOW_ADVICE = {
    project.NO_THREAD: (
        "if a framework runs it in threads (a web server's workers, a task queue), list its "
        "spawn helpers under `thread-entry-points` and run again: what they reach becomes "
        "`high`"
    ),
    project.UNSHARED_CLASS: (
        "review the classes whose instances your threads share: gilcheck counts a class as "
        "shared when it owns a lock, subclasses `Thread`, or is handed to a thread it can see"
    ),
}


def _why_low(finding: Finding) -> str:
    return finding.why_low or OTHER_LOW


def _low_reasons(findings: Sequence[Finding]) -> list[str]:
    """The ``low`` findings grouped by why they are low, largest group first."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.confidence == Confidence.LOW:
            groups.setdefault(_why_low(finding), []).append(finding)
    if not groups:
        return []
    lines = [
        "## Why the low findings are low",
        "",
        "Low findings lack the evidence that would make them `high`. Grouped by what is "
        "missing, so a whole group can be triaged at once:",
        "",
    ]
    for why, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        rules = sorted({f.code for f in group})
        line = f"- **{len(group)}** ({', '.join(rules)}): {_prose(why)}"
        advice = _LOW_ADVICE.get(why)
        if advice:
            line += f"; {advice}"
        lines.append(line + ".")
    lines.append("")
    return lines


def _module_table(modules: Sequence[ModuleRisk]) -> list[str]:
    lines = [
        "| Rank | Module | Risk score | High | Medium | Low |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for rank, module in enumerate(modules, start=1):
        lines.append(
            f"| {rank} | {cell(code_span(module.path))} | {module.score} | "
            f"{module.high} | {module.medium} | {module.low} |"
        )
    return lines


def _finding_section(finding: Finding) -> list[str]:
    name = RULES[finding.code].name if finding.code in RULES else finding.name
    lines = [
        f"**{escape_control(finding.code)}** {_prose(name)} — {_prose(finding.message)} "
        f"(line {finding.line}, {finding.confidence})",
        "",
    ]
    excerpt = finding.source_line.strip()
    if excerpt:
        lines.extend([*code_block(excerpt), ""])
    if finding.suggestion.strip():
        lines.extend([f"Fix: {_prose(finding.suggestion)}", ""])
    if finding.replacement is not None:
        lines.extend([*code_block(finding.replacement), ""])
    return lines


def render(findings: Sequence[Finding], summary: RunSummary, *, color: bool = False) -> str:
    del color
    modules = rank_modules(findings)
    lines = [TITLE, "", _summary_paragraph(findings, summary, len(modules)), ""]
    if not findings:
        return "\n".join(lines)
    lines.extend(["## Findings by rule", "", *_rule_table(findings), ""])
    lines.extend(_low_reasons(findings))
    lines.extend(
        [
            "## Modules by risk",
            "",
            "Risk score = 3 \u00d7 high + 2 \u00d7 medium + 1 \u00d7 low.",
            "",
            *_module_table(modules),
            "",
        ]
    )
    lines.extend(["## Findings", ""])
    for module in modules:
        lines.extend([f"### {code_span(module.path)}", ""])
        for finding in module.findings:
            lines.extend(_finding_section(finding))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
