"""The vocabulary every layer shares: confidence levels and findings.

Everything here is plain, immutable, picklable data: findings cross process boundaries (the
parallel engine), go into the cache and into baselines, and are rendered by every output format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Confidence(enum.IntEnum):
    """How sure a finding is that the code really runs concurrently."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Confidence:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown confidence {text!r} (expected one of: low, medium, high)"
            ) from None


#: ``Finding.extra`` key: the thread start that makes the finding ``high`` ("Thread(target=f) at
#: a.py:9"), set by the project pass.
ENTRY_POINT = "entry_point"
#: ``Finding.extra`` key: why a finding is ``low`` (the evidence it lacks, or the cap that holds
#: it there), set by the project pass; the audit report groups ``low`` findings by it.
WHY_LOW = "why_low"


@dataclass(frozen=True)
class Finding:
    """One problem in one file.

    Lines and columns are 1-based; ``end_column`` is exclusive (like ruff and SARIF).
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    confidence: Confidence
    suggestion: str
    replacement: str | None = None
    #: The variable / attribute involved (``counter``, ``self._cache``...), "" when none.
    symbol: str = ""
    #: Qualified name of the enclosing function or class inside the module ("" at module level).
    scope: str = ""
    #: Source text of the reported line (for text output and the markdown report).
    source_line: str = ""
    #: Whitespace-normalized source of the reported statement (used by baseline fingerprints).
    snippet: str = ""
    #: Free-form extra facts ("entry point" ...), kept sorted for determinism.
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def with_confidence(self, confidence: Confidence, message: str | None = None) -> Finding:
        return replace(self, confidence=confidence, message=message or self.message)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract (see README, "JSON output")."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "confidence": str(self.confidence),
            "suggestion": self.suggestion,
            "replacement": self.replacement,
            "symbol": self.symbol,
            "scope": self.scope,
            "entry_point": self.fact(ENTRY_POINT),
            "why_low": self.why_low,
        }

    def fact(self, key: str) -> str | None:
        """The ``extra`` fact named ``key`` (``ENTRY_POINT``, ``WHY_LOW``), or None."""
        return next((value for name, value in self.extra if name == key), None)

    @property
    def why_low(self) -> str | None:
        """Why a ``low`` finding is low, when the project pass recorded it; None otherwise."""
        return self.fact(WHY_LOW) if self.confidence == Confidence.LOW else None


@dataclass(frozen=True)
class RunSummary:
    """What a run looked at, for the summary line and machine formats."""

    files_checked: int
    findings_total: int
    #: findings hidden by --min-confidence (still computed).
    hidden_below_confidence: int = 0
    #: of those, ``medium`` ones (``--min-confidence medium`` shows them).
    hidden_medium: int = 0
    suppressed: int = 0
    baselined: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "files_checked": self.files_checked,
            "findings": self.findings_total,
            "hidden_below_confidence": self.hidden_below_confidence,
            "hidden_medium": self.hidden_medium,
            "suppressed": self.suppressed,
            "baselined": self.baselined,
        }
