"""Behaviour of the command line, through click's CliRunner and through real processes.

Every test works in its own temporary directory (the current directory during the test) and
passes ``--no-cache`` unless it is about the cache, so nothing is left in the checkout.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import gilcheck
from gilcheck.analysis.project import NO_THREAD, ONE_OWNER, ONE_UPDATER, PLAIN_STORE
from gilcheck.analysis.project import ONE_WAITER as ONE_WAITER_REASON
from gilcheck.cli import command
from gilcheck.registry import RULES

ROOT = Path(__file__).resolve().parents[1]

# A global read-modify-write reached from a thread: GIL001, high confidence, line 5.
THREADED = (
    "import threading\n"
    "counter = 0\n"
    "def work():\n"
    "    global counter\n"
    "    counter += 1\n"
    "for _ in range(2):\n"
    "    threading.Thread(target=work).start()\n"
    "print(counter)\n"
)
# A visible GIL001 at line 6 (pool threads update the global).
VISIBLE = (
    "counter = 0\n\n\ndef bump():\n    global counter\n    counter += 1\n\n\n"
    "def serve(pool):\n    pool.submit(bump)\n    return counter\n"
)
# The same update with no thread in sight: GIL001, low (hidden by default), line 6.
UNSEEN = (
    "counter = 0\n\n\ndef bump():\n    global counter\n    counter += 1\n\n\n"
    "def total():\n    return counter\n"
)
# A medium finding: a lock built lazily, no thread in sight (GIL002, line 6).
MEDIUM = (
    "import threading\n\n_lock = None\n\n\ndef get_lock():\n    global _lock\n"
    "    if _lock is None:\n        _lock = threading.Lock()\n    return _lock\n"
)
# Instance state with no evidence of sharing: GIL004, low confidence, line 6.
LOW = (
    "class Counter:\n"
    "    def __init__(self):\n"
    "        self.n = 0\n"
    "\n"
    "    def inc(self):\n"
    "        self.n += 1\n"
)
# Condition.wait() under `if` in two threads: GIL003, high confidence, line 10.
WAITER = (
    "import threading\n"
    "\n"
    "cv = threading.Condition()\n"
    "ready = False\n"
    "\n"
    "\n"
    "def consumer():\n"
    "    with cv:\n"
    "        if not ready:\n"
    "            cv.wait()\n"
    "\n"
    "\n"
    "for _ in range(2):\n"
    "    threading.Thread(target=consumer).start()\n"
)
# The same wait with one consumer thread: GIL003 at low (a single waiter's `if` holds).
ONE_WAITER = WAITER.replace("for _ in range(2):\n    threading", "threading")
# Correctly locked: no findings.
CLEAN = (
    "import threading\n"
    "\n"
    "_lock = threading.Lock()\n"
    "counter = 0\n"
    "\n"
    "\n"
    "def work():\n"
    "    global counter\n"
    "    with _lock:\n"
    "        counter += 1\n"
    "\n"
    "\n"
    "threading.Thread(target=work).start()\n"
)
BROKEN = "import threading\n\ndef broken(:\n    pass\n"

JSON_KEYS = {
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "code",
    "name",
    "message",
    "confidence",
    "suggestion",
    "replacement",
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def all(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict[str, object]:
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data

    def findings(self) -> list[dict[str, object]]:
        found = self.json()["findings"]
        assert isinstance(found, list)
        return found

    def codes(self) -> list[tuple[str, str]]:
        """(path, code) of each finding, from ``--format json`` output."""
        return [(str(f["path"]), str(f["code"])) for f in self.findings()]


def _runner() -> CliRunner:
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:  # click < 8.2
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg, unused-ignore]
    return CliRunner()


def cli(*args: str, cache: bool = False, env: dict[str, str] | None = None) -> Run:
    """Run the click command in-process (CliRunner), in the current directory."""
    argv = [*args] if cache else ["--no-cache", *args]
    result = _runner().invoke(command, argv, env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def _script() -> str:
    candidate = Path(sys.executable).parent / ("gilcheck.exe" if os.name == "nt" else "gilcheck")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("gilcheck")
    if found is None:
        pytest.skip("the gilcheck console script is not installed next to this Python")
    return found


def proc(
    *args: str,
    via: str = "module",
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    cache: bool = False,
) -> Run:
    """Run gilcheck in a real process: ``python -m gilcheck`` or the console script."""
    exe = [sys.executable, "-m", "gilcheck"] if via == "module" else [_script()]
    argv = [*args] if cache else ["--no-cache", *args]
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GILCHECK_CACHE_DIR")}
    full_env.update(env or {})
    done = subprocess.run(
        [*exe, *argv],
        cwd=cwd or Path.cwd(),
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return Run(done.returncode, done.stdout, done.stderr)


Invoke = Callable[..., Run]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GILCHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GILCHECK_TRACEBACK", raising=False)
    yield tmp_path


def _invoker(kind: str) -> Invoke:
    if kind == "runner":
        return cli

    def run(*args: str, **kwargs: object) -> Run:
        return proc(*args, via=kind, **kwargs)  # type: ignore[arg-type]

    return run


@pytest.fixture(params=["runner", "module"])
def invoke(request: pytest.FixtureRequest) -> Invoke:
    """The same behaviour in-process (CliRunner) and in a real ``python -m gilcheck``."""
    return _invoker(str(request.param))


@pytest.fixture(params=["runner", "module", "script"])
def invoke_all(request: pytest.FixtureRequest) -> Invoke:
    """...and through the console script installed with the package."""
    return _invoker(str(request.param))


def write(path: str | Path, text: str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def assert_usage_error(run: Run, *fragments: str) -> None:
    assert run.code == 2, run
    assert "Traceback" not in run.all
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("gilcheck: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# -- output formats -------------------------------------------------------------------------


def test_text_format_shows_location_code_source_fix_and_summary(invoke_all: Invoke) -> None:
    write("bad.py", THREADED)
    run = invoke_all("bad.py")
    assert run.code == 1, run
    lines = run.stdout.splitlines()
    assert lines[0].startswith("bad.py:5:5: GIL001 [high] ")
    assert "`counter`" in lines[0]
    assert "5 |     counter += 1" in run.stdout
    assert "^^^^^^^^^^^^" in run.stdout  # the whole statement is underlined
    assert "with _counter_lock:" in run.stdout  # the concrete fix
    assert "gilcheck --explain GIL001" in run.stdout
    assert lines[-1].startswith("Found 1 finding")
    assert "1 high" in lines[-1]
    assert lines[-1].endswith("in 1 file checked.")
    assert "Traceback" not in run.all


def test_text_format_clean_run(invoke: Invoke) -> None:
    write("ok.py", CLEAN)
    run = invoke("ok.py")
    assert run.code == 0, run
    assert "GIL0" not in run.stdout
    assert "1 file checked" in run.stdout


def test_concise_format_is_one_line_per_finding() -> None:
    write("bad.py", THREADED)
    write("waiter.py", WAITER)
    run = cli("--format", "concise", ".")
    assert run.code == 1
    finding_lines = [line for line in run.stdout.splitlines() if ": GIL0" in line]
    assert [line.split(":")[0:3] for line in finding_lines] == [
        ["bad.py", "5", "5"],
        ["waiter.py", "10", "13"],
    ]
    assert "help:" not in run.stdout
    assert " | " not in run.stdout  # no source excerpt
    assert "Found 2 findings" in run.stdout


def test_one_waiter_is_low_and_says_why() -> None:
    """A wait under `if` with one consumer thread is hidden by default (CPython's Condition
    has no spurious wakeups); `--min-confidence low` shows it with the reason."""
    write("waiter.py", ONE_WAITER)
    assert cli("--format", "json", "waiter.py").codes() == []
    run = cli("--format", "json", "--min-confidence", "low", "waiter.py")
    (finding,) = run.findings()
    assert (finding["code"], finding["line"], finding["confidence"]) == ("GIL003", 10, "low")
    assert finding["message"].endswith("(low: " + ONE_WAITER_REASON + ")")
    write("waiter.py", WAITER)
    (finding,) = cli("--format", "json", "waiter.py").findings()
    assert finding["confidence"] == "high"
    assert (
        "(reachable from threading.Thread(target=consumer) at waiter.py:14)" in (finding["message"])
    )


def test_json_contract_order_and_paths(invoke: Invoke) -> None:
    write("b_threads.py", THREADED)
    write("a_pkg/medium.py", VISIBLE)
    write("a_pkg/waiter.py", WAITER)
    write("c_broken.py", BROKEN)
    write("d_ok.py", CLEAN)
    run = invoke("--format", "json", ".")
    assert run.code == 1, run
    data = run.json()
    assert set(data) >= {"version", "findings", "summary"}
    assert data["version"] == gilcheck.__version__
    findings = run.findings()
    for finding in findings:
        assert set(finding) >= JSON_KEYS
        assert finding["name"] == RULES[str(finding["code"])].name
        assert finding["confidence"] in ("low", "medium", "high")
        assert isinstance(finding["line"], int) and finding["line"] >= 1
        assert isinstance(finding["column"], int) and finding["column"] >= 1
        assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])
    assert run.codes() == [
        ("a_pkg/medium.py", "GIL001"),
        ("a_pkg/waiter.py", "GIL003"),
        ("b_threads.py", "GIL001"),
        ("c_broken.py", "GIL000"),
    ]
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in findings]
    assert keys == sorted(keys)
    threaded = findings[2]
    assert (threaded["line"], threaded["column"], threaded["end_line"]) == (5, 5, 5)
    assert threaded["end_column"] == 17  # exclusive end of `counter += 1`
    assert threaded["confidence"] == "high"
    assert "counter += 1" in str(threaded["replacement"])
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert summary["files_checked"] == 5
    assert summary["findings"] == 4


def test_json_and_sarif_say_which_thread_and_why_low(invoke: Invoke) -> None:
    """A high finding names the thread start that reaches it; a low one says why it is low
    (the evidence it lacks); neither key is set where it does not apply."""
    write("threads.py", THREADED)
    write("unseen.py", UNSEEN)
    write("medium.py", MEDIUM)
    run = invoke("--format", "json", "--min-confidence", "low", ".")
    by_path = {f["path"]: f for f in run.findings()}
    assert set(by_path) == {"threads.py", "unseen.py", "medium.py"}
    high, low, medium = by_path["threads.py"], by_path["unseen.py"], by_path["medium.py"]
    assert (high["confidence"], low["confidence"], medium["confidence"]) == (
        "high",
        "low",
        "medium",
    )
    assert high["entry_point"] == "threading.Thread(target=work) at threads.py:7"
    assert high["why_low"] is None
    assert low["entry_point"] is None
    assert low["why_low"] == NO_THREAD
    assert medium["entry_point"] is None and medium["why_low"] is None
    sarif = invoke("--format", "sarif", "--min-confidence", "low", ".").json()
    runs = sarif["runs"]
    assert isinstance(runs, list)
    props = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["properties"]
        for r in runs[0]["results"]
    }
    assert props["threads.py"] == {
        "confidence": "high",
        "entryPoint": "threading.Thread(target=work) at threads.py:7",
    }
    assert props["unseen.py"] == {"confidence": "low", "whyLow": NO_THREAD}
    assert props["medium.py"] == {"confidence": "medium"}


def test_json_paths_are_relative_to_the_current_directory(tmp_path: Path) -> None:
    write("pkg/bad.py", THREADED)
    assert cli("--format", "json", str(tmp_path / "pkg" / "bad.py")).codes() == [
        ("pkg/bad.py", "GIL001")
    ]
    assert cli("--format", "json", "./pkg/").codes() == [("pkg/bad.py", "GIL001")]
    os.chdir(tmp_path / "pkg")
    assert cli("--format", "json", ".").codes() == [("bad.py", "GIL001")]
    assert cli("--format", "json", "../pkg/bad.py").codes() == [("../pkg/bad.py", "GIL001")]


def test_sarif_format() -> None:
    write("bad.py", THREADED)
    write("waiter.py", WAITER)
    run = cli("--format", "sarif", ".")
    assert run.code == 1
    data = run.json()
    assert data["version"] == "2.1.0"
    runs = data["runs"]
    assert isinstance(runs, list) and len(runs) == 1
    results = runs[0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["GIL001", "GIL003"]
    rule_ids = {rule["id"] for rule in runs[0]["tool"]["driver"]["rules"]}
    assert {"GIL001", "GIL003"} <= rule_ids
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"bad.py", "waiter.py"}


def test_github_format() -> None:
    write("bad.py", THREADED)
    run = cli("--format", "github", "bad.py")
    assert run.code == 1
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("::")
    assert "file=bad.py,line=5,col=5" in lines[0]
    assert "GIL001" in lines[0]


def test_markdown_format() -> None:
    write("bad.py", THREADED)
    write("waiter.py", WAITER)
    run = cli("--format", "markdown", ".")
    assert run.code == 1
    assert run.stdout.startswith("# ")
    assert "GIL001" in run.stdout and "GIL003" in run.stdout
    assert "`bad.py`" in run.stdout
    assert "| --- |" in run.stdout  # it has tables


SENDER = """\
import threading


class Sender:
    def __init__(self):
        self._lock = threading.Lock()
        self.sent = 0
        self.queued = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            self.sent += 1
            self.queued -= 1

    def reset(self):
        self.sent = 0
"""


def test_json_tells_one_updater_from_one_owner() -> None:
    """A counter that only the sender thread updates is ``low`` for one of two reasons: no
    other thread writes it (``queued``), or the others only store a new value (``sent``,
    zeroed by ``reset()``): a race then loses the reset, not an update."""
    write("sender.py", SENDER)
    run = cli("--format", "json", "--min-confidence", "low", "sender.py")
    found = json.loads(run.stdout)["findings"]
    why = {f["line"]: (f["confidence"], f["why_low"]) for f in found}
    assert why == {13: ("low", ONE_UPDATER), 14: ("low", ONE_OWNER)}
    # a second updater makes it a lost update again
    write("sender.py", SENDER.replace("self.sent = 0", "self.sent += 10"))
    found = json.loads(cli("--format", "json", "sender.py").stdout)["findings"]
    assert [(f["line"], f["confidence"]) for f in found] == [(13, "high")]


STOPPER = """\
import threading


class Stopper:
    def __init__(self):
        self._lock = threading.Lock()
        self.running = True
        self.ticks = 0
        threading.Thread(target=self._run, daemon=True).start()
        threading.Timer(5.0, self.stop).start()
        threading.Thread(target=self.bump).start()

    def _run(self):
        while self.running:
            with self._lock:
                self.ticks += 1
                self.running = self.ticks < 100

    def stop(self):
        self.running = False

    def bump(self):
        self.ticks += 1
"""


def test_unlocked_plain_store_is_low_and_says_why() -> None:
    """GIL006: a plain store without the lock is ``low`` by the rule's own judgement, and says
    so (message and ``why_low``), like every other ``low`` finding; a read-modify-write without
    it is ``high``."""
    write("stopper.py", STOPPER)
    found = cli("--format", "json", "--min-confidence", "low", "stopper.py").findings()
    got = {f["line"]: (f["code"], f["confidence"], f["why_low"]) for f in found}
    assert got == {20: ("GIL006", "low", PLAIN_STORE), 23: ("GIL006", "high", None)}
    (store,) = [f for f in found if f["line"] == 20]
    assert store["message"].endswith(f"(low: {PLAIN_STORE})")
    markdown = cli("--format", "markdown", "--min-confidence", "low", "stopper.py").stdout
    assert f"(GIL006): {PLAIN_STORE}" in markdown


def test_markdown_audit_says_why_low_findings_are_low() -> None:
    write("unseen.py", UNSEEN)  # a global update no thread is seen running
    write("counter.py", LOW)  # instance state of a class nothing shares
    write("bad.py", THREADED)
    run = cli("--format", "markdown", "--min-confidence", "low", ".")
    assert run.code == 1
    section = run.stdout.split("## Why the low findings are low", 1)[1].split("\n## ", 1)[0]
    bullets = sorted(line for line in section.splitlines() if line.startswith("- "))
    assert bullets[0].startswith(
        "- **1** (GIL001): no thread gilcheck can see runs this code; if a framework"
    )
    assert bullets[1].startswith(
        "- **1** (GIL004): instance state of a class no thread is seen sharing"
    )
    assert len(bullets) == 2
    # at the default --min-confidence the low findings are not in the report at all
    assert "Why the low" not in cli("--format", "markdown", ".").stdout


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_output_file_writes_the_report_and_nothing_on_stdout(invoke: Invoke, fmt: str) -> None:
    write("bad.py", THREADED)
    run = invoke("--format", fmt, "--output-file", "report.out", "bad.py")
    assert run.code == 1, run
    assert run.stdout == ""
    text = Path("report.out").read_text(encoding="utf-8")
    assert "GIL001" in text
    if fmt in ("json", "sarif"):
        json.loads(text)
    assert text == cli("--format", fmt, "bad.py").stdout


def test_output_file_in_missing_directory_is_a_usage_error() -> None:
    write("bad.py", THREADED)
    assert_usage_error(cli("--output-file", "no/such/dir/report.txt", "bad.py"), "report.txt")


def test_statistics_counts_per_rule() -> None:
    write("one.py", THREADED)
    write("two.py", THREADED.replace("counter", "total"))
    write("waiter.py", WAITER)
    run = cli("--statistics", ".")
    assert run.code == 1
    rows = {line.split()[1]: line.split() for line in run.stdout.splitlines() if "GIL0" in line}
    assert set(rows) == {"GIL001", "GIL003"}
    assert rows["GIL001"][0] == "2" and rows["GIL001"][2] == "global-rmw"
    assert rows["GIL003"][0] == "1" and rows["GIL003"][2] == "wait-not-in-loop"
    assert "one.py:5:5" not in run.stdout  # counts, not the findings
    assert "Found 3 findings in 3 files checked." in run.stdout


# -- exit codes and errors --------------------------------------------------------------------


def test_exit_codes(invoke_all: Invoke) -> None:
    write("ok.py", CLEAN)
    write("bad.py", THREADED)
    write("broken.py", BROKEN)
    assert invoke_all("ok.py").code == 0
    assert invoke_all("bad.py").code == 1
    broken = invoke_all("broken.py")
    assert broken.code == 1
    assert "GIL000" in broken.stdout
    exit_zero = invoke_all("--exit-zero", "bad.py")
    assert exit_zero.code == 0
    assert "GIL001" in exit_zero.stdout  # still shown


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--select", "GIL999"], ["--select", "GIL999"]),
        (["--ignore", "GIL001,NOPE"], ["--ignore", "NOPE"]),
        (["--extend-select", "GIL7"], ["--extend-select", "GIL7"]),
        (["missing.py"], ["missing.py"]),
        (["ok.py", "missing_dir/"], ["missing_dir"]),
        (["--no-such-option"], ["--no-such-option"]),
        (["--min-confidence", "extreme"], ["extreme"]),
        (["--format", "xml"], ["xml"]),
        (["--jobs", "0"], ["--jobs"]),
        (["--explain", "GIL999"], ["GIL999"]),
        (["--baseline", "missing.json", "ok.py"], ["missing.json"]),
        (["--config", "missing.toml"], ["missing.toml"]),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    invoke_all: Invoke, args: list[str], fragments: list[str]
) -> None:
    write("ok.py", CLEAN)
    run = invoke_all(*args)
    assert_usage_error(run, *fragments)
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        ("[tool.gilcheck]\nbogus = 1\n", ["pyproject.toml", "bogus"]),
        ('[tool.gilcheck]\nmin-confidence = "extreme"\n', ["pyproject.toml", "min-confidence"]),
        ('[tool.gilcheck]\nselect = ["GIL999"]\n', ["pyproject.toml", "select", "GIL999"]),
        ('[tool.gilcheck]\nformat = "xml"\n', ["pyproject.toml", "format"]),
        ("[tool.gilcheck\nselect = 1\n", ["pyproject.toml", "TOML"]),
    ],
)
def test_bad_config_file_exits_2_with_one_line(
    invoke_all: Invoke, toml: str, fragments: list[str]
) -> None:
    write("ok.py", CLEAN)
    write("pyproject.toml", toml)
    assert_usage_error(invoke_all("ok.py"), *fragments)


def test_internal_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import gilcheck.engine

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(gilcheck.engine, "check_files", explode)
    write("ok.py", CLEAN)
    run = cli("ok.py")
    assert_usage_error(run, "internal error", "RuntimeError", "boom second line")


# -- rule selection ---------------------------------------------------------------------------


@pytest.fixture
def mixed() -> None:
    """Files with GIL001 (high), GIL002 (medium), GIL003 (high) and GIL004 (low)."""
    write("bad.py", THREADED)
    write("medium.py", MEDIUM)
    write("waiter.py", WAITER)
    write("low.py", LOW)


@pytest.mark.usefixtures("mixed")
def test_select_ignore_and_extend_select() -> None:
    everything = [("bad.py", "GIL001"), ("medium.py", "GIL002"), ("waiter.py", "GIL003")]
    json = ("--format", "json", "--min-confidence", "medium")
    assert cli(*json).codes() == everything
    assert cli(*json, "--select", "GIL00").codes() == everything
    assert cli(*json, "--select", "gil003").codes() == [("waiter.py", "GIL003")]
    assert cli(*json, "--ignore", "GIL001").codes() == everything[1:]
    assert cli(*json, "--select", "GIL003", "--extend-select", "GIL001").codes() == [
        ("bad.py", "GIL001"),
        ("waiter.py", "GIL003"),
    ]
    assert cli(*json, "--select", "GIL002,GIL005").codes() == [("medium.py", "GIL002")]
    assert cli("--select", "GIL005").code == 0


@pytest.mark.usefixtures("mixed")
def test_min_confidence_changes_what_is_shown(invoke: Invoke) -> None:
    # the default is high: medium findings (25% real on the reviewed corpora) are opt-in
    default = invoke("--format", "json")
    assert default.codes() == [("bad.py", "GIL001"), ("waiter.py", "GIL003")]
    summary = default.json()["summary"]
    assert isinstance(summary, dict)
    assert summary["hidden_below_confidence"] == 2 and summary["hidden_medium"] == 1
    medium = invoke("--format", "json", "--min-confidence", "Medium")
    assert medium.codes() == [
        ("bad.py", "GIL001"),
        ("medium.py", "GIL002"),
        ("waiter.py", "GIL003"),
    ]
    summary = medium.json()["summary"]
    assert isinstance(summary, dict)
    assert summary["hidden_below_confidence"] == 1 and summary["hidden_medium"] == 0
    low = invoke("--format", "json", "--min-confidence", "low").codes()
    assert ("low.py", "GIL004") in low and len(low) == 4
    assert invoke("medium.py").code == 0
    assert invoke("--min-confidence", "medium", "medium.py").code == 1


def test_a_folder_of_one_file_is_a_whole_project_a_file_named_alone_is_not() -> None:
    """The write-only test needs every reader in the run. A folder given on the command line
    is the whole project even when it holds one file; a file named alone (a pre-commit hook's
    one changed file) may be read by files the run was not given, so its finding stays."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects" / "write_only_one_file", "proj")
    folder = cli("--format", "json", "--min-confidence", "low", "proj")
    alone = cli("--format", "json", "--min-confidence", "low", "proj/sender.py")
    by_line = {(f["line"], f["confidence"]) for f in folder.findings() if f["code"] == "GIL004"}
    assert by_line == {(20, "high"), (22, "low")}
    (lowered,) = [f for f in folder.findings() if f["line"] == 22]
    assert "nothing reads it" in str(lowered["message"])
    by_line = {(f["line"], f["confidence"]) for f in alone.findings() if f["code"] == "GIL004"}
    assert by_line == {(20, "high"), (22, "high")}


@pytest.mark.usefixtures("mixed")
def test_hidden_medium_findings_are_named_in_the_summary(invoke: Invoke) -> None:
    text = invoke("--format", "text").stdout
    assert (
        "2 more below --min-confidence hidden (1 medium: --min-confidence medium shows them)."
        in text
    )
    assert "shows them" not in invoke("--format", "text", "--min-confidence", "medium").stdout
    audit = invoke("--format", "markdown").stdout
    assert (
        "2 more below --min-confidence hidden, 1 of them medium (`--min-confidence medium`)"
        in audit
    )


def test_list_rules(invoke: Invoke) -> None:
    run = invoke("--list-rules")
    assert run.code == 0
    for code, rule in RULES.items():
        assert any(code in line and rule.name in line for line in run.stdout.splitlines())
    assert len(RULES) == 7
    assert [c for c in RULES] == [f"GIL00{i}" for i in range(7)]


def test_explain_prints_the_rule_page(invoke: Invoke) -> None:
    run = invoke("--explain", "GIL003")
    assert run.code == 0
    assert run.stdout == (ROOT / "rules" / "GIL003.md").read_text(encoding="utf-8")
    assert "wait-not-in-loop" in run.stdout
    assert invoke("--explain", "gil005").stdout == (ROOT / "rules" / "GIL005.md").read_text(
        encoding="utf-8"
    )


def test_version(invoke: Invoke) -> None:
    run = invoke("--version")
    assert run.code == 0
    assert gilcheck.__version__ in run.stdout
    assert run.stdout.startswith("gilcheck")


def test_help() -> None:
    run = cli("--help")
    assert run.code == 0
    for option in ("--select", "--min-confidence", "--format", "--baseline", "--explain"):
        assert option in run.stdout


# -- file discovery ---------------------------------------------------------------------------


def files_checked(run: Run) -> int:
    summary = run.json()["summary"]
    assert isinstance(summary, dict)
    return int(summary["files_checked"])


def test_directories_are_searched_recursively_for_py_and_pyi() -> None:
    write("top.py", VISIBLE)
    write("pkg/__init__.py", "")
    write("pkg/sub/deep.py", THREADED)
    write("pkg/sub/stubs.pyi", "def f() -> int: ...\n")
    write("pkg/notes.txt", THREADED)
    write("pkg/script", THREADED)
    write("pkg/module.pyc", "not python")
    run = cli("--format", "json", ".")
    assert files_checked(run) == 4
    assert run.codes() == [("pkg/sub/deep.py", "GIL001"), ("top.py", "GIL001")]


EXCLUDED_DIRS = [
    ".git",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    ".nox",
    "node_modules",
    "thing.egg-info",
]


def test_default_excludes() -> None:
    write("main.py", THREADED)
    for name in EXCLUDED_DIRS:
        write(f"{name}/mod.py", THREADED)
        write(f"src/{name}/nested.py", THREADED)
    run = cli("--format", "json")
    assert files_checked(run) == 1
    assert run.codes() == [("main.py", "GIL001")]


def test_exclude_option() -> None:
    write("main.py", THREADED)
    write("generated/gen.py", THREADED)
    write("src/gen_models.py", THREADED)
    write("src/real.py", VISIBLE)
    run = cli("--format", "json", "--exclude", "generated", "--exclude", "gen_*.py", ".")
    assert run.codes() == [("main.py", "GIL001"), ("src/real.py", "GIL001")]
    # the default excludes stay in force
    write("build/out.py", THREADED)
    assert ("build/out.py", "GIL001") not in cli("--format", "json", "--exclude", "x").codes()


def test_explicitly_named_excluded_file_is_still_checked() -> None:
    write("build/bad.py", THREADED)
    write("gen_x.py", THREADED)
    assert cli("--format", "json", "build/bad.py").codes() == [("build/bad.py", "GIL001")]
    assert cli("--format", "json", "--exclude", "gen_*.py", "gen_x.py").codes() == [
        ("gen_x.py", "GIL001")
    ]
    # ...and a directory named explicitly is searched even though its name is excluded
    assert cli("--format", "json", "build").codes() == [("build/bad.py", "GIL001")]


def test_default_path_is_the_current_directory(invoke: Invoke) -> None:
    write("a.py", THREADED)
    write("sub/b.py", VISIBLE)
    run = invoke("--format", "json")
    assert run.codes() == [("a.py", "GIL001"), ("sub/b.py", "GIL001")]
    assert run.codes() == invoke("--format", "json", ".").codes()


def test_same_file_named_twice_is_checked_once() -> None:
    write("a.py", THREADED)
    run = cli("--format", "json", "a.py", ".", "./a.py")
    assert files_checked(run) == 1
    assert run.codes() == [("a.py", "GIL001")]


def test_syntax_error_file_among_good_files(invoke: Invoke) -> None:
    write("pkg/good.py", CLEAN)
    write("pkg/bad.py", THREADED)
    write("pkg/broken.py", BROKEN)
    write("pkg/zz.py", WAITER)
    run = invoke("--format", "json", "pkg")
    assert run.code == 1
    assert "Traceback" not in run.all
    assert run.codes() == [
        ("pkg/bad.py", "GIL001"),
        ("pkg/broken.py", "GIL000"),
        ("pkg/zz.py", "GIL003"),
    ]
    broken = run.findings()[1]
    assert broken["line"] == 3
    assert broken["name"] == "syntax-error"
    assert files_checked(run) == 4
    text = invoke("pkg")
    assert "pkg/broken.py:3:" in text.stdout
    assert "Traceback" not in text.all


def test_undecodable_and_empty_files_do_not_stop_the_run() -> None:
    Path("latin.py").write_bytes(b"# no coding line\nname = '\xe9t\xe9'\n")
    write("empty.py", "")
    write("bad.py", THREADED)
    run = cli("--format", "json", ".")
    assert run.code == 1
    assert run.codes() == [("bad.py", "GIL001"), ("latin.py", "GIL000")]
    assert "Traceback" not in run.all


# -- colors -----------------------------------------------------------------------------------


def _run_in_pty(args: list[str], env: dict[str, str]) -> bytes:
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "gilcheck", "--no-cache", *args],
            stdout=slave,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colors_only_on_a_terminal_without_no_color() -> None:
    write("bad.py", THREADED)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    # piped: never colored
    assert "\x1b[" not in proc("bad.py").stdout
    assert "\x1b[" not in cli("bad.py").stdout
    # a terminal: colored, unless NO_COLOR is set
    on_tty = _run_in_pty(["bad.py"], env)
    assert b"GIL001" in on_tty and b"\x1b[" in on_tty
    no_color = _run_in_pty(["bad.py"], {**env, "NO_COLOR": "1"})
    assert b"GIL001" in no_color and b"\x1b[" not in no_color
    # --output-file on a terminal: the file has no escapes
    _run_in_pty(["--output-file", "out.txt", "bad.py"], env)
    assert "\x1b[" not in Path("out.txt").read_text(encoding="utf-8")


# -- configuration ----------------------------------------------------------------------------


def pyproject(body: str, where: str = "pyproject.toml") -> None:
    write(where, "[project]\nname = 'demo'\n\n[tool.gilcheck]\n" + body)


@pytest.mark.usefixtures("mixed")
def test_config_select_and_ignore() -> None:
    pyproject('select = ["GIL003"]\n')
    assert cli("--format", "json").codes() == [("waiter.py", "GIL003")]
    pyproject('ignore = ["GIL003"]\nmin-confidence = "medium"\n')
    assert cli("--format", "json").codes() == [("bad.py", "GIL001"), ("medium.py", "GIL002")]
    pyproject(
        'select = ["GIL003"]\nextend-select = ["GIL001", "GIL002"]\nmin-confidence = "medium"\n'
    )
    assert len(cli("--format", "json").codes()) == 3


@pytest.mark.usefixtures("mixed")
def test_config_min_confidence() -> None:
    pyproject('min-confidence = "high"\n')
    assert cli("--format", "json").codes() == [("bad.py", "GIL001"), ("waiter.py", "GIL003")]
    pyproject('min-confidence = "low"\n')
    assert ("low.py", "GIL004") in cli("--format", "json").codes()


def test_config_format(invoke: Invoke) -> None:
    write("bad.py", THREADED)
    pyproject('format = "json"\n')
    assert invoke("bad.py").codes() == [("bad.py", "GIL001")]
    pyproject('format = "github"\n')
    assert invoke("bad.py").stdout.startswith("::")


def test_config_per_file_ignores() -> None:
    write("tests/test_x.py", VISIBLE)
    write("src/app.py", VISIBLE)
    write("scripts/tool.py", WAITER)
    pyproject(
        '[tool.gilcheck.per-file-ignores]\n"tests/**" = ["GIL001"]\n"scripts/*.py" = ["GIL00"]\n'
    )
    assert cli("--format", "json").codes() == [("src/app.py", "GIL001")]
    assert cli("--format", "json", "tests").codes() == []


def test_config_per_file_ignores_from_a_subdirectory() -> None:
    write("tests/test_x.py", VISIBLE)
    pyproject('[tool.gilcheck.per-file-ignores]\n"tests/**" = ["GIL001"]\n')
    os.chdir("tests")
    assert cli("--format", "json", ".").codes() == []


def test_config_exclude_replaces_defaults_and_extend_exclude_adds() -> None:
    write("main.py", THREADED)
    write("vendored/lib.py", THREADED)
    write("build/out.py", THREADED)
    pyproject('extend-exclude = ["vendored"]\n')
    assert cli("--format", "json").codes() == [("main.py", "GIL001")]
    pyproject('exclude = ["vendored"]\n')
    assert cli("--format", "json").codes() == [("build/out.py", "GIL001"), ("main.py", "GIL001")]
    pyproject('extend-exclude = ["vendored/*.py"]\n')
    assert cli("--format", "json", "--exclude", "main.py").codes() == []


def test_config_thread_entry_points() -> None:
    write(
        "tasks.py",
        "from helpers import spawn\n"
        "counter = 0\n"
        "def work():\n"
        "    global counter\n"
        "    counter += 1\n"
        "spawn(work)\n"
        "spawn(work)\n"
        "print(counter)\n",  # read: not a write-only counter
    )
    without = cli("--format", "json", "--min-confidence", "high")
    assert without.codes() == []
    pyproject('thread-entry-points = ["helpers.spawn"]\n')
    run = cli("--format", "json", "--min-confidence", "high")
    assert run.codes() == [("tasks.py", "GIL001")]
    assert run.findings()[0]["confidence"] == "high"


def test_config_lock_types() -> None:
    write(
        "locked.py",
        "import threading\n"
        "from mylocks import TimedLock\n"
        "_lock = TimedLock()\n"
        "counter = 0\n"
        "def work():\n"
        "    global counter\n"
        "    with _lock:\n"
        "        counter += 1\n"
        "def other():\n"
        "    global counter\n"
        "    counter += 1\n"
        "threading.Thread(target=work).start()\n"
        "threading.Thread(target=other).start()\n"
        "print(counter)\n",  # read: not a write-only counter
    )
    # without the setting TimedLock is not known to be a lock: no inconsistent locking
    assert "GIL006" not in [code for _, code in cli("--format", "json").codes()]
    pyproject('lock-types = ["mylocks.TimedLock"]\n')
    run = cli("--format", "json")
    assert ("locked.py", "GIL006") in run.codes()
    assert [f["line"] for f in run.findings() if f["code"] == "GIL006"] == [11]


@pytest.mark.usefixtures("mixed")
def test_command_line_beats_config() -> None:
    pyproject('select = ["GIL003"]\nformat = "json"\nmin-confidence = "high"\n')
    run = cli("--select", "GIL001,GIL002", "--format", "concise", "--min-confidence", "medium")
    assert not run.stdout.startswith("{")
    shown = [line.split(":")[0] for line in run.stdout.splitlines() if ": GIL0" in line]
    assert shown == ["bad.py", "medium.py"]
    # a --select on the command line starts afresh: the configured ignore no longer applies
    pyproject('ignore = ["GIL001", "GIL002"]\n')
    assert cli("--format", "json").codes() == [("waiter.py", "GIL003")]
    assert cli(
        "--format", "json", "--select", "GIL001,GIL002", "--min-confidence", "medium"
    ).codes() == [
        ("bad.py", "GIL001"),
        ("medium.py", "GIL002"),
    ]
    # --ignore adds to the configured ignore
    assert cli("--format", "json", "--ignore", "GIL003").codes() == []


def test_config_found_in_a_parent_directory(tmp_path: Path) -> None:
    write("pkg/bad.py", THREADED)
    pyproject('ignore = ["GIL001"]\n')
    os.chdir(tmp_path / "pkg")
    assert cli("bad.py").code == 0
    assert cli("--format", "json", "bad.py").codes() == []


def test_pyproject_without_gilcheck_table_is_ignored() -> None:
    write("pyproject.toml", "[project]\nname = 'x'\n\n[tool.ruff]\nline-length = 100\n")
    write("bad.py", THREADED)
    assert cli("bad.py").code == 1


def test_pyproject_naming_gilcheck_as_a_dependency_is_ignored() -> None:
    write(
        "pyproject.toml",
        "[project]\nname = 'x'\n[project.optional-dependencies]\ndev = ['gilcheck>=0.1']\n",
    )
    write("bad.py", THREADED)
    assert cli("bad.py").code == 1


@pytest.mark.parametrize(
    "table",
    [
        '[tool."gilcheck"]\nignore = ["GIL001"]\n',
        '[tool]\ngilcheck = { ignore = ["GIL001"] }\n',
        'tool.gilcheck.ignore = ["GIL001"]\n',
    ],
)
def test_every_toml_spelling_of_the_table_is_read(table: str) -> None:
    write("pyproject.toml", table)
    write("bad.py", THREADED)
    assert cli("--format", "json", "bad.py").codes() == []


def test_show_config(invoke: Invoke, tmp_path: Path) -> None:
    pyproject('ignore = ["GIL002"]\nmin-confidence = "high"\n')
    run = invoke("--show-config")
    assert run.code == 0, run
    lines = run.stdout.splitlines()
    assert 'ignore = ["GIL002"]' in lines
    assert 'min-confidence = "high"' in lines
    assert any(line.startswith("source = ") and "pyproject.toml" in line for line in lines)
    assert any(line.startswith("enabled-codes") and "GIL002" not in line for line in lines)
    overridden = invoke("--show-config", "--min-confidence", "low", "--format", "sarif")
    assert 'min-confidence = "low"' in overridden.stdout.splitlines()
    assert 'format = "sarif"' in overridden.stdout.splitlines()


def test_config_option(tmp_path: Path) -> None:
    write("bad.py", THREADED)
    write("settings/gilcheck.toml", 'ignore = ["GIL001"]\n')
    write("other/pyproject.toml", '[tool.gilcheck]\nformat = "json"\n')
    pyproject('select = ["GIL003"]\n')  # discovered config, overridden by --config
    assert cli("--config", "settings/gilcheck.toml", "bad.py").code == 0
    assert cli("--config", "other/pyproject.toml", "bad.py").codes() == [("bad.py", "GIL001")]
    write("settings/bad.toml", "bogus = true\n")
    assert_usage_error(cli("--config", "settings/bad.toml", "bad.py"), "bad.toml", "bogus")


# -- suppressions -----------------------------------------------------------------------------


def _summary(run: Run) -> dict[str, object]:
    summary = run.json()["summary"]
    assert isinstance(summary, dict)
    return summary


@pytest.mark.parametrize(
    "line",
    [
        "    counter += 1  # gilcheck: ignore[GIL001]",
        "    counter += 1  # gilcheck: ignore[GIL00] -- reviewed, single writer",
        "    counter += 1  # gilcheck: ignore",
        "    # gilcheck: ignore[GIL001]\n    counter += 1",
    ],
    ids=["inline", "prefix-with-reason", "bare", "line-above"],
)
def test_suppression_comments(invoke: Invoke, line: str) -> None:
    write("bad.py", THREADED.replace("    counter += 1", line))
    run = invoke("--format", "json", "bad.py")
    assert run.code == 0, run
    assert run.codes() == []
    assert _summary(run)["suppressed"] == 1


def test_suppression_for_another_code_does_not_hide() -> None:
    write("bad.py", THREADED.replace("counter += 1", "counter += 1  # gilcheck: ignore[GIL004]"))
    assert cli("--format", "json", "bad.py").codes() == [("bad.py", "GIL001")]


def test_ignore_file_comment() -> None:
    write("bad.py", "# gilcheck: ignore-file[GIL001]\n" + THREADED + WAITER.replace("cv", "cv2"))
    assert cli("--format", "json", "bad.py").codes() == [("bad.py", "GIL003")]
    write("all.py", "#!/usr/bin/env python\n# gilcheck: ignore-file\n" + THREADED)
    assert cli("all.py").code == 0


def test_report_unused_suppressions(invoke: Invoke) -> None:
    source = THREADED.replace("counter += 1", "counter += 1  # gilcheck: ignore[GIL001]")
    source += "x = 1  # gilcheck: ignore[GIL002]\n"
    write("s.py", source)
    assert invoke("s.py").code == 0
    run = invoke("--report-unused-suppressions", "s.py")
    assert run.code == 1
    assert "s.py:9:" in run.all and "unused suppression" in run.all and "GIL002" in run.all
    assert "s.py:5:" not in run.all  # the used one is not reported
    # with a machine-readable format the JSON on stdout stays valid
    as_json = invoke("--report-unused-suppressions", "--format", "json", "s.py")
    assert as_json.code == 1
    assert as_json.codes() == []
    assert "unused suppression" in as_json.stderr
    # with --output-file nothing at all goes to stdout
    to_file = invoke("--report-unused-suppressions", "--output-file", "r.txt", "s.py")
    assert to_file.stdout == ""
    assert "unused suppression" in to_file.stderr


# -- baseline ---------------------------------------------------------------------------------


def test_baseline_round_trip(invoke: Invoke) -> None:
    write("app.py", THREADED)
    written = invoke("--write-baseline", "b.json", "app.py")
    assert written.code == 0
    assert "1 finding" in written.stderr
    json.loads(Path("b.json").read_text(encoding="utf-8"))

    run = invoke("--baseline", "b.json", "app.py")
    assert run.code == 0, run
    assert "GIL001" not in run.stdout
    assert invoke("--baseline", "b.json", "--format", "json", "app.py").codes() == []

    # moving the code does not resurrect the finding
    write("app.py", "# a comment\n" * 10 + THREADED)
    moved = invoke("--baseline", "b.json", "--format", "json", "app.py")
    assert moved.code == 0
    assert moved.codes() == []
    assert _summary(moved)["baselined"] == 1

    # a second identical update in the same function is new
    write(
        "app.py",
        "# a comment\n" * 10
        + THREADED.replace("    counter += 1\n", "    counter += 1\n    counter += 1\n"),
    )
    grown = invoke("--baseline", "b.json", "--format", "json", "app.py")
    assert grown.code == 1
    assert grown.codes() == [("app.py", "GIL001")]


def test_baseline_errors() -> None:
    write("app.py", THREADED)
    assert_usage_error(cli("--baseline", "missing.json", "app.py"), "missing.json")
    write("garbage.json", "{not json")
    assert_usage_error(cli("--baseline", "garbage.json", "app.py"), "garbage.json")
    write("other.json", '{"findings": []}')
    assert_usage_error(cli("--baseline", "other.json", "app.py"), "other.json")


# -- cache ------------------------------------------------------------------------------------


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_cache_dir_gives_identical_output(tmp_path: Path) -> None:
    write("src/bad.py", THREADED)
    write("src/waiter.py", WAITER)
    write("src/broken.py", BROKEN)
    cache = tmp_path.parent / f"{tmp_path.name}-cache"
    first = cli("--cache-dir", str(cache), "src", cache=True)
    assert first.code == 1
    assert len(_entries(cache)) >= 2
    second = cli("--cache-dir", str(cache), "src", cache=True)
    assert (second.code, second.stdout) == (first.code, first.stdout)
    # a changed file is re-analyzed, not served stale from the cache
    write("src/bad.py", THREADED.replace("counter", "total"))
    third = cli("--cache-dir", str(cache), "src", "--format", "json", cache=True)
    assert "`total`" in str(third.findings()[0]["message"])


def test_corrupt_cache_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    write("src/bad.py", THREADED)
    cache = tmp_path / "cache"
    first = cli("--cache-dir", str(cache), "src", cache=True)
    (entry,) = _entries(cache)
    entry.write_bytes(b"\x00garbage, not a cache entry")
    second = cli("--cache-dir", str(cache), "src", cache=True)
    assert (second.code, second.stdout, second.stderr) == (first.code, first.stdout, first.stderr)
    assert entry.read_bytes() != b"\x00garbage, not a cache entry"
    truncated = entry.read_bytes()[: len(entry.read_bytes()) // 2]
    entry.write_bytes(truncated)
    third = proc("--cache-dir", str(cache), "src", cache=True)
    assert (third.code, third.stdout) == (first.code, first.stdout)
    assert "Traceback" not in third.all


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    write("bad.py", THREADED)
    before = _tree(tmp_path)
    env_cache = tmp_path / "env-cache"
    run = proc("bad.py", env={"GILCHECK_CACHE_DIR": str(env_cache)})  # proc adds --no-cache
    assert run.code == 1
    assert _tree(tmp_path) == before


def test_default_cache_dir_and_env_variable(tmp_path: Path) -> None:
    write("bad.py", THREADED)
    run = proc("bad.py", cache=True)
    assert run.code == 1
    default = tmp_path / ".gilcheck_cache"
    assert _entries(default)
    # the cache folder is never checked itself, and git ignores it
    assert (default / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    shutil.rmtree(default)

    env_cache = tmp_path / "from-env"
    again = proc("bad.py", cache=True, env={"GILCHECK_CACHE_DIR": str(env_cache)})
    assert (again.code, again.stdout) == (run.code, run.stdout)
    assert _entries(env_cache)
    assert not default.exists()
    # --cache-dir beats the environment
    option = tmp_path / "from-option"
    proc("--cache-dir", str(option), "bad.py", cache=True, env={"GILCHECK_CACHE_DIR": "x"})
    assert _entries(option)
    assert not (tmp_path / "x").exists()


# -- parallelism ------------------------------------------------------------------------------


def test_jobs_1_and_2_give_identical_output(tmp_path: Path) -> None:
    write("app/__init__.py", "")
    for i in range(36):
        if i % 3 == 0:
            body = UNSEEN.replace("counter", f"counter_{i}").replace("bump", f"work_{i}")
        elif i % 3 == 1:
            body = WAITER.replace("cv", f"cv_{i}")
        else:
            body = CLEAN.replace("counter", f"total_{i}")
        write(f"app/mod_{i:02}.py", body)
    # a thread started in one module makes functions of other modules thread-reachable
    write(
        "app/main.py",
        "import threading\n\n"
        "from app.mod_00 import work_0\n"
        "from app.mod_33 import work_33\n\n"
        "for _ in range(2):\n"
        "    threading.Thread(target=work_0).start()\n"
        "    threading.Thread(target=work_33).start()\n",
    )
    write("app/broken.py", BROKEN)
    one = proc("--jobs", "1", "--format", "json", "app")
    two = proc("--jobs", "2", "--format", "json", "app")
    assert one.code == two.code == 1
    assert one.stdout == two.stdout
    assert files_checked(one) == 39
    confidence = {(f["path"], f["code"]): f["confidence"] for f in one.findings()}
    assert confidence[("app/mod_00.py", "GIL001")] == "high"
    assert confidence[("app/mod_33.py", "GIL001")] == "high"
    assert ("app/mod_03.py", "GIL001") not in confidence  # no thread in sight: low, hidden
    assert confidence[("app/broken.py", "GIL000")] == "high"
    assert sum(1 for f in one.findings() if f["code"] == "GIL003") == 12
    text_one = proc("--jobs", "1", "app")
    text_two = proc("--jobs", "2", "app")
    assert text_one.stdout == text_two.stdout


# -- the two ways to start it -----------------------------------------------------------------


@pytest.mark.parametrize("via", ["module", "script"])
def test_real_process_entry_points(via: str) -> None:
    write("bad.py", THREADED)
    write("ok.py", CLEAN)
    run = proc("--format", "json", ".", via=via)
    assert run.code == 1
    assert run.codes() == [("bad.py", "GIL001")]
    assert run.stderr == ""
    assert proc("ok.py", via=via).code == 0
    assert_usage_error(proc("--select", "BAD", via=via), "BAD")


def test_broken_pipe_is_quiet() -> None:
    for i in range(150):  # far more output than a pipe buffer holds
        write(f"m{i:03}.py", THREADED)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    producer = subprocess.Popen(
        [sys.executable, "-m", "gilcheck", "--no-cache", "--jobs", "1", "."],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert producer.stdout is not None and producer.stderr is not None
    producer.stdout.readline()
    producer.stdout.close()  # the reader goes away, like `| head -1`
    stderr = producer.stderr.read().decode()
    producer.wait(timeout=120)
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


# -- the process ends without the interpreter's teardown (os._exit) ------------------------------


@pytest.mark.parametrize("via", ["module", "script"])
def test_fast_exit_flushes_everything_and_keeps_the_exit_code(tmp_path: Path, via: str) -> None:
    # ``main`` ends with os._exit once stdout, stderr and the output file are written: a long
    # report through a pipe, a multi-process run and --output must all arrive whole.
    fixtures = Path(__file__).parent / "fixtures"
    out = tmp_path / "report.json"
    common = ("--min-confidence", "low", "--format", "json", "--jobs", "2")
    piped = proc(*common, str(fixtures), via=via)
    written = proc(*common, "-o", str(out), str(fixtures), via=via)
    assert piped.code == written.code == 1, piped.stderr + written.stderr
    document = json.loads(piped.stdout)  # raises if the pipe was cut short
    assert len(document["findings"]) > 300 and len(piped.stdout) > 65536  # beyond a pipe buffer
    assert json.loads(out.read_text(encoding="utf-8")) == document
    clean = proc(str(fixtures / "gil001" / "negative_locks.py"), via=via)
    assert (clean.code, clean.stderr) == (0, "")
    assert clean.stdout.startswith("All checks passed!")
