"""``# gilcheck: ignore[...]`` comments: parsing (in the workers) and applying (anywhere).

Forms understood (the keyword is case-insensitive, whitespace around ``#``, ``:`` and inside the
brackets is free, codes may be prefixes such as ``GIL00``):

* ``x += 1  # gilcheck: ignore[GIL001]`` -- a trailing comment: findings reported on that line;
* ``# gilcheck: ignore[GIL001, GIL004]`` alone on its line -- findings reported on the next line;
* ``# gilcheck: ignore`` (no brackets) -- every code;
* ``# gilcheck: ignore-file[GIL004]`` / ``# gilcheck: ignore-file`` -- the whole file, but only in
  the file's first comment block (before any code or docstring).

The directive may share a comment with other tools (``# noqa: E501  # gilcheck: ignore``). Only
real comments count: text inside string literals is never a directive. GIL000 (the file could not
be parsed) cannot be suppressed inline, only with ``ignore-file``.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gilcheck.findings import Finding
from gilcheck.registry import RULES

#: Used for "no file-level line" and as the code of a bare (all codes) entry in ``used``.
ALL = "*"

_FAST = re.compile(r"gilcheck\s*:", re.IGNORECASE)
_DIRECTIVE = re.compile(
    r"#\s*gilcheck\s*:\s*(?P<kind>ignore[-_]file|ignore)(?![\w-])\s*(?:\[(?P<codes>[^\]]*)\])?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[\s,]+")
_CODE_TOKENS = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
)


@dataclass(frozen=True)
class Suppressions:
    """The suppression comments of one file: plain, picklable data."""

    #: (comment line, codes) for every inline directive; codes None = bare ``ignore`` (all codes).
    #: A comment alone on its line also covers the line below it.
    lines: tuple[tuple[int, tuple[str, ...] | None], ...] = ()
    #: ``ignore-file[...]`` codes; None = no code-specific file-level suppression.
    file_codes: tuple[str, ...] | None = None
    #: A bare ``# gilcheck: ignore-file``.
    file_all: bool = False
    #: Line of the first ``ignore-file`` comment (0 when none); used to report unused ones.
    file_line: int = 0
    #: Lines whose directive is a comment alone on its line (they also cover the next line).
    standalone: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lines) or self.file_codes is not None or self.file_all


EMPTY = Suppressions()


@dataclass
class _Comment:
    line: int
    text: str
    standalone: bool
    in_header: bool


def parse_suppressions(source: str) -> Suppressions:
    """Find the suppression comments in ``source``. Never raises; cheap when there are none."""
    if _FAST.search(source) is None:
        return EMPTY
    try:
        comments = list(_comments_by_tokenize(source))
    except (tokenize.TokenError, SyntaxError, ValueError):
        comments = list(_comments_by_scanning(source))
    return _collect(comments)


def _collect(comments: Sequence[_Comment]) -> Suppressions:
    lines: list[tuple[int, tuple[str, ...] | None]] = []
    standalone: list[int] = []
    file_codes: list[str] | None = None
    file_all = False
    file_line = 0
    for comment in comments:
        inline: list[str] | None = None
        inline_all = False
        for match in _DIRECTIVE.finditer(comment.text):
            raw = match.group("codes")
            codes = None if raw is None else [c.upper() for c in _SPLIT.split(raw) if c]
            if match.group("kind").lower() == "ignore":
                if codes is None:
                    inline_all = True
                else:
                    inline = (inline or []) + codes
            elif comment.in_header:
                file_line = file_line or comment.line
                if codes is None:
                    file_all = True
                elif codes:  # an empty ``ignore-file[]`` suppresses nothing
                    file_codes = (file_codes or []) + codes
        if inline_all or inline is not None:
            lines.append((comment.line, None if inline_all else tuple(dict.fromkeys(inline or []))))
            if comment.standalone:
                standalone.append(comment.line)
    return Suppressions(
        lines=tuple(lines),
        file_codes=None if file_codes is None else tuple(dict.fromkeys(file_codes)),
        file_all=file_all,
        file_line=file_line,
        standalone=tuple(standalone),
    )


def _comments_by_tokenize(source: str) -> Iterator[_Comment]:
    in_header = True
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            row, col = tok.start
            yield _Comment(row, tok.string, not tok.line[:col].strip(), in_header)
        elif tok.type not in _CODE_TOKENS:
            if tok.type == tokenize.ENDMARKER:
                return
            in_header = False


def _comments_by_scanning(source: str) -> Iterator[_Comment]:
    """Fallback for sources tokenize rejects: find ``#`` outside of obvious string literals."""
    quote: str | None = None  # the open string's delimiter: ', ", ''' or """
    in_header = True
    for row, line in enumerate(source.splitlines(), start=1):
        if quote is not None and len(quote) == 1:
            quote = None  # a one-line string cannot continue (a backslash newline is rare)
        code_before = False
        i = 0
        while i < len(line):
            ch = line[i]
            if quote is not None:
                if ch == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = None
                    continue
                i += 1
                continue
            if ch == "#":
                yield _Comment(row, line[i:], not code_before, in_header)
                break
            if ch in "'\"":
                quote = ch * 3 if line.startswith(ch * 3, i) else ch
                i += len(quote)
                code_before = True
                in_header = False
                continue
            if not ch.isspace():
                code_before = True
                in_header = False
            i += 1
        if quote is not None:
            in_header = False


def _matches(code: str, patterns: tuple[str, ...]) -> list[str]:
    return [pattern for pattern in patterns if code.startswith(pattern)]


def apply_suppressions(
    findings: Sequence[Finding], supp: Suppressions
) -> tuple[list[Finding], list[Finding], set[tuple[int, str]]]:
    """Split findings into (kept, suppressed) and say which entries matched something.

    ``used`` holds ``(comment line, code pattern)`` pairs as written in the comment (upper-case),
    ``(comment line, "*")`` for a bare ``ignore`` and ``(file_line, ...)`` for ``ignore-file``.
    Every entry that matches a finding is marked used, even when another one also matched.
    """
    if not supp:
        return list(findings), [], set()
    by_line: dict[int, list[tuple[int, tuple[str, ...] | None]]] = {}
    standalone = set(supp.standalone)
    for comment_line, codes in supp.lines:
        by_line.setdefault(comment_line, []).append((comment_line, codes))
        if comment_line in standalone:
            by_line.setdefault(comment_line + 1, []).append((comment_line, codes))

    kept: list[Finding] = []
    suppressed: list[Finding] = []
    used: set[tuple[int, str]] = set()
    for finding in findings:
        hits: set[tuple[int, str]] = set()
        if supp.file_all:
            hits.add((supp.file_line, ALL))
        if supp.file_codes:
            hits.update((supp.file_line, p) for p in _matches(finding.code, supp.file_codes))
        if finding.code != "GIL000":
            for comment_line, codes in by_line.get(finding.line, ()):
                if codes is None:
                    hits.add((comment_line, ALL))
                else:
                    hits.update((comment_line, p) for p in _matches(finding.code, codes))
        if hits:
            used |= hits
            suppressed.append(finding)
        else:
            kept.append(finding)
    return kept, suppressed, used


def unused_suppressions(
    supp: Suppressions,
    used: set[tuple[int, str]],
    enabled: frozenset[str] | None = None,
) -> list[tuple[int, str]]:
    """``(line, code pattern or "*")`` entries that suppressed nothing, sorted by line.

    With ``enabled`` (the codes that ran), a code entry that names no enabled rule is not
    reported: it cannot have matched anything in this run, which says nothing about whether it
    is stale. An unknown code (``GIL999``) is always reported.
    """

    def relevant(pattern: str) -> bool:
        if enabled is None:
            return True
        known = [code for code in RULES if code.startswith(pattern)]
        return not known or any(code in enabled for code in known)

    unused: list[tuple[int, str]] = []
    if supp.file_all and (supp.file_line, ALL) not in used:
        unused.append((supp.file_line, ALL))
    for pattern in supp.file_codes or ():
        if (supp.file_line, pattern) not in used and relevant(pattern):
            unused.append((supp.file_line, pattern))
    for comment_line, codes in supp.lines:
        if codes is None:
            if (comment_line, ALL) not in used:
                unused.append((comment_line, ALL))
            continue
        for pattern in codes:
            if (comment_line, pattern) not in used and relevant(pattern):
                unused.append((comment_line, pattern))
    return sorted(set(unused))


__all__ = [
    "ALL",
    "Suppressions",
    "apply_suppressions",
    "parse_suppressions",
    "unused_suppressions",
]
