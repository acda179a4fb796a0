"""Rule identities: code, slug and one-line summary. Cheap to import (no libcst)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DOCS_URL = "https://github.com/gilcheck/gilcheck/blob/main/rules/{code}.md"


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)


RULES: dict[str, RuleInfo] = {
    rule.code: rule
    for rule in (
        RuleInfo("GIL000", "syntax-error", "file cannot be read, decoded or parsed"),
        RuleInfo("GIL001", "global-rmw", "read-modify-write of a module global without a lock"),
        RuleInfo(
            "GIL002",
            "check-then-act",
            "check-then-act / lazy initialization on shared state without a lock",
        ),
        RuleInfo("GIL003", "wait-not-in-loop", "Condition.wait() not inside a while loop"),
        RuleInfo(
            "GIL004",
            "shared-mutable",
            "compound operation on shared mutable state without a lock",
        ),
        RuleInfo(
            "GIL005",
            "condition-without-lock",
            "Condition wait/notify without holding the condition's lock",
        ),
        RuleInfo(
            "GIL006",
            "inconsistent-lock",
            "state written under a lock in one place and without it in another",
        ),
    )
}


class UnknownCodeError(ValueError):
    pass


def expand_codes(patterns: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Expand codes and prefixes (``GIL00``, ``GIL``, ``ALL``) to the set of rule codes.

    Raises UnknownCodeError naming the first pattern that matches no rule.
    """
    result: set[str] = set()
    for raw in patterns:
        pattern = raw.strip().upper()
        if not pattern:
            continue
        if pattern == "ALL":
            result.update(RULES)
            continue
        matched = {code for code in RULES if code.startswith(pattern)}
        if not matched:
            raise UnknownCodeError(f"unknown rule code or prefix {raw.strip()!r}")
        result.update(matched)
    return frozenset(result)


def split_codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def rule_doc(code: str) -> str:
    """The Markdown page of a rule: packaged with the wheel, or read from the source tree."""
    code = code.strip().upper()
    if code not in RULES:
        raise UnknownCodeError(f"unknown rule code {code!r}")
    name = f"{code}.md"
    from importlib import resources  # pulls in tempfile, shutil, lzma...: only for --explain

    try:
        packaged = resources.files("gilcheck") / "rule_docs" / name
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - defensive
        pass
    source_tree = Path(__file__).resolve().parents[2] / "rules" / name
    return source_tree.read_text(encoding="utf-8")
