"""Annotated fixtures: every expected finding is marked in the source, nothing else may appear.

Markers (trailing comments on the line the finding is reported at):

- ``# expect: GIL001`` / ``# expect: GIL001, GIL004``: these codes are reported on this line;
- ``# expect: GIL004[high]``: ... and at this confidence;
- ``# expect: GIL006 # mentions: Counter.incr``: ... and the message contains this text
  (backticks in the message are ignored);
- ``# ok: GIL002``: documents a negative case (the line must NOT give that code; the exact-set
  comparison already enforces it, the marker also lets ``case_counts`` count negatives).

An optional first-line header ``# gilcheck-fixture: min-confidence=low`` runs a file at another
confidence. Files under ``tests/fixtures/gil00N/`` are checked alone; each directory under
``tests/fixtures/projects/`` is checked as one project (cross-module analysis).

The analysis runs through the real engine (``check_paths``) with default settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gilcheck.config import Config
from gilcheck.engine import Report, RunOptions, check_paths
from gilcheck.findings import Confidence, Finding

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
PROJECTS = FIXTURES / "projects"
REPO = TESTS.parent
EXAMPLES = REPO / "examples"

_EXPECT = re.compile(r"#\s*expect:\s*(?P<items>[^#]*)(?:#\s*mentions:\s*(?P<mentions>.*))?$")
_ITEM = re.compile(r"^(?P<code>GIL\d{3})(?:\[(?P<conf>low|medium|high)\])?$")
_OK = re.compile(r"#\s*ok:\s*(?P<items>[A-Z0-9, ]+)")
_HEADER = re.compile(r"^#\s*gilcheck-fixture:\s*(?P<opts>.*)$")

#: Fixture files (relative to tests/fixtures) that document a known analyzer bug. The test is
#: expected to fail (strict: when the bug is fixed the xpass fails, so remove the entry then).
KNOWN_BUGS: dict[str, str] = {
    "gil001/positive_param_not_lock.py": (
        "a bare parameter used as `with param:` counts as a lock even when the only argument "
        "passed for it is `open(...)`"
    ),
    "gil002/positive_lock_covers_check_only.py": (
        "check under `with lock:` (early return), act after the lock is released: not reported"
    ),
}


Key = tuple[str, int, str]  # (resolved path, line, code)


@dataclass
class Expectations:
    codes: set[Key] = field(default_factory=set)
    confidence: dict[Key, Confidence] = field(default_factory=dict)
    mentions: dict[Key, str] = field(default_factory=dict)
    negatives: set[Key] = field(default_factory=set)
    min_confidence: Confidence = Confidence.MEDIUM


def parse_file(path: Path, into: Expectations | None = None) -> Expectations:
    """Read the markers of one file (adds to ``into`` when given)."""
    exp = into if into is not None else Expectations()
    key_path = str(path.resolve())
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if lines:
        header = _HEADER.match(lines[0])
        if header:
            for opt in header.group("opts").split(","):
                name, _, value = opt.strip().partition("=")
                if name.strip() != "min-confidence":
                    raise ValueError(f"{path}: unknown fixture option {name!r}")
                exp.min_confidence = Confidence.parse(value)
    for lineno, text in enumerate(lines, 1):
        match = _EXPECT.search(text)
        if match:
            for raw in match.group("items").split(","):
                item = _ITEM.match(raw.strip())
                if not item:
                    raise ValueError(f"{path}:{lineno}: bad expect item {raw.strip()!r}")
                key = (key_path, lineno, item.group("code"))
                exp.codes.add(key)
                if item.group("conf"):
                    exp.confidence[key] = Confidence.parse(item.group("conf"))
                if match.group("mentions"):
                    exp.mentions[key] = match.group("mentions").strip()
        ok = _OK.search(text)
        if ok:
            for code in ok.group("items").split(","):
                if code.strip():
                    exp.negatives.add((key_path, lineno, code.strip()))
    return exp


def parse_tree(root: Path) -> Expectations:
    exp = Expectations()
    for path in sorted(root.rglob("*.py")):
        parse_file(path, exp)
    return exp


def run_engine(target: Path, min_confidence: Confidence = Confidence.MEDIUM) -> Report:
    config = Config(
        root=target if target.is_dir() else target.parent, min_confidence=min_confidence
    )
    return check_paths([str(target)], config, RunOptions(jobs=1, cache_dir=None))


def finding_key(f: Finding) -> Key:
    return (str(Path(f.path).resolve()), f.line, f.code)


def _show(keys: set[Key], base: Path, found: dict[Key, Finding] | None = None) -> str:
    rows = []
    for path, line, code in sorted(keys):
        rel = Path(path).relative_to(base) if Path(path).is_relative_to(base) else Path(path)
        row = f"  {rel}:{line}: {code}"
        if found is not None and (path, line, code) in found:
            f = found[(path, line, code)]
            row += f" [{f.confidence}] {f.message}"
        rows.append(row)
    return "\n".join(rows) or "  (none)"


def assert_matches(target: Path, exp: Expectations, base: Path = FIXTURES) -> Report:
    report = run_engine(target, exp.min_confidence)
    assert not report.internal_errors, f"internal errors: {report.internal_errors}"
    found = {finding_key(f): f for f in report.findings}
    missed = exp.codes - set(found)
    extra = set(found) - exp.codes
    problems = []
    if missed:
        problems.append("missed (expected but not reported):\n" + _show(missed, base))
    if extra:
        problems.append("extra (reported but not expected):\n" + _show(extra, base, found))
    for key, conf in sorted(exp.confidence.items()):
        if key in found and found[key].confidence != conf:
            f = found[key]
            problems.append(
                f"wrong confidence at {_show({key}, base)}: expected {conf}, got {f.confidence}"
            )
    for key, text in sorted(exp.mentions.items()):
        if key in found and text not in found[key].message.replace("`", ""):
            problems.append(
                f"message at {_show({key}, base)} does not mention {text!r}: {found[key].message!r}"
            )
    assert not problems, f"{target}:\n" + "\n".join(problems)
    return report


# -- collection ------------------------------------------------------------------------------


def single_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if PROJECTS not in p.parents)


def projects() -> list[Path]:
    return sorted(p for p in PROJECTS.iterdir() if p.is_dir())


def _params(paths: list[Path]) -> list[object]:
    out: list[object] = []
    for path in paths:
        rel = path.relative_to(FIXTURES).as_posix()
        marks = []
        if rel in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[rel]))
        out.append(pytest.param(path, id=rel, marks=marks))
    return out


@pytest.mark.parametrize("path", _params(single_files()))
def test_fixture_file(path: Path) -> None:
    assert_matches(path, parse_file(path))


@pytest.mark.parametrize("path", _params(projects()))
def test_fixture_project(path: Path) -> None:
    assert_matches(path, parse_tree(path))


def test_examples_match_their_markers() -> None:
    exp = parse_tree(EXAMPLES)
    assert exp.codes, "examples/ has no # expect: markers"
    assert_matches(EXAMPLES, exp, base=REPO)


# -- cross-module project: the entry point is named ----------------------------------------------


def _entry_lines(main: Path) -> dict[str, int]:
    """``# entry-point: NAME`` markers in main.py -> their line numbers."""
    out = {}
    for lineno, text in enumerate(main.read_text(encoding="utf-8").splitlines(), 1):
        m = re.search(r"#\s*entry-point:\s*(\S+)", text)
        if m:
            out[m.group(1)] = lineno
    return out


def test_crossmod_findings_are_high_and_name_the_entry_point() -> None:
    root = PROJECTS / "crossmod"
    main = root / "app" / "main.py"
    entries = _entry_lines(main)
    assert entries, "main.py has no # entry-point: markers"
    report = run_engine(root)
    # the findings in other modules (workers.py / state.py) must exist at all
    outside_main = [f for f in report.findings if not f.path.endswith("main.py")]
    assert outside_main, "no finding outside main.py: the cross-module pass found nothing"
    for f in report.findings:
        assert f.confidence is Confidence.HIGH, f"{f.path}:{f.line} {f.code} is {f.confidence}"
        m = re.search(r"reachable from (.+) at (\S+):(\d+)\)", f.message)
        assert m, f"{f.path}:{f.line} {f.code} does not name its entry point: {f.message!r}"
        assert Path(m.group(2)).name == "main.py", f.message
        assert int(m.group(3)) in entries.values(), (
            f"{f.path}:{f.line}: entry line {m.group(3)} is not one of the marked entry points "
            f"{sorted(entries.values())}: {f.message!r}"
        )


def test_callers_lock_names_the_caller_and_its_lock() -> None:
    """The tracker's updates are ``low`` because the client's lock serializes them, not because
    no thread is seen: the message names the thread that reaches them, the caller and its
    lock."""
    root = PROJECTS / "callers_lock"
    report = run_engine(root, min_confidence=Confidence.LOW)
    tracked = {
        f.line: f
        for f in report.findings
        if f.path.endswith("analytics.py") and f.code in ("GIL002", "GIL004") and f.line < 30
    }
    assert sorted(tracked) == [23, 27], sorted(tracked)
    for f in tracked.values():
        assert f.confidence is Confidence.LOW, f.message
        assert "reachable from pool.map(CLIENT.get_value)" in f.message, f.message
        assert "`flags.client.Client.get_value` holds `self._lock`" in f.message, f.message


# -- the machinery itself --------------------------------------------------------------------


def test_marker_parser(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text(
        "# gilcheck-fixture: min-confidence=low\n"
        "x += 1  # expect: GIL001, GIL004[high]\n"
        "y = 1  # ok: GIL002, GIL006\n"
        "z += 1  # expect: GIL006  # mentions: Counter.incr (line 4)\n",
        encoding="utf-8",
    )
    exp = parse_file(src)
    p = str(src.resolve())
    assert exp.min_confidence is Confidence.LOW
    assert exp.codes == {(p, 2, "GIL001"), (p, 2, "GIL004"), (p, 4, "GIL006")}
    assert exp.confidence == {(p, 2, "GIL004"): Confidence.HIGH}
    assert exp.mentions == {(p, 4, "GIL006"): "Counter.incr (line 4)"}
    assert exp.negatives == {(p, 3, "GIL002"), (p, 3, "GIL006")}


def test_marker_parser_rejects_typos(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("x += 1  # expect: GIL01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad expect item"):
        parse_file(src)


def test_known_bug_entries_exist() -> None:
    for rel in KNOWN_BUGS:
        assert (FIXTURES / rel).exists(), f"KNOWN_BUGS names a missing fixture: {rel}"


def case_counts() -> dict[str, tuple[int, int]]:
    """Per rule: (positive markers, negative markers) over all fixtures."""
    counts: dict[str, list[int]] = {}
    for path in sorted(FIXTURES.rglob("*.py")):
        exp = parse_file(path)
        for _, _, code in exp.codes:
            counts.setdefault(code, [0, 0])[0] += 1
        for _, _, code in exp.negatives:
            counts.setdefault(code, [0, 0])[1] += 1
    return {code: (pos, neg) for code, (pos, neg) in sorted(counts.items())}


@pytest.mark.parametrize("code", [f"GIL00{n}" for n in range(1, 7)])
def test_each_rule_has_enough_cases(code: str) -> None:
    pos, neg = case_counts().get(code, (0, 0))
    assert pos >= 12, f"{code}: only {pos} positive cases"
    assert neg >= 15, f"{code}: only {neg} negative cases"
    assert neg > pos, f"{code}: negatives ({neg}) must outnumber positives ({pos})"


if __name__ == "__main__":  # pragma: no cover - a helper for counting cases
    for rule, (pos, neg) in case_counts().items():
        print(f"{rule}: {pos} positive, {neg} negative")
