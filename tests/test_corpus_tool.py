"""``benchmarks/corpus.py``: which folders of site-packages are one distribution's code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
