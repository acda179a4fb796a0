"""Baselines: record today's findings so that only new ones are reported.

A finding is identified by a fingerprint of its code, path, enclosing scope, symbol and
whitespace-normalized statement text -- never by its line number, so edits elsewhere in the file
that move it up or down keep it baselined. The baseline stores how many findings share each
fingerprint; when a run finds more than that, the extra ones (the later ones in the file) are new.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from gilcheck import __version__
from gilcheck.config import ConfigError
from gilcheck.findings import Finding

#: The value of the ``"gilcheck_baseline"`` marker key: the file format's version.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BaselineEntry:
    code: str
    path: str
    scope: str
    symbol: str
    snippet: str
    count: int

    @property
    def fingerprint(self) -> str:
        return _digest(self.code, self.path, self.scope, self.symbol, self.snippet)

    def to_dict(self) -> dict[str, object]:
        return {
            "fingerprint": self.fingerprint,
            "code": self.code,
            "path": self.path,
            "scope": self.scope,
            "symbol": self.symbol,
            "snippet": self.snippet,
            "count": self.count,
        }


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()
    #: The file it was loaded from, if any.
    source: Path | None = None

    @property
    def counts(self) -> Mapping[str, int]:
        """fingerprint -> number of findings the baseline accepts."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.fingerprint] = counts.get(entry.fingerprint, 0) + entry.count
        return counts

    def __len__(self) -> int:
        return sum(entry.count for entry in self.entries)


def _normalize(text: str) -> str:
    return " ".join(text.split())


def _path_key(path: str) -> str:
    return PurePath(path).as_posix()


def _snippet_key(f: Finding) -> str:
    # The statement text when the rule recorded it, else the reported line: both without line
    # numbers. Never the message, which may mention other line numbers.
    return _normalize(f.snippet) or _normalize(f.source_line)


def _digest(code: str, path: str, scope: str, symbol: str, snippet: str) -> str:
    text = "\0".join((code, path, scope, symbol, snippet))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def fingerprint(f: Finding) -> str:
    """A stable identity for a finding that ignores line and column numbers."""
    return _digest(f.code, _path_key(f.path), f.scope, f.symbol, _snippet_key(f))


def _entries_for(findings: Sequence[Finding]) -> list[BaselineEntry]:
    grouped: dict[str, tuple[Finding, int]] = {}
    for f in findings:
        key = fingerprint(f)
        first, count = grouped.get(key, (f, 0))
        grouped[key] = (first, count + 1)
    entries = [
        BaselineEntry(
            code=f.code,
            path=_path_key(f.path),
            scope=f.scope,
            symbol=f.symbol,
            snippet=_snippet_key(f),
            count=count,
        )
        for f, count in grouped.values()
    ]
    entries.sort(key=lambda e: (e.path, e.code, e.scope, e.symbol, e.snippet))
    return entries


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Write a baseline accepting ``findings`` (atomically: temp file + os.replace).

    Raises ConfigError when the file cannot be written.
    """
    document = {
        "gilcheck_baseline": FORMAT_VERSION,
        "version": __version__,
        "entries": [entry.to_dict() for entry in _entries_for(findings)],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    directory = path.parent
    tmp_name: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file. Raises ConfigError with a one-line message when it is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: baseline file is not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: baseline is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or "gilcheck_baseline" not in document:
        raise ConfigError(f'{path}: not a gilcheck baseline (no "gilcheck_baseline" key)')
    if document["gilcheck_baseline"] != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: unsupported baseline format {document['gilcheck_baseline']!r} "
            f"(this gilcheck reads format {FORMAT_VERSION}); regenerate it with --write-baseline"
        )
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise ConfigError(f'{path}: "entries" must be a list')
    entries: list[BaselineEntry] = []
    for index, raw in enumerate(raw_entries):
        entries.append(_entry(path, index, raw))
    return Baseline(entries=tuple(entries), source=path)


def _entry(path: Path, index: int, raw: object) -> BaselineEntry:
    where = f"{path}: entries[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected an object, got {raw!r}")
    values: dict[str, str] = {}
    for key in ("code", "path", "scope", "symbol", "snippet"):
        value = raw.get(key)
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key!r} must be a string, got {value!r}")
        values[key] = value
    count = raw.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ConfigError(f"{where}: 'count' must be a positive integer, got {count!r}")
    # The stored "fingerprint" is informative; it is recomputed from the fields so that a
    # baseline keeps working if the digest ever changes.
    return BaselineEntry(
        code=values["code"],
        path=_path_key(values["path"]),
        scope=values["scope"],
        symbol=values["symbol"],
        snippet=_normalize(values["snippet"]),
        count=count,
    )


def filter_baseline(findings: Sequence[Finding], baseline: Baseline) -> tuple[list[Finding], int]:
    """(findings not covered by the baseline, in their original order; number baselined)."""
    remaining = dict(baseline.counts)
    if not remaining:
        return list(findings), 0
    keys = [fingerprint(f) for f in findings]
    # Within one fingerprint, the earliest findings in the file use up the baseline's count.
    order = sorted(range(len(findings)), key=lambda i: (findings[i].line, findings[i].column, i))
    baselined: set[int] = set()
    for i in order:
        left = remaining.get(keys[i], 0)
        if left > 0:
            remaining[keys[i]] = left - 1
            baselined.add(i)
    new = [f for i, f in enumerate(findings) if i not in baselined]
    return new, len(baselined)


__all__ = [
    "Baseline",
    "BaselineEntry",
    "filter_baseline",
    "fingerprint",
    "load_baseline",
    "write_baseline",
]
