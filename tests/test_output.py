"""Output formats: built from hand-made findings, no analysis involved."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

import gilcheck
from gilcheck.findings import Confidence, Finding, RunSummary
from gilcheck.output import FORMATS, render, render_statistics
from gilcheck.output import markdown as markdown_format
from gilcheck.output import sarif as sarif_format
from gilcheck.output.progress import ProgressBar
from gilcheck.registry import RULES

SCHEMA_PATH = Path(__file__).with_name("sarif-schema-2.1.0.json")
SGR_RE = re.compile(r"\x1b\[[0-9;]*m")


def make(
    path: str = "pkg/mod.py",
    line: int = 3,
    column: int = 5,
    code: str = "GIL001",
    confidence: Confidence = Confidence.HIGH,
    message: str = "read-modify-write of global `counter` from a thread",
    suggestion: str = "hold a lock around the update",
    replacement: str | None = None,
    *,
    end_line: int | None = None,
    end_column: int | None = None,
    source_line: str = "    counter += 1",
    symbol: str = "counter",
    scope: str = "worker",
    snippet: str = "counter += 1",
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=line if end_line is None else end_line,
        end_column=column + 12 if end_column is None else end_column,
        code=code,
        name=RULES[code].name,
        message=message,
        confidence=confidence,
        suggestion=suggestion,
        replacement=replacement,
        symbol=symbol,
        scope=scope,
        source_line=source_line,
        snippet=snippet,
    )


FIX = "with _lock:\n    counter += 1"
SUMMARY = RunSummary(files_checked=4, findings_total=2)


def sample() -> list[Finding]:
    return [
        make(replacement=FIX),
        make(
            line=9,
            column=1,
            end_line=10,
            end_column=4,
            code="GIL002",
            confidence=Confidence.MEDIUM,
            message="check-then-act on global `instance`",
            suggestion="use a lock",
            source_line="if instance is None:",
            symbol="instance",
            scope="",
        ),
    ]


# --------------------------------------------------------------------------- registry of formats


def test_formats_are_the_public_list() -> None:
    assert FORMATS == ("text", "concise", "json", "sarif", "github", "markdown")
    for fmt in FORMATS:
        assert render(fmt, sample(), SUMMARY).endswith("\n")


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", [], SUMMARY)


def test_importing_the_package_does_not_import_the_formats() -> None:
    src = str(Path(gilcheck.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys, gilcheck.output\n"
        "heavy = ['json', 'hashlib', 'gilcheck.output.json_format', 'gilcheck.output.sarif',\n"
        "         'gilcheck.output.markdown', 'gilcheck.output.github']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == ""


# --------------------------------------------------------------------------- text


def test_text_exact_layout() -> None:
    summary = RunSummary(
        files_checked=4, findings_total=2, hidden_below_confidence=2, suppressed=1, baselined=3
    )
    assert render("text", sample(), summary) == (
        "pkg/mod.py:3:5: GIL001 [high] read-modify-write of global `counter` from a thread\n"
        "  3 |     counter += 1\n"
        "    |     ^^^^^^^^^^^^\n"
        "  help: hold a lock around the update\n"
        "  fix:\n"
        "    with _lock:\n"
        "        counter += 1\n"
        "  docs: gilcheck --explain GIL001\n"
        "\n"
        "pkg/mod.py:9:1: GIL002 [medium] check-then-act on global `instance`\n"
        "  9 | if instance is None:\n"
        "  help: use a lock\n"
        "  docs: gilcheck --explain GIL002\n"
        "\n"
        "Found 2 findings (1 high, 1 medium, 0 low) in 4 files checked.\n"
        "2 more below --min-confidence hidden.\n"
        "1 finding suppressed by inline comments.\n"
        "3 findings already in the baseline.\n"
    )


def test_text_has_no_see_uri_line() -> None:
    out = render("text", sample(), SUMMARY)
    assert "see:" not in out
    assert "https://" not in out


def test_text_all_clear() -> None:
    assert render("text", [], RunSummary(files_checked=3, findings_total=0)) == (
        "All checks passed! (3 files checked)\n"
    )
    out = render("text", [], RunSummary(files_checked=1, findings_total=0, suppressed=2))
    assert out == "All checks passed! (1 file checked)\n2 findings suppressed by inline comments.\n"


def test_text_singular_summary() -> None:
    out = render("text", [make()], RunSummary(files_checked=1, findings_total=1))
    assert out.endswith("Found 1 finding (1 high, 0 medium, 0 low) in 1 file checked.\n")


def test_text_marker_only_for_single_line_ranges() -> None:
    multi = make(end_line=5, end_column=2)
    out = render("text", [multi], SUMMARY)
    assert "^" not in out
    single = make(column=9, end_column=16)
    lines = render("text", [single], SUMMARY).splitlines()
    source, marker = lines[1], lines[2]
    assert source == "  3 |     counter += 1"
    # the marker starts under column 9 ("ounter" after "    c" ... 1-based) and spans 7 chars
    start = marker.index("^")
    assert start == len("  3 | ") + 8
    assert marker.count("^") == 7


def test_text_marker_keeps_tabs_and_wide_characters_aligned() -> None:
    finding = make(column=5, end_column=8, source_line="\tx = 'ab'")
    marker = render("text", [finding], SUMMARY).splitlines()[2]
    assert marker == "    | \t   ^^^"
    wide = make(column=3, end_column=4, source_line="猫猫x = 1")
    marker = render("text", [wide], SUMMARY).splitlines()[2]
    assert marker == "    |     ^"


HOSTILE = "\x1b[2J\x1b]0;pwned\x07 \x9b31m \x7f \u202e evil"


def test_text_escapes_control_characters_everywhere() -> None:
    finding = make(
        path="pkg/\x1b[31mmod.py",
        message="message " + HOSTILE,
        suggestion="suggest " + HOSTILE,
        replacement="x = 1  # " + HOSTILE,
        source_line="    counter += 1  # " + HOSTILE + "\r",
    )
    for color in (False, True):
        for fmt in ("text", "concise"):
            out = render(fmt, [finding], SUMMARY, color=color)
            ours_removed = SGR_RE.sub("", out) if color else out
            assert "\x1b" not in ours_removed.replace("\\x1b", "")
            for bad in ("\x07", "\x9b", "\x7f", "\u202e", "\r"):
                assert bad not in out
            assert "pkg/\\x1b[31mmod.py" in out
            assert "\\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m \\x7f \\u202e evil" in out
    # a tab in the source line is kept as is
    tabbed = render("text", [make(source_line="\tcounter += 1", column=2)], SUMMARY)
    assert "\tcounter += 1" in tabbed


def test_text_colors_only_when_asked() -> None:
    plain = render("text", sample(), SUMMARY, color=False)
    assert "\x1b" not in plain
    colored = render("text", sample(), SUMMARY, color=True)
    assert "\x1b[1mpkg/mod.py:3:5:\x1b[0m" in colored
    assert "\x1b[1;31mGIL001\x1b[0m" in colored  # high: red
    assert "\x1b[1;33mGIL002\x1b[0m" in colored  # medium: yellow
    assert SGR_RE.sub("", colored) == plain


# --------------------------------------------------------------------------- concise


def test_concise_exact_layout() -> None:
    assert render("concise", sample(), SUMMARY) == (
        "pkg/mod.py:3:5: GIL001 [high] read-modify-write of global `counter` from a thread\n"
        "pkg/mod.py:9:1: GIL002 [medium] check-then-act on global `instance`\n"
        "\n"
        "Found 2 findings (1 high, 1 medium, 0 low) in 4 files checked.\n"
    )
    assert render("concise", [], RunSummary(2, 0)) == "All checks passed! (2 files checked)\n"


# --------------------------------------------------------------------------- json


def test_json_contract() -> None:
    findings = sample()
    summary = RunSummary(files_checked=4, findings_total=2, hidden_below_confidence=1)
    out = render("json", findings, summary, color=True)
    assert out.endswith("}\n")
    assert "\n  " in out  # indented
    data = json.loads(out)
    assert set(data) == {"version", "findings", "summary"}
    assert data["version"] == gilcheck.__version__
    assert data["findings"] == [f.to_dict() for f in findings]
    assert [f["line"] for f in data["findings"]] == [3, 9]
    assert data["findings"][0]["replacement"] == FIX
    assert data["findings"][1]["replacement"] is None
    assert data["summary"] == summary.to_dict()


def test_json_keeps_hostile_text_intact_but_encoded() -> None:
    out = render("json", [make(message=HOSTILE)], SUMMARY)
    assert "\x1b" not in out
    assert json.loads(out)["findings"][0]["message"] == HOSTILE


# --------------------------------------------------------------------------- sarif


def sarif_findings() -> list[Finding]:
    return [
        make(replacement=FIX),
        make(
            path="pkg/sub dir/other.py",
            line=12,
            column=9,
            end_line=14,
            end_column=3,
            code="GIL003",
            confidence=Confidence.LOW,
            message="Condition.wait() inside `if`",
            suggestion="",
        ),
        make(
            path="broken.py",
            line=1,
            column=1,
            end_column=2,
            code="GIL000",
            message="cannot parse: invalid syntax",
            suggestion="fix the syntax error",
            source_line="",
        ),
    ]


def validate_sarif(document: object) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_shipped_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert SCHEMA_PATH.stat().st_size > 100_000
    assert {"run", "result", "fix", "replacement", "region"} <= set(schema["definitions"])


def test_sarif_validates_against_the_schema() -> None:
    document = json.loads(render("sarif", sarif_findings(), SUMMARY))
    validate_sarif(document)
    empty = json.loads(render("sarif", [], SUMMARY))
    validate_sarif(empty)
    assert empty["runs"][0]["results"] == []


def test_sarif_schema_check_is_not_vacuous() -> None:
    document = json.loads(render("sarif", sarif_findings(), SUMMARY))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    location["region"]["startLine"] = 0
    with pytest.raises(AssertionError):
        validate_sarif(document)


def test_sarif_content() -> None:
    document = json.loads(render("sarif", sarif_findings(), SUMMARY))
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "gilcheck"
    assert driver["version"] == gilcheck.__version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for rule in rules:
        info = RULES[rule["id"]]
        assert rule["name"] == info.name
        assert rule["shortDescription"]["text"] == info.summary
        assert rule["fullDescription"]["text"]
        assert rule["helpUri"] == info.help_uri
        expected = "error" if info.code == "GIL000" else "warning"
        assert rule["defaultConfiguration"]["level"] == expected

    first, second, third = run["results"]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "GIL001"
    assert rules[third["ruleIndex"]]["id"] == "GIL000"
    assert (first["level"], second["level"], third["level"]) == ("warning", "warning", "error")
    assert first["message"]["text"] == (
        "read-modify-write of global `counter` from a thread. Fix: hold a lock around the update"
    )
    assert second["message"]["text"] == "Condition.wait() inside `if`"  # no suggestion
    assert first["properties"] == {"confidence": "high"}
    assert second["properties"] == {"confidence": "low"}

    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/mod.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 17}
    other = second["locations"][0]["physicalLocation"]
    assert other["artifactLocation"]["uri"] == "pkg/sub%20dir/other.py"
    assert other["region"] == {"startLine": 12, "startColumn": 9, "endLine": 14, "endColumn": 3}

    (fix,) = first["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == location["artifactLocation"]
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == location["region"]
    assert replacement["insertedContent"] == {"text": FIX}
    assert "fixes" not in second
    assert "fixes" not in third


def test_sarif_fingerprint_ignores_lines_but_not_identity() -> None:
    base = make()
    moved = make(line=40, column=1)
    other_symbol = make(symbol="total")
    other_code = make(code="GIL004")
    prints = {
        name: sarif_format.fingerprint(f)
        for name, f in {
            "base": base,
            "moved": moved,
            "symbol": other_symbol,
            "code": other_code,
        }.items()
    }
    assert prints["base"] == prints["moved"]
    assert len({prints["base"], prints["symbol"], prints["code"]}) == 3
    assert re.fullmatch("[0-9a-f]{64}", prints["base"])
    document = json.loads(render("sarif", [base], SUMMARY))
    result = document["runs"][0]["results"][0]
    assert result["partialFingerprints"] == {"gilcheck/v1": prints["base"]}


def test_sarif_paths_are_relative_posix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    inside = tmp_path / "src" / "app.py"
    assert sarif_format.artifact_location(str(inside)) == {
        "uri": "src/app.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert sarif_format.artifact_location("./src/app.py")["uri"] == "src/app.py"
    outside = tmp_path.parent / "elsewhere.py"
    location = sarif_format.artifact_location(str(outside))
    assert location["uri"] == outside.as_uri()
    assert "uriBaseId" not in location


def test_sarif_full_description_from_rule_page(monkeypatch: pytest.MonkeyPatch) -> None:
    page = (
        "# GIL001 global-rmw\n\n## What it does\n\nFinds `x += 1` on module\nglobals.\n\n"
        "More text.\n"
    )
    monkeypatch.setattr(sarif_format, "rule_doc", lambda code: page)
    rules = json.loads(render("sarif", [], SUMMARY))["runs"][0]["tool"]["driver"]["rules"]
    assert rules[1]["fullDescription"]["text"] == "Finds `x += 1` on module globals."
    assert rules[1]["help"]["markdown"] == page

    def missing(code: str) -> str:
        raise FileNotFoundError(code)

    monkeypatch.setattr(sarif_format, "rule_doc", missing)
    document = json.loads(render("sarif", [], SUMMARY))
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["fullDescription"]["text"] == RULES[rule["id"]].summary
        assert "help" not in rule
    validate_sarif(document)


def test_first_paragraph_skips_headings_and_code() -> None:
    page = "# Title\n\n```python\nx = 1\n```\n\n| a | b |\n\nFirst para\ncontinues.\n\nSecond.\n"
    assert sarif_format.first_paragraph(page) == "First para continues."
    assert sarif_format.first_paragraph("# only a heading\n") == ""


# --------------------------------------------------------------------------- github


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """The runner's parser, in small: ``::name k=v,k=v::data``."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    command, props, data = match.groups()
    properties = {}
    for pair in props.split(","):
        key, _, value = pair.partition("=")
        properties[key] = _unescape_property(value)
    return command, properties, _unescape_data(data)


def test_github_round_trips_tricky_text() -> None:
    tricky = "100% sure: a, b, c\nsecond line\r\nthird %0A literal"
    findings = [
        make(
            path="pkg/we,ird:name%.py",
            message=tricky,
            suggestion="use a lock, then: relax",
            replacement=FIX,
        ),
        make(path="broken.py", line=1, column=1, end_column=2, code="GIL000", message="bad"),
    ]
    out = render("github", findings, SUMMARY)
    lines = out.splitlines()
    assert len(lines) == 2  # one command per finding, newlines escaped
    command, props, data = parse_workflow_command(lines[0])
    assert command == "warning"
    assert props == {
        "file": "pkg/we,ird:name%.py",
        "line": "3",
        "col": "5",
        "endLine": "3",
        "endColumn": "17",
        "title": "GIL001 (global-rmw)",
    }
    assert data == tricky + ". Fix: use a lock, then: relax"
    command, props, data = parse_workflow_command(lines[1])
    assert command == "error"
    assert props["title"] == "GIL000 (syntax-error)"
    assert props["file"] == "broken.py"


def test_github_neutralizes_terminal_escapes_and_is_empty_without_findings() -> None:
    out = render("github", [make(message="x " + HOSTILE)], SUMMARY)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out
    assert render("github", [], SUMMARY) == ""


# --------------------------------------------------------------------------- markdown


def markdown_findings() -> list[Finding]:
    return [
        # a.py: one low finding -> score 1
        make(path="a.py", line=2, confidence=Confidence.LOW, code="GIL004", message="low one"),
        # b|c.py: one high + one medium -> score 5
        make(path="b|c.py", line=3, replacement=FIX, message="has | pipe"),
        make(
            path="b|c.py",
            line=8,
            code="GIL002",
            confidence=Confidence.MEDIUM,
            message="lazy init",
            source_line="if x is None: s = '```'",
        ),
        # z.py: two medium -> score 4
        make(path="z.py", line=1, code="GIL002", confidence=Confidence.MEDIUM),
        make(path="z.py", line=5, code="GIL001", confidence=Confidence.MEDIUM),
    ]


def test_markdown_report_structure() -> None:
    summary = RunSummary(files_checked=7, findings_total=5, hidden_below_confidence=2)
    out = render("markdown", markdown_findings(), summary)
    assert out.startswith("# ")
    assert "7 files" in out and "**5 findings**" in out and "3 modules" in out
    assert "2 more below --min-confidence hidden" in out

    assert (
        "| Rule | Name | High | Medium | Low | Total |\n"
        "| --- | --- | ---: | ---: | ---: | ---: |\n"
        "| GIL001 | global-rmw | 1 | 1 | 0 | 2 |\n"
        "| GIL002 | check-then-act | 0 | 2 | 0 | 2 |\n"
        "| GIL004 | shared-mutable | 0 | 0 | 1 | 1 |\n"
        "| **Total** | | **1** | **3** | **1** | **5** |\n"
    ) in out

    assert (
        "| 1 | `b\\|c.py` | 5 | 1 | 1 | 0 |\n"
        "| 2 | `z.py` | 4 | 0 | 2 | 0 |\n"
        "| 3 | `a.py` | 1 | 0 | 0 | 1 |\n"
    ) in out

    # sections follow the ranking; findings keep their order inside a module
    positions = [out.index(f"### `{name}`") for name in ("b|c.py", "z.py", "a.py")]
    assert positions == sorted(positions)
    assert out.index("has | pipe") < out.index("lazy init")
    assert (
        "**GIL001** global-rmw — has | pipe (line 3, high)\n\n"
        "```python\ncounter += 1\n```\n\n"
        "Fix: hold a lock around the update\n\n"
        "```python\nwith _lock:\n    counter += 1\n```\n"
    ) in out
    # a fence inside the excerpt gets a longer fence around it
    assert "````python\nif x is None: s = '```'\n````" in out


def test_markdown_groups_low_findings_by_reason() -> None:
    no_thread = (("why_low", "no thread gilcheck can see runs this code"),)
    owned = (("why_low", "one thread owns the state (no second thread writes it)"),)
    findings = [
        replace(make(line=1, confidence=Confidence.LOW), extra=no_thread),
        replace(make(line=2, code="GIL004", confidence=Confidence.LOW), extra=no_thread),
        replace(make(line=3, code="GIL004", confidence=Confidence.LOW), extra=owned),
        make(line=4, code="GIL002", confidence=Confidence.LOW),
        make(line=5),
    ]
    out = render("markdown", findings, SUMMARY)
    section = out[out.index("## Why the low findings are low") : out.index("## Modules by risk")]
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3
    assert bullets[0].startswith(
        "- **2** (GIL001, GIL004): no thread gilcheck can see runs this code; if a framework"
    )
    assert "`thread-entry-points`" in bullets[0]
    # ties by size are ordered by reason text; a finding without a recorded reason is "other"
    assert bullets[1].startswith("- **1** (GIL004): one thread owns the state")
    assert bullets[2].startswith("- **1** (GIL002): other (the rule's own judgement")
    # nothing low, no section
    assert "Why the low" not in render("markdown", [make()], SUMMARY)


def test_markdown_table_rows_have_consistent_cells() -> None:
    out = render("markdown", markdown_findings(), SUMMARY)
    for line in out.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) == 6, line


def test_markdown_ranking_ties_and_empty() -> None:
    ranked = markdown_format.rank_modules(
        [make(path="b.py"), make(path="a.py"), make(path="c.py", confidence=Confidence.MEDIUM)]
    )
    assert [(m.path, m.score) for m in ranked] == [("a.py", 3), ("b.py", 3), ("c.py", 2)]
    out = render("markdown", [], RunSummary(files_checked=2, findings_total=0))
    assert "2 files" in out and "|" not in out
    assert "\x1b" not in render("markdown", [make(message=HOSTILE)], SUMMARY)


# --------------------------------------------------------------------------- statistics


def test_statistics_order_and_alignment() -> None:
    findings = [
        make(code="GIL003", confidence=Confidence.HIGH),
        *[make(code="GIL001", confidence=Confidence.HIGH) for _ in range(2)],
        make(code="GIL001", confidence=Confidence.MEDIUM),
        *[make(code="GIL002", confidence=Confidence.LOW) for _ in range(10)],
        make(code="GIL000", confidence=Confidence.HIGH),
    ]
    assert render_statistics(findings) == (
        "10  GIL002  check-then-act    (10 low)\n"
        " 3  GIL001  global-rmw        (2 high, 1 medium)\n"
        " 1  GIL000  syntax-error      (1 high)\n"
        " 1  GIL003  wait-not-in-loop  (1 high)\n"
    )
    assert render_statistics([]) == ""
    assert "\x1b" not in render_statistics(findings)
    assert "\x1b[1m" in render_statistics(findings, color=True)


# --------------------------------------------------------------------------- progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_disabled_writes_nothing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(10, stream, enabled=False)
    for _ in range(10):
        bar.advance()
    bar.close()
    assert stream.getvalue() == ""
    # default: enabled only on a terminal, and StringIO is not one
    stream = io.StringIO()
    with ProgressBar(3, stream) as bar:
        bar.advance(3)
    assert stream.getvalue() == ""


def test_progress_enabled_draws_throttles_and_erases() -> None:
    stream = io.StringIO()
    clock = FakeClock()
    bar = ProgressBar(2000, stream, enabled=True, clock=clock)
    bar.advance(120)
    assert stream.getvalue() == "\r[#.............................] 120/2000 files"
    for _ in range(50):  # all within 0.1 s: no redraw
        clock.now += 0.001
        bar.advance()
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.2
    bar.advance()
    assert stream.getvalue().count("\r") == 2
    assert stream.getvalue().endswith("171/2000 files")
    bar.advance(1829)  # the last file is always drawn
    assert stream.getvalue().endswith("\r[" + "#" * 30 + "] 2000/2000 files")
    before = stream.getvalue()
    bar.close()
    erase = stream.getvalue()[len(before) :]
    width = len("[" + "#" * 30 + "] 2000/2000 files")
    assert erase == "\r" + " " * width + "\r"
    bar.close()
    bar.advance()
    assert stream.getvalue()[len(before) :] == erase  # nothing after close


def test_progress_enabled_follows_isatty() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = ProgressBar(1, stream)
    bar.advance()
    bar.close()
    assert "1/1 files" in stream.getvalue()
