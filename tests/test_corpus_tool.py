"""``benchmarks/corpus.py``: which folders of site-packages are one distribution's code."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_tool", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_tool"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _install(site: Path, name: str, files: list[str]) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n")
    rows = [f"{f},sha256=x,1" for f in files] + [f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(rows) + "\n")
    for f in files:
        path = site / f
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def test_own_package_is_one_folder(tmp_path: Path) -> None:
    _install(tmp_path, "solo", ["solo/__init__.py", "solo/core.py", "solo/sub/__init__.py"])
    assert _corpus().installed(tmp_path)["solo"].tops == ["solo"]


def test_namespace_package_gives_each_its_own_subpackage(tmp_path: Path) -> None:
    _install(tmp_path, "azure-core", ["azure/core/__init__.py", "azure/core/pipe.py"])
    _install(tmp_path, "azure-data", ["azure/data/__init__.py"])
    found = _corpus().installed(tmp_path)
    assert found["azure-core"].tops == ["azure/core"]
    assert found["azure-data"].tops == ["azure/data"]


def test_shared_folder_with_an_init_is_not_one_distributions_code(tmp_path: Path) -> None:
    """anvil-uplink ships ``google/__init__.py``: ``google/`` is still shared with the other
    ``google-*`` distributions, so neither side gets the whole folder (the held-out 20
    corpus counted every google package twice before)."""
    _install(
        tmp_path, "anvil-uplink", ["anvil/__init__.py", "google/__init__.py", "google/auth.py"]
    )
    _install(
        tmp_path,
        "google-cloud-pubsublite",
        ["google/cloud/pubsublite/__init__.py", "google/cloud/pubsublite/client.py"],
    )
    found = _corpus().installed(tmp_path)
    assert found["anvil-uplink"].tops == ["anvil", "google/__init__.py", "google/auth.py"]
    assert found["google-cloud-pubsublite"].tops == ["google/cloud/pubsublite"]


REVIEW = """\
# Review

| # | location | code | confidence | verdict | reason |
|---|---|---|---|---|---|
| Z1 | `pkg/a.py:10` (`f`) | GIL004 | high | TRUE | two pool threads add |
| Z2 | `pkg/a.py:20` (`g`) | GIL002 | medium | **FALSE** | unsure: one thread |

## An older pass, another column order

| 3 | GIL004 | medium | pkg | `pkg/a.py:10` (f) | FALSE | read again above |
| 4 | GIL006 | high | pkg | `pkg/b.py:7` (h) | TRUE | the fast path skips the lock |
| GIL004 | 26/33 (79%) |
"""


def _finding(path: str, line: int, code: str, confidence: str = "high") -> dict[str, object]:
    return {
        "package": "pkg",
        "path": path,
        "line": line,
        "column": 1,
        "code": code,
        "confidence": confidence,
        "message": "m",
    }


def test_verdicts_are_read_from_every_row_format_and_the_newest_wins(tmp_path: Path) -> None:
    review = tmp_path / "review.md"
    review.write_text(REVIEW)
    assert _corpus().read_verdicts(review) == {
        ("pkg/a.py", 10, "GIL004"): "TRUE",
        ("pkg/a.py", 20, "GIL002"): "FALSE",
        ("pkg/b.py", 7, "GIL006"): "TRUE",
    }


def test_precision_report_counts_read_findings_and_lists_unread_ones(tmp_path: Path) -> None:
    corpus = _corpus()
    review = tmp_path / "review.md"
    review.write_text(REVIEW)
    document = {
        "findings": [
            _finding("pkg/a.py", 10, "GIL004"),
            _finding("pkg/a.py", 20, "GIL002", "medium"),
            _finding("pkg/b.py", 7, "GIL006"),
            _finding("pkg/c.py", 5, "GIL004"),
            _finding("pkg/d.py", 1, "GIL004", "low"),  # not visible: not counted
        ]
    }
    report = corpus.precision_report(document, corpus.read_verdicts(review)).splitlines()
    rows = {line.split("  ")[0]: line.split() for line in report if line[:1].isalpha()}
    assert rows["all"][1:6] == ["4", "2", "1", "1", "67%"]
    assert rows["rule GIL004"][2:6] == ["2", "1", "0", "1"]
    assert rows["confidence medium"][2:6] == ["1", "0", "1", "0"]
    assert "1 visible findings have no verdict in the review:" in report
    assert "  pkg: pkg/c.py:5 GIL004 high" in report


def test_wilson_interval_matches_the_published_figure() -> None:
    low, high = _corpus().wilson(84, 276)
    assert (round(low, 2), round(high, 2)) == (0.25, 0.36)


def _all_corpora() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "all_corpora", ROOT / "benchmarks" / "all_corpora.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_all_corpora_ids_follow_the_pin_lists() -> None:
    ids = _all_corpora().corpus_ids()
    assert ids[:3] == ["t", "1", "2"]
    assert len(ids) == 1 + len(list((ROOT / "benchmarks").glob("corpus-heldout*.txt")))
    assert _all_corpora().pins_of("1").name == "corpus-heldout.txt"
    assert _all_corpora().pins_of("27").name == "corpus-heldout27.txt"


def test_all_corpora_command_leaves_the_stdlib_to_the_main_corpus(tmp_path: Path) -> None:
    tool = _all_corpora()
    main = tool.command("t", "py", tmp_path, tmp_path, 2)
    held = tool.command("5", "py", tmp_path, tmp_path, 2)
    assert "--no-stdlib" not in main and "--no-stdlib" in held
    assert str(tmp_path / "h5-venv") in held and str(tmp_path / "h5.json") in held


def test_all_corpora_report_counts_visible_findings_per_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def finding(path: str, line: int, code: str, confidence: str) -> dict[str, object]:
        return {"path": path, "line": line, "code": code, "confidence": confidence, "package": "p"}

    info = {"files": 2, "lines": 10, "internal_errors": 0}
    runs = {
        "h1": [finding("a.py", 1, "GIL004", "high"), finding("a.py", 2, "GIL004", "low")],
        "h2": [finding("b.py", 3, "GIL002", "medium"), finding("b.py", 4, "GIL000", "high")],
        "h3": [],
    }
    for name, findings in runs.items():
        document = {"gilcheck_commit": "abc", "packages": {"p": info}, "findings": findings}
        (tmp_path / f"{name}.json").write_text(json.dumps(document))
    review = tmp_path / "review.md"
    review.write_text(
        "| 1 | `a.py:1` | GIL004 | high | TRUE | real |\n"
        "| 2 | `a.py:2` | GIL004 | low | FALSE | quiet anyway |\n"
    )
    merged = tmp_path / "all.json"
    code = _all_corpora().main(
        ["report", "--out", str(tmp_path), "--review", str(review), "--merged", str(merged)]
    )
    out = capsys.readouterr().out
    assert code == 0
    rows = {line.split()[0]: line.split()[1:5] for line in out.splitlines() if line[:2] == "h1"}
    rows |= {line.split()[0]: line.split()[1:5] for line in out.splitlines() if line[:1] == "h"}
    assert rows["h1"] == ["1", "1", "0", "0"]  # the low finding is not visible
    assert rows["h2"] == ["1", "0", "0", "1"]  # GIL000 is not visible; the GIL002 is unread
    assert rows["h3"] == ["0", "0", "0", "0"]
    total = next(line for line in out.splitlines() if line.startswith("all"))
    assert total.split()[1:5] == ["2", "1", "0", "1"]
    assert "3 packages, 6 files, 30 lines, 0 internal errors" in out
    packages = {f["package"] for f in json.loads(merged.read_text())["findings"]}
    assert packages == {"h1:p", "h2:p"}


def test_all_corpora_report_without_runs_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _all_corpora().main(["report", "--out", str(tmp_path)]) == 2
    assert "no h*.json" in capsys.readouterr().err


def test_all_corpora_diff_lists_findings_gone_and_new_and_fails_on_a_lost_true(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def finding(path: str, line: int, confidence: str = "high") -> dict[str, object]:
        return {"path": path, "line": line, "code": "GIL004", "confidence": confidence}

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    runs = {
        (old, "h1"): [finding("a.py", 1), finding("a.py", 2), finding("a.py", 5, "low")],
        (new, "h1"): [finding("a.py", 2), finding("a.py", 3), finding("a.py", 1, "low")],
        (new, "h2"): [],
    }
    for (folder, name), findings in runs.items():
        (folder / f"{name}.json").write_text(json.dumps({"findings": findings}))
    review = tmp_path / "review.md"
    review.write_text(
        "| 1 | `a.py:1` | GIL004 | high | TRUE | real |\n"
        "| 2 | `a.py:3` | GIL004 | high | FALSE | one thread |\n"
    )
    tool = _all_corpora()
    code = tool.main(["diff", str(old), str(new), "--review", str(review)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # a.py:1, a TRUE, is no longer visible
    assert out == [
        "h1: 2 -> 2 visible",
        "  - a.py:1 GIL004 high TRUE",
        "  + a.py:3 GIL004 high FALSE",
        f"h2: only in {new}",
    ]
    (new / "h1.json").write_text(json.dumps({"findings": [finding("a.py", 1), finding("a.py", 2)]}))
    assert tool.main(["diff", str(old), str(new), "--review", str(review)]) == 0
    assert tool.main(["diff", str(tmp_path / "none"), str(tmp_path / "none")]) == 2


def test_all_corpora_visible_from_reruns_only_packages_with_visible_findings(
    tmp_path: Path,
) -> None:
    tool = _all_corpora()

    def finding(
        package: str, line: int, confidence: str, code: str = "GIL004"
    ) -> dict[str, object]:
        return {
            "path": "m.py",
            "line": line,
            "code": code,
            "confidence": confidence,
            "package": package,
        }

    info = {"files": 1, "lines": 5}
    earlier = {
        "gilcheck_commit": "old",
        "packages": {"a": info, "b": info, "c": info},
        "findings": [
            finding("a", 1, "high"),
            finding("b", 2, "low"),
            finding("c", 3, "high", "GIL000"),  # a parse failure is not a visible finding
        ],
    }
    assert tool.visible_packages(earlier) == ["a"]
    assert tool.command("5", "py", tmp_path, tmp_path, 2, ["a"])[-2:] == ["--only", "a"]
    assert "--only" not in tool.command("5", "py", tmp_path, tmp_path, 2)

    # the re-run of "a" lowered its finding; "b" and "c" come back from the earlier run
    fresh = {
        "gilcheck_commit": "new",
        "packages": {"a": info},
        "findings": [finding("a", 1, "low")],
    }
    path = tmp_path / "h5.json"
    path.write_text(json.dumps(fresh))
    tool.carry_over(path, earlier, tmp_path / "old")
    merged = json.loads(path.read_text())
    assert merged["gilcheck_commit"] == "new"
    assert list(merged["packages"]) == ["a", "b", "c"]
    assert [(f["package"], f["confidence"]) for f in merged["findings"]] == [
        ("a", "low"),
        ("b", "low"),
        ("c", "high"),
    ]
    assert merged["carried"] == {
        "from": str(tmp_path / "old"),
        "gilcheck_commit": "old",
        "packages": ["b", "c"],
    }
    # a corpus with nothing visible before is not run at all: all of it is carried over
    empty = tmp_path / "h6.json"
    tool.carry_over(empty, earlier, tmp_path / "old")
    assert json.loads(empty.read_text())["carried"]["packages"] == ["a", "b", "c"]


def _review_kit() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "review_kit", ROOT / "benchmarks" / "review_kit.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _kit_run(tmp_path: Path) -> Path:
    """A corpus.py --json document of one package with visible, low and GIL000 findings."""
    site = tmp_path / "site"
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "a.py").write_text("".join(f"line_{i} = {i}\n" for i in range(1, 41)))
    findings = [
        _finding("pkg/a.py", 10, "GIL004"),
        _finding("pkg/a.py", 20, "GIL002", "medium"),
        _finding("pkg/a.py", 30, "GIL006"),
        *(_finding("pkg/a.py", line, "GIL004", "low") for line in range(1, 9)),
        _finding("pkg/a.py", 1, "GIL000"),
    ]
    for f in findings:
        f.update(column=1, message=f"msg {f['line']}", scope="f", symbol="x")
    run = tmp_path / "run.json"
    run.write_text(json.dumps({"packages": {"pkg": {"root": str(site)}}, "findings": findings}))
    return run


def test_review_kit_briefs_every_visible_finding_and_their_rows_read_back(tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    assert _review_kit().main([str(_kit_run(tmp_path)), str(out), "GE", "--per-brief", "2"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["GE-1.md", "GE-2.md"]
    first, second = (out / "GE-1.md").read_text(), (out / "GE-2.md").read_text()
    assert "## GE1: pkg `pkg/a.py:10` GIL004 [high]" in first
    assert "## GE2: pkg `pkg/a.py:20` GIL002 [medium]" in first
    assert "## GE3: pkg `pkg/a.py:30` GIL006 [high]" in second
    assert ">   10 line_10 = 10" in first  # the source around the line, the line marked
    assert str(out / "GE-2.rows.md") in second  # where the reader writes the rows
    # a reader's rows, started as the brief says, are verdicts corpus.py reads
    starts = [line.strip() for line in (first + second).splitlines() if line.startswith("    |")]
    rows = out / "GE-1.rows.md"
    rows.write_text("".join(f"{s} TRUE | reason |\n" for s in starts))
    assert _corpus().read_verdicts(rows) == {
        ("pkg/a.py", 10, "GIL004"): "TRUE",
        ("pkg/a.py", 20, "GIL002"): "TRUE",
        ("pkg/a.py", 30, "GIL006"): "TRUE",
    }


def test_review_kit_low_sample_is_fixed_by_its_seed_and_only_low(tmp_path: Path) -> None:
    run = _kit_run(tmp_path)
    kit = _review_kit()

    def sample(seed: int, where: str) -> list[str]:
        kit.main([str(run), str(tmp_path / where), "L", "--low", "3", "--seed", str(seed)])
        return [
            line
            for line in (tmp_path / where / "L-1.md").read_text().splitlines()
            if line.startswith("## ")
        ]

    once, again = sample(29, "a"), sample(29, "b")
    assert once == again and len(once) == 3
    assert all("GIL004 [low]" in line for line in once)
    assert len({tuple(sample(s, f"s{s}")) for s in range(1, 9)}) > 1  # the seed matters


FAKE_PYTHON = '''#!{python}
"""A venv's python for the test: answers corpus.py's site query and fakes ``pip install``."""
import sys
from pathlib import Path

site = Path({site!r})
args = sys.argv[1:]
if args[0] == "-c":
    print(site)
    sys.exit(0)
if "-r" in args:  # the whole list: fails because one of its pins does
    sys.exit(1)
name, _, version = args[-1].partition("==")
if name == "broken":
    sys.exit(1)
info = site / f"{{name}}-{{version}}.dist-info"
info.mkdir(parents=True)
meta = f"Metadata-Version: 2.1\\nName: {{name}}\\nVersion: {{version}}\\n\\n"
(info / "METADATA").write_text(meta)
(info / "RECORD").write_text(f"{{name}}.py,,\\n")
(site / f"{{name}}.py").write_text("x = 1\\n")
'''


def test_one_pin_that_fails_to_install_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus()
    venv, site = tmp_path / "venv", tmp_path / "site"
    site.mkdir()
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(FAKE_PYTHON.format(python=sys.executable, site=str(site)))
    python.chmod(0o755)
    pins_file = tmp_path / "pins.txt"
    pins_file.write_text("good==1.0\nbroken==2.0\nalso-good==3.0\n")
    pins = corpus.read_pins(pins_file)

    assert corpus.ensure_venv(venv, pins_file, pins) == site

    have = corpus.installed(site)
    assert {n: d.version for n, d in have.items()} == {"good": "1.0", "also-good": "3.0"}
    err = capsys.readouterr().err
    assert "broken==2.0 failed to install" in err
    assert "good==1.0 failed" not in err
