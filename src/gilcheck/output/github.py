"""GitHub Actions workflow commands: one ``::warning``/``::error`` annotation per finding.

Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the data ``%``, ``\\r``
and ``\\n``; in property values also ``:`` and ``,``. Other control characters are made visible
first so that nothing from an analyzed file can inject terminal escapes into the log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gilcheck.findings import Finding, RunSummary
from gilcheck.output.text import escape_control, message_with_fix
from gilcheck.registry import RULES

# Like text.escape_control, but CR and LF are left for the workflow-command escaping below.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(text: str) -> str:
    return _CONTROL_RE.sub(lambda match: escape_control(match.group()), text)


def escape_data(text: str) -> str:
    return _visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_finding(finding: Finding) -> str:
    command = "error" if finding.code == "GIL000" else "warning"
    name = RULES[finding.code].name if finding.code in RULES else finding.name
    properties = (
        ("file", finding.path),
        ("line", str(finding.line)),
        ("col", str(finding.column)),
        ("endLine", str(finding.end_line)),
        ("endColumn", str(finding.end_column)),
        ("title", f"{finding.code} ({name})"),
    )
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {props}::{escape_data(message_with_fix(finding))}"


def render(findings: Sequence[Finding], summary: RunSummary, *, color: bool = False) -> str:
    del summary, color
    return "".join(format_finding(finding) + "\n" for finding in findings)
