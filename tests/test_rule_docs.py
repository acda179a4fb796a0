"""The rule pages: every rule has one, with every section, and its examples tell the truth.

The ``## Example`` block must trigger its rule and the ``## Use instead`` block must be clean
(no finding of any rule), both through the real engine with default settings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from gilcheck.cli import command
from gilcheck.config import Config
from gilcheck.engine import Report, RunOptions, check_paths
from gilcheck.registry import RULES, rule_doc

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

REQUIRED_HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Confidence",
    "## Fix safety",
    "## Options",
)

#: (code, "example" | "use-instead") pairs that document a known analyzer bug.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

CODES = sorted(RULES)


def page(code: str) -> str:
    return (RULES_DIR / f"{code}.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text between ``heading`` and the next ``## `` heading."""
    lines = text.splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        raise AssertionError(f"no {heading!r} heading") from None
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        body.append(line)
    return "\n".join(body)


def python_block(text: str, heading: str) -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", section(text, heading), re.S | re.M)
    assert len(blocks) == 1, f"{heading}: expected exactly one ```python block, got {len(blocks)}"
    return str(blocks[0])


def run(tmp_path: Path, name: str, source: str) -> Report:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return check_paths([str(path)], Config(root=tmp_path), RunOptions(jobs=1, cache_dir=None))


def _params(kind: str) -> list[object]:
    out: list[object] = []
    for code in CODES:
        marks = []
        if (code, kind) in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(code, kind)]))
        out.append(pytest.param(code, id=code, marks=marks))
    return out


def _describe(report: Report) -> str:
    return (
        "\n".join(f"  {f.line}: {f.code} [{f.confidence}] {f.message}" for f in report.findings)
        or "  (none)"
    )


@pytest.mark.parametrize("code", CODES)
def test_every_rule_has_a_page_with_all_sections(code: str) -> None:
    assert (RULES_DIR / f"{code}.md").is_file(), f"rules/{code}.md is missing"
    text = page(code)
    assert text.startswith(f"# {code}: {RULES[code].name}\n"), text.splitlines()[0]
    lines = text.splitlines()
    for heading in REQUIRED_HEADINGS:
        assert heading in lines, f"rules/{code}.md has no {heading!r} heading"
    positions = [lines.index(h) for h in REQUIRED_HEADINGS]
    assert positions == sorted(positions), f"rules/{code}.md: headings out of order"


def test_no_page_without_a_rule() -> None:
    pages = {p.stem for p in RULES_DIR.glob("GIL*.md")}
    assert pages == set(RULES)


@pytest.mark.parametrize("code", _params("example"))
def test_example_triggers_the_rule(code: str, tmp_path: Path) -> None:
    source = python_block(page(code), "## Example")
    report = run(tmp_path, "example.py", source)
    codes = {f.code for f in report.findings}
    assert code in codes, f"{code} Example gives no {code}; findings:\n{_describe(report)}"


@pytest.mark.parametrize("code", _params("use-instead"))
def test_use_instead_is_clean(code: str, tmp_path: Path) -> None:
    source = python_block(page(code), "## Use instead")
    report = run(tmp_path, "use_instead.py", source)
    assert not report.findings, f"{code} 'Use instead' is not clean:\n{_describe(report)}"
    assert not report.internal_errors, report.internal_errors


@pytest.mark.parametrize("code", CODES)
def test_explain_prints_the_page(code: str) -> None:
    result = CliRunner().invoke(command, ["--explain", code])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n") == page(code).rstrip("\n")
    assert rule_doc(code) == page(code)
    # lower case works too, the code is normalized
    assert rule_doc(code.lower()) == page(code)


def test_explain_unknown_code_is_a_usage_error() -> None:
    result = CliRunner().invoke(command, ["--explain", "GIL999"])
    assert result.exit_code == 2, result.output
