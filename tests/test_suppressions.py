"""Suppression comments: parsing each form and applying them to findings."""

from __future__ import annotations

import pickle
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gilcheck.findings import Confidence, Finding
from gilcheck.suppressions import (
    Suppressions,
    apply_suppressions,
    parse_suppressions,
    unused_suppressions,
)


def finding(line: int, code: str = "GIL001") -> Finding:
    return Finding(
        path="m.py",
        line=line,
        column=1,
        end_line=line,
        end_column=5,
        code=code,
        name="x",
        message="m",
        confidence=Confidence.HIGH,
        suggestion="s",
    )


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def kept_lines(source: str, findings: list[Finding]) -> list[tuple[int, str]]:
    kept, _suppressed, _used = apply_suppressions(findings, parse_suppressions(source))
    return [(f.line, f.code) for f in kept]


# -- parsing -----------------------------------------------------------------------------------


def test_no_directive_is_empty_fast_path() -> None:
    supp = parse_suppressions("x = 1\n# a comment\n")
    assert supp == Suppressions()
    assert not supp


def test_trailing_comment_with_codes() -> None:
    supp = parse_suppressions("x += 1  # gilcheck: ignore[GIL001, GIL004]\n")
    assert supp.lines == ((1, ("GIL001", "GIL004")),)
    assert supp.file_codes is None
    assert not supp.file_all


def test_bare_ignore_is_none() -> None:
    supp = parse_suppressions("x += 1  # gilcheck: ignore\n")
    assert supp.lines == ((1, None),)


@pytest.mark.parametrize(
    "comment",
    [
        "#gilcheck:ignore[ GIL001 ]",
        "#  GILCHECK :  IGNORE [GIL001]",
        "# gilcheck: Ignore[gil001]",
        "# noqa: E501  # gilcheck: ignore[GIL001]",
        "# type: ignore # gilcheck: ignore[GIL001] -- counter is only read in tests",
    ],
)
def test_directive_spellings(comment: str) -> None:
    supp = parse_suppressions(f"x += 1  {comment}\n")
    assert supp.lines == ((1, ("GIL001",)),)


def test_type_ignore_then_bare() -> None:
    supp = parse_suppressions("x += 1  # type: ignore # gilcheck: ignore\n")
    assert supp.lines == ((1, None),)


@pytest.mark.parametrize(
    "text",
    [
        "x += 1  # gilcheck: ignored\n",
        "x += 1  # gilcheck: ignore-files\n",
        "x += 1  # see gilcheck docs\n",
        "x += 1  # gilcheck ignore\n",
    ],
)
def test_not_directives(text: str) -> None:
    assert parse_suppressions(text) == Suppressions()


def test_string_literal_is_not_a_comment() -> None:
    source = src(
        """
        s = "# gilcheck: ignore"
        t = '''
        # gilcheck: ignore-file
        '''
        counter += 1
        """
    )
    supp = parse_suppressions(source)
    assert supp == Suppressions()
    assert kept_lines(source, [finding(1), finding(5)]) == [(1, "GIL001"), (5, "GIL001")]


def test_file_level_in_header() -> None:
    source = src(
        """
        #!/usr/bin/env python
        # -*- coding: utf-8 -*-

        # gilcheck: ignore-file[GIL004]
        # gilcheck: ignore-file[GIL002]
        \"\"\"Docstring.\"\"\"
        x = 1
        """
    )
    supp = parse_suppressions(source)
    assert supp.file_codes == ("GIL004", "GIL002")
    assert not supp.file_all
    assert supp.file_line == 4
    assert supp.lines == ()


def test_bare_file_level() -> None:
    supp = parse_suppressions("# gilcheck: ignore-file\nx = 1\n")
    assert supp.file_all
    assert supp.file_codes is None


def test_file_level_after_docstring_does_not_count() -> None:
    source = src(
        """
        \"\"\"Docstring.\"\"\"
        # gilcheck: ignore-file
        x = 1
        """
    )
    supp = parse_suppressions(source)
    assert not supp.file_all
    assert supp.file_codes is None
    assert kept_lines(source, [finding(3)]) == [(3, "GIL001")]


def test_file_level_after_code_does_not_count() -> None:
    supp = parse_suppressions("import threading\n# gilcheck: ignore-file[GIL004]\n")
    assert supp.file_codes is None


def test_suppressions_are_picklable() -> None:
    supp = parse_suppressions("# gilcheck: ignore-file[GIL4]\nx += 1  # gilcheck: ignore\n")
    assert pickle.loads(pickle.dumps(supp)) == supp


# -- applying ----------------------------------------------------------------------------------


def test_trailing_comment_applies_to_its_line_only() -> None:
    source = "x += 1  # gilcheck: ignore[GIL001]\ny += 1\n"
    assert kept_lines(source, [finding(1), finding(2)]) == [(2, "GIL001")]


def test_trailing_comment_codes_are_respected() -> None:
    source = "x += 1  # gilcheck: ignore[GIL004]\n"
    assert kept_lines(source, [finding(1, "GIL001"), finding(1, "GIL004")]) == [(1, "GIL001")]


def test_comment_alone_covers_next_line() -> None:
    source = src(
        """
        def f():
            # gilcheck: ignore[GIL001]
            x += 1
            y += 1
        """
    )
    assert kept_lines(source, [finding(3), finding(4)]) == [(4, "GIL001")]


def test_comment_alone_does_not_reach_two_lines_down() -> None:
    source = "# gilcheck: ignore\n\nx += 1\n"
    assert kept_lines(source, [finding(3)]) == [(3, "GIL001")]


def test_bare_ignore_suppresses_every_code() -> None:
    source = "x += 1  # gilcheck: ignore\n"
    assert kept_lines(source, [finding(1, "GIL001"), finding(1, "GIL006")]) == []


def test_prefix_codes() -> None:
    source = "x += 1  # gilcheck: ignore[GIL00]\ny += 1  # gilcheck: ignore[GIL01]\n"
    kept = kept_lines(source, [finding(1, "GIL004"), finding(2, "GIL004")])
    assert kept == [(2, "GIL004")]


def test_file_level_codes_and_bare() -> None:
    source = "# gilcheck: ignore-file[GIL004]\nx += 1\n"
    assert kept_lines(source, [finding(2, "GIL001"), finding(5, "GIL004")]) == [(2, "GIL001")]
    source = "# gilcheck: ignore-file\nx += 1\n"
    assert kept_lines(source, [finding(2, "GIL001"), finding(9, "GIL006")]) == []


def test_gil000_not_suppressible_inline_but_by_file() -> None:
    source = "def f(:  # gilcheck: ignore\n"
    assert kept_lines(source, [finding(1, "GIL000")]) == [(1, "GIL000")]
    source = "# gilcheck: ignore-file[GIL000]\ndef f(:\n"
    assert kept_lines(source, [finding(2, "GIL000")]) == []


def test_apply_returns_suppressed_and_used() -> None:
    source = "# gilcheck: ignore-file[GIL006]\nx += 1  # gilcheck: ignore[GIL001, GIL002]\n"
    findings = [finding(2, "GIL001"), finding(2, "GIL004"), finding(7, "GIL006")]
    kept, suppressed, used = apply_suppressions(findings, parse_suppressions(source))
    assert [f.code for f in kept] == ["GIL004"]
    assert [f.code for f in suppressed] == ["GIL001", "GIL006"]
    assert used == {(2, "GIL001"), (1, "GIL006")}


def test_apply_without_suppressions_keeps_everything() -> None:
    findings = [finding(1), finding(2)]
    kept, suppressed, used = apply_suppressions(findings, Suppressions())
    assert kept == findings
    assert suppressed == []
    assert used == set()


# -- unused ------------------------------------------------------------------------------------


def test_unused_detection() -> None:
    source = src(
        """
        # gilcheck: ignore-file[GIL006, GIL003]
        x += 1  # gilcheck: ignore[GIL001, GIL004]
        y += 1  # gilcheck: ignore
        # gilcheck: ignore
        z += 1
        w += 1  # gilcheck: ignore[GIL999]
        """
    )
    supp = parse_suppressions(source)
    findings = [finding(2, "GIL001"), finding(5, "GIL002"), finding(8, "GIL006")]
    kept, _suppressed, used = apply_suppressions(findings, supp)
    assert kept == []
    assert unused_suppressions(supp, used) == [
        (1, "GIL003"),
        (2, "GIL004"),
        (3, "*"),
        (6, "GIL999"),
    ]


def test_unused_respects_enabled_codes() -> None:
    supp = parse_suppressions("x += 1  # gilcheck: ignore[GIL004, GIL999]\n")
    _kept, _supp, used = apply_suppressions([], supp)
    assert unused_suppressions(supp, used) == [(1, "GIL004"), (1, "GIL999")]
    # GIL004 did not run, so its comment cannot be judged; an unknown code is always reported.
    assert unused_suppressions(supp, used, enabled=frozenset({"GIL001"})) == [(1, "GIL999")]


def test_unused_bare_file_level() -> None:
    supp = parse_suppressions("# gilcheck: ignore-file\nx = 1\n")
    assert unused_suppressions(supp, set()) == [(1, "*")]
    _kept, _s, used = apply_suppressions([finding(2)], supp)
    assert unused_suppressions(supp, used) == []


# -- robustness --------------------------------------------------------------------------------


def test_tokenize_failure_falls_back_to_scanning() -> None:
    # An unterminated triple-quoted string makes tokenize fail.
    source = src(
        """
        # gilcheck: ignore-file[GIL004]
        x += 1  # gilcheck: ignore[GIL001]
        s = "# gilcheck: ignore[GIL002]"
        # gilcheck: ignore[GIL003]
        y = 1
        t = '''never closed
        # gilcheck: ignore
        """
    )
    supp = parse_suppressions(source)
    assert supp.file_codes == ("GIL004",)
    assert supp.lines == ((2, ("GIL001",)), (4, ("GIL003",)))
    assert supp.standalone == (4,)
    kept = kept_lines(source, [finding(2), finding(3, "GIL002"), finding(5, "GIL003")])
    assert kept == [(3, "GIL002")]


def test_bad_indentation_falls_back() -> None:
    source = "if x:\n        a = 1\n    b += 1  # gilcheck: ignore\n"
    supp = parse_suppressions(source)
    assert supp.lines == ((3, None),)


@pytest.mark.parametrize(
    "source",
    ["", "\n", "# gilcheck", "'''gilcheck:", "x = '\\\n# gilcheck: ignore", "\x00gilcheck:"],
)
def test_never_raises(source: str) -> None:
    parse_suppressions(source)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "x += 1",
                "# gilcheck: ignore",
                "# gilcheck: ignore-file[GIL00",
                "  # GILCHECK:ignore[GIL001,]",
                "'''",
                '"',
                "\\",
                "(",
                "    ",
                "\t",
                "s = '# gilcheck: ignore'",
                "#",
                "]",
            ]
        ),
        max_size=12,
    ).map("\n".join)
)
def test_parse_never_raises_and_lines_are_in_range(source: str) -> None:
    supp = parse_suppressions(source)
    line_count = max(1, len(source.splitlines()))
    assert all(1 <= line <= line_count for line, _codes in supp.lines)
    assert set(supp.standalone) <= {line for line, _codes in supp.lines}
    assert supp.file_codes != ()
