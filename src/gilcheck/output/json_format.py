"""The JSON contract: ``{"version", "findings": [...], "summary": {...}}``.

Named ``json_format`` so that it does not shadow the standard library's ``json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from gilcheck import __version__
from gilcheck.findings import Finding, RunSummary


def render(findings: Sequence[Finding], summary: RunSummary, *, color: bool = False) -> str:
    del color  # machine format: never colored
    document = {
        "version": __version__,
        "findings": [finding.to_dict() for finding in findings],
        "summary": summary.to_dict(),
    }
    return json.dumps(document, indent=2) + "\n"
