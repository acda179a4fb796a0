"""Baselines: fingerprints that survive line shifts, counting, the file format."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gilcheck import __version__
from gilcheck.baseline import (
    Baseline,
    filter_baseline,
    fingerprint,
    load_baseline,
    write_baseline,
)
from gilcheck.config import ConfigError
from gilcheck.findings import Confidence, Finding


def finding(
    line: int,
    *,
    code: str = "GIL001",
    path: str = "pkg/mod.py",
    scope: str = "Counter.bump",
    symbol: str = "count",
    snippet: str = "count += 1",
    column: int = 5,
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column + len(snippet),
        code=code,
        name="global-rmw",
        message=f"read-modify-write of `{symbol}` (line {line})",
        confidence=Confidence.HIGH,
        suggestion="use a lock",
        symbol=symbol,
        scope=scope,
        source_line="    " + snippet,
        snippet=snippet,
    )


def shifted(f: Finding, by: int) -> Finding:
    return dataclasses.replace(f, line=f.line + by, end_line=f.end_line + by)


def roundtrip(tmp_path: Path, findings: list[Finding]) -> Baseline:
    path = tmp_path / "baseline.json"
    write_baseline(path, findings)
    return load_baseline(path)


# -- fingerprints ------------------------------------------------------------------------------


def test_fingerprint_ignores_lines_columns_and_message() -> None:
    f = finding(10)
    moved = dataclasses.replace(shifted(f, 10), column=9, message="other words, line 99")
    assert fingerprint(f) == fingerprint(moved)


def test_fingerprint_normalizes_whitespace_and_dot_slash() -> None:
    f = finding(3)
    g = dataclasses.replace(f, snippet="count  +=\n    1", path="./pkg/mod.py")
    assert fingerprint(f) == fingerprint(g)


@pytest.mark.parametrize(
    "change",
    [
        {"code": "GIL004"},
        {"path": "pkg/other.py"},
        {"scope": "Counter.reset"},
        {"symbol": "total"},
        {"snippet": "count += 2"},
    ],
)
def test_fingerprint_depends_on_identity_fields(change: dict[str, str]) -> None:
    f = finding(3)
    assert fingerprint(f) != fingerprint(dataclasses.replace(f, **change))  # type: ignore[arg-type]


def test_fingerprint_falls_back_to_source_line_without_snippet() -> None:
    a = dataclasses.replace(finding(3), snippet="", source_line="  count += 1")
    b = dataclasses.replace(finding(40), snippet="", source_line="count   += 1")
    c = dataclasses.replace(finding(3), snippet="", source_line="count += 2")
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)


# -- filtering ---------------------------------------------------------------------------------


def test_shifted_by_ten_lines_stays_baselined(tmp_path: Path) -> None:
    old = [finding(10), finding(20, code="GIL004", symbol="cache", snippet="cache[k] += 1")]
    baseline = roundtrip(tmp_path, old)
    new, count = filter_baseline([shifted(f, 10) for f in old], baseline)
    assert new == []
    assert count == 2


def test_duplicate_in_same_scope_is_new(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10)])
    current = [finding(25), finding(12)]  # the same statement twice in the same function
    new, count = filter_baseline(current, baseline)
    assert count == 1
    assert [f.line for f in new] == [25]  # the later one is the new one


def test_counts_are_stored_and_consumed(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10), finding(12)])
    assert len(baseline) == 2
    assert len(baseline.entries) == 1
    assert baseline.entries[0].count == 2
    new, count = filter_baseline([finding(40), finding(41), finding(42)], baseline)
    assert count == 2
    assert [f.line for f in new] == [42]
    # fewer than baselined: all accepted, nothing new
    assert filter_baseline([finding(5)], baseline) == ([], 1)


def test_changed_snippet_is_new(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10)])
    new, count = filter_baseline([finding(10, snippet="count += step")], baseline)
    assert count == 0
    assert len(new) == 1


def test_filter_keeps_order_of_new_findings() -> None:
    a = finding(5, symbol="a", snippet="a += 1")
    b = finding(3, symbol="b", snippet="b += 1")
    c = finding(9, symbol="c", snippet="c += 1")
    baseline = Baseline()
    assert filter_baseline([a, b, c], baseline) == ([a, b, c], 0)


def test_same_code_other_file_is_new(tmp_path: Path) -> None:
    baseline = roundtrip(tmp_path, [finding(10)])
    new, count = filter_baseline([finding(10, path="pkg/copy.py")], baseline)
    assert count == 0
    assert len(new) == 1


# -- the file ----------------------------------------------------------------------------------


def test_file_format(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "gilcheck-baseline.json"
    findings = [
        finding(10, path="z.py"),
        finding(3, path="a.py", code="GIL004", symbol="cache", snippet="cache[k]  +=  1"),
        finding(12, path="z.py"),
    ]
    write_baseline(path, findings)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["gilcheck_baseline"] == 1
    assert document["version"] == __version__
    entries = document["entries"]
    assert [e["path"] for e in entries] == ["a.py", "z.py"]  # sorted for stable diffs
    assert entries[0] == {
        "fingerprint": fingerprint(findings[1]),
        "code": "GIL004",
        "path": "a.py",
        "scope": "Counter.bump",
        "symbol": "cache",
        "snippet": "cache[k] += 1",
        "count": 1,
    }
    assert entries[1]["count"] == 2
    assert "line" not in entries[1]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_write_is_deterministic(tmp_path: Path) -> None:
    findings = [finding(i, symbol=f"s{i % 3}", snippet=f"s{i % 3} += 1") for i in range(1, 10)]
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    write_baseline(first, findings)
    write_baseline(second, list(reversed(findings)))
    assert first.read_bytes() == second.read_bytes()


def test_write_replaces_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(path, [finding(1), finding(2)])
    write_baseline(path, [])
    assert load_baseline(path).entries == ()


def test_round_trip(tmp_path: Path) -> None:
    findings = [finding(10), finding(30, code="GIL002", scope="", symbol="_instance")]
    baseline = roundtrip(tmp_path, findings)
    assert baseline.source == tmp_path / "baseline.json"
    assert {e.code for e in baseline.entries} == {"GIL001", "GIL002"}
    assert dict(baseline.counts) == {fingerprint(f): 1 for f in findings}


def test_load_recomputes_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    entry = {
        "fingerprint": "stale",
        "code": "GIL001",
        "path": "pkg/mod.py",
        "scope": "Counter.bump",
        "symbol": "count",
        "snippet": "count += 1",
        "count": 1,
    }
    path.write_text(json.dumps({"gilcheck_baseline": 1, "version": "0", "entries": [entry]}))
    assert filter_baseline([finding(7)], load_baseline(path)) == ([], 1)


def test_write_error_is_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot write baseline"):
        write_baseline(blocker / "baseline.json", [finding(1)])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline file not found"),
        ("{not json", "baseline is not valid JSON"),
        ("[]", 'not a gilcheck baseline (no "gilcheck_baseline" key)'),
        ('{"entries": []}', "not a gilcheck baseline"),
        ('{"gilcheck_baseline": 2, "entries": []}', "unsupported baseline format 2"),
        ('{"gilcheck_baseline": 1, "entries": {}}', '"entries" must be a list'),
        ('{"gilcheck_baseline": 1, "entries": [3]}', "entries[0]: expected an object"),
        (
            '{"gilcheck_baseline": 1, "entries": [{"code": "GIL001"}]}',
            "entries[0]: 'path' must be a string, got None",
        ),
        (
            '{"gilcheck_baseline": 1, "entries": [{"code": "GIL001", "path": "a.py",'
            ' "scope": "", "symbol": "", "snippet": "", "count": 0}]}',
            "entries[0]: 'count' must be a positive integer, got 0",
        ),
    ],
)
def test_invalid_files(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_baseline(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path) + ": ")
    assert expected in message
