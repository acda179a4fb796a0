"""SARIF 2.1.0 (GitHub code scanning, IDE viewers).

One run; ``tool.driver.rules`` lists every rule so ``ruleIndex`` is stable across runs whatever
was found. Locations are relative to ``%SRCROOT%`` (the checkout root) when they can be.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path, PurePath, PurePosixPath
from urllib.parse import quote

from gilcheck import __version__
from gilcheck.findings import ENTRY_POINT, Finding, RunSummary
from gilcheck.output.text import message_with_fix
from gilcheck.registry import RULES, rule_doc

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/gilcheck/gilcheck"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "gilcheck/v1"


def first_paragraph(markdown: str) -> str:
    """The first prose paragraph of a rule page (headings, fences, tables and lists skipped)."""
    paragraph: list[str] = []
    in_fence = False
    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            if paragraph:
                break
            continue
        if in_fence:
            continue
        if not line:
            if paragraph:
                break
            continue
        if line.startswith(("#", "|", "<!--", "---", "- ", "* ", ">")) and not paragraph:
            continue
        paragraph.append(line)
    return " ".join(paragraph)


def _rule_descriptions(code: str, summary: str) -> tuple[str, str | None]:
    """(full description, whole markdown page or None when the page is not available)."""
    try:
        page = rule_doc(code)
    except (OSError, ValueError):
        return summary, None
    return first_paragraph(page) or summary, page


def _level(code: str) -> str:
    return "error" if code == "GIL000" else "warning"


def _rules() -> list[dict[str, object]]:
    rules: list[dict[str, object]] = []
    for info in RULES.values():
        full, page = _rule_descriptions(info.code, info.summary)
        rule: dict[str, object] = {
            "id": info.code,
            "name": info.name,
            "shortDescription": {"text": info.summary},
            "fullDescription": {"text": full},
            "helpUri": info.help_uri,
            "defaultConfiguration": {"level": _level(info.code)},
        }
        if page is not None:
            rule["help"] = {"text": full, "markdown": page}
        rules.append(rule)
    return rules


def artifact_location(path: str) -> dict[str, object]:
    """A relative ``uri`` under ``%SRCROOT%`` or, outside the current directory, a file URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        try:
            relative = Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
        except (OSError, ValueError):
            return {"uri": _file_uri(path)}
    else:
        relative = pure.as_posix()
    parts = [part for part in PurePosixPath(relative).parts if part != "."]
    return {"uri": quote("/".join(parts), safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def _file_uri(path: str) -> str:
    """``file://`` URI; bytes of a file name that is not valid UTF-8 are percent-encoded."""
    return "file://" + quote(PurePath(path).as_posix(), safe="/", errors="surrogateescape")


def _region(finding: Finding) -> dict[str, int]:
    start_line = max(1, finding.line)
    start_column = max(1, finding.column)
    end_line = max(start_line, finding.end_line)
    end_column = max(1, finding.end_column)
    if end_line == start_line:
        end_column = max(end_column, start_column)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def fingerprint(finding: Finding) -> str:
    """Stable across unrelated edits: no line numbers, only what identifies the problem."""
    parts = (
        finding.code,
        PurePath(finding.path).as_posix(),
        finding.scope,
        finding.symbol,
        finding.snippet,
    )
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _properties(finding: Finding) -> dict[str, str]:
    """The result's property bag: its confidence, the thread start that makes it ``high``,
    and why a ``low`` finding is low (the JSON format's ``entry_point`` and ``why_low``)."""
    properties = {"confidence": str(finding.confidence)}
    entry_point = finding.fact(ENTRY_POINT)
    if entry_point:
        properties["entryPoint"] = entry_point
    if finding.why_low:
        properties["whyLow"] = finding.why_low
    return properties


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, object]:
    location = artifact_location(finding.path)
    region = _region(finding)
    result: dict[str, object] = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result.update(
        {
            "level": _level(finding.code),
            "message": {"text": message_with_fix(finding)},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
            "properties": _properties(finding),
        }
    )
    if finding.replacement is not None:
        result["fixes"] = [
            {
                "description": {"text": finding.suggestion.strip() or finding.message},
                "artifactChanges": [
                    {
                        "artifactLocation": location,
                        "replacements": [
                            {
                                "deletedRegion": region,
                                "insertedContent": {"text": finding.replacement},
                            }
                        ],
                    }
                ],
            }
        ]
    return result


def render(findings: Sequence[Finding], summary: RunSummary, *, color: bool = False) -> str:
    del summary, color
    rule_index = {code: index for index, code in enumerate(RULES)}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gilcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": _rules(),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, rule_index) for finding in findings],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
