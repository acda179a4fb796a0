"""Property tests: generated programs never break the engine, and answers do not depend on how
the work is split.

The generated programs come from hypothesmith (valid Python from the grammar and from libcst's
node types). Runs are bounded (``max_examples``) and derandomized, so CI sees the same examples
every time; set ``GILCHECK_SLOW=1`` for the run over the whole standard library.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gilcheck import engine  # noqa: E402
from gilcheck.config import Config  # noqa: E402
from gilcheck.engine import RunOptions, check_paths, check_source  # noqa: E402
from gilcheck.findings import Confidence  # noqa: E402

SLOW = os.environ.get("GILCHECK_SLOW") == "1"
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # from compiling examples

# The engine raises the recursion limit for deep files the first time it runs; raising it now
# keeps hypothesis from warning that a test changed it.
sys.setrecursionlimit(max(sys.getrecursionlimit(), engine._RECURSION_LIMIT))

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

#: Every rule and every confidence: what is checked is all the engine can say.
EVERYTHING = Config(min_confidence=Confidence.LOW)

# A threaded prefix makes the generated code reachable from a thread, so rules that need thread
# evidence run too, not just the parse.
THREADED_PREFIX = (
    "import threading\n"
    "_lock = threading.Lock()\n"
    "state = {}\n"
    "def _worker():\n"
    "    global state\n"
    "    state = {}\n"
    "threading.Thread(target=_worker).start()\n"
)


def _snapshot(source: str) -> tuple[object, ...]:
    report = check_source(source, "generated.py", config=EVERYTHING)
    assert report.internal_errors == [], f"internal error on:\n{source}\n{report.internal_errors}"
    return (
        tuple(report.findings),
        report.hidden,
        report.suppressed,
        tuple(report.unused_suppressions),
    )


def _check_deterministic(source: str) -> None:
    first = _snapshot(source)
    second = _snapshot(source)
    assert first == second
    for finding in first[0]:  # type: ignore[attr-defined]
        assert finding.line >= 1
        assert finding.column >= 1
        assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)


@BOUNDED
@given(source=hypothesmith.from_grammar())
def test_grammar_programs_never_break_the_engine(source: str) -> None:
    _check_deterministic(source)


@BOUNDED
@given(source=hypothesmith.from_node())
def test_node_programs_never_break_the_engine(source: str) -> None:
    _check_deterministic(source)


@BOUNDED
@given(source=hypothesmith.from_node())
def test_threaded_node_programs_never_break_the_engine(source: str) -> None:
    _check_deterministic(THREADED_PREFIX + source)


# -- the process pool gives the same answers as one process -------------------------------------


def _write_project(root: Path, sources: list[str]) -> None:
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for i, source in enumerate(sources):
        (package / f"mod{i}.py").write_text(source, encoding="utf-8")
    # a module that starts threads on everything, so cross-module confidence is exercised
    imports = "".join(f"from pkg import mod{i}\n" for i in range(len(sources)))
    (package / "main.py").write_text(
        "import threading\n" + imports + "threading.Thread(target=print).start()\n",
        encoding="utf-8",
    )


def _run(root: Path, jobs: int) -> tuple[object, ...]:
    report = check_paths([str(root)], EVERYTHING, RunOptions(jobs=jobs))
    assert report.internal_errors == []
    return (tuple(report.findings), report.hidden, report.files_checked)


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(
    # from_grammar, not from_node: from_node calls hypothesis.target(), once per test case
    sources=st.lists(
        st.one_of(hypothesmith.from_grammar(), st.just(THREADED_PREFIX)), min_size=3, max_size=8
    )
)
def test_jobs_1_and_jobs_2_agree(sources: list[str], monkeypatch_pool: None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_project(root, sources)
        one = _run(root, 1)
        two = _run(root, 2)
    assert one == two


@pytest.fixture(scope="module")
def monkeypatch_pool() -> object:
    """Use the pool even for the few files a generated project has."""
    saved = engine.MIN_FILES_FOR_POOL
    engine.MIN_FILES_FOR_POOL = 1
    yield None
    engine.MIN_FILES_FOR_POOL = saved


_PID_DIR = "GILCHECK_TEST_PID_DIR"


def _spy_chunk(tasks: list[engine._Task]) -> list[object]:
    """Stands in for ``engine._check_chunk``; pickled by reference, so it runs in the workers."""
    Path(os.environ[_PID_DIR], str(os.getpid())).touch()
    return [engine._check_one(task) for task in tasks]


def test_pool_is_really_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The agreement test above is only worth something if --jobs 2 takes the pool path."""
    monkeypatch.setattr(engine, "MIN_FILES_FOR_POOL", 1)
    monkeypatch.setattr(engine, "_check_chunk", _spy_chunk)
    pid_dir = tmp_path / "pids"
    pid_dir.mkdir()
    monkeypatch.setenv(_PID_DIR, str(pid_dir))
    project = tmp_path / "project"
    project.mkdir()
    _write_project(project, [THREADED_PREFIX, "x = 1\n"])
    report = check_paths([str(project)], EVERYTHING, RunOptions(jobs=2))
    assert report.files_checked == 4
    pids = {int(p.name) for p in pid_dir.iterdir()}
    assert pids, "no chunk went through the pool"
    assert os.getpid() not in pids


# -- a real corpus: the standard library of the running interpreter ----------------------------


def stdlib_corpus() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


STDLIB_EXCLUDES = ("test", "tests", "idle_test", "site-packages")


@pytest.mark.skipif(not SLOW, reason="set GILCHECK_SLOW=1 (takes about a minute)")
def test_stdlib_has_no_internal_errors() -> None:
    config = Config(extend_exclude=STDLIB_EXCLUDES)
    report = check_paths([str(stdlib_corpus())], config, RunOptions(jobs=os.cpu_count()))
    assert report.files_checked > 500
    assert report.internal_errors == []
