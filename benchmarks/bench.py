"""Speed and memory of gilcheck against a parse floor measured in the same run.

One run measures, on one corpus (default: the running interpreter's standard library without
its tests; ``--corpus DIR`` for another folder):

* the parse floor: ``libcst.parse_module`` of every file in a fork pool of ``--jobs``
  processes, which is the least any libcst-based checker must do;
* gilcheck cold (``--no-cache``), warm (a filled cache, nothing changed) and after one file
  changed, each as a real ``python -m gilcheck`` process;
* one-file latency (``examples/crawler/pool.py``) against a bare ``python -c "import libcst,
  click"``;
* one generated module (a single function of ``--generated-blocks`` blocks of six lines that
  rebind the same few names, like the code an OPC UA address space generator writes) against
  ``libcst.parse_module`` of that file alone: analysis cost must grow with the file, not with
  its square;
* the peak RSS of the main gilcheck process (and, for information, of its biggest worker);
* the top imports of a one-file run (``python -X importtime``).

Each figure is printed with its ratio to its baseline, the target, and PASS/FAIL. The corpus is
copied to a temporary folder first (so one file can be changed) and every run must finish with
zero internal errors (a bug in gilcheck), or the script stops with exit status 2. Exit status 1
means a target was missed. Timings are the best of ``--repeat`` runs.

Usage::

    python benchmarks/bench.py                    # stdlib, --jobs 2
    python benchmarks/bench.py --jobs 4 --repeat 3
    python benchmarks/bench.py --corpus /usr/lib/python3.11/email
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ONE_FILE = ROOT / "examples" / "crawler" / "pool.py"
#: Folders left out of the corpus: tests are not library code, site-packages is not stdlib.
EXCLUDES = ("test", "tests", "idle_test", "site-packages")

TARGET_COLD = 2.5  # x parse floor
TARGET_WARM = 0.05  # x cold
TARGET_TOUCHED = 0.10  # x cold
TARGET_ONE_FILE = 1.3  # x bare `import libcst, click` process
TARGET_RSS_MB = 300.0
TARGET_GENERATED = 2.5  # x parse of the generated module

# Runs the CLI in this process, then reports its own peak RSS (and its children's: the pool).
RSS_WRAPPER = """
import resource, sys
from gilcheck.cli import run_command_line
code = run_command_line(sys.argv[1:])  # what ``gilcheck`` runs, without its os._exit
scale = 1 if sys.platform == "darwin" else 1024
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
sys.stderr.write(f"\\nBENCH-RSS {own} {kids}\\n")
sys.stderr.flush()
raise SystemExit(code)
"""


#: Environment of every timed process: bytecode is cached (in a temporary PYTHONPYCACHEPREFIX,
#: nothing is written to the checkout), as it is for an installed package; a checkout run with
#: PYTHONDONTWRITEBYTECODE=1 would otherwise compile gilcheck's modules on every start (~50 ms).
ENV: dict[str, str] = {}


class InternalErrors(Exception):
    """gilcheck met a bug of its own on the corpus: the benchmark is void."""


@dataclass
class Row:
    name: str
    seconds: float | None  # None: not a timing (RSS)
    ratio: float
    baseline: str
    target: float
    value_text: str = ""

    @property
    def passed(self) -> bool:
        return self.ratio <= self.target


# -- corpus -----------------------------------------------------------------------------------


def corpus_files(root: Path) -> list[Path]:
    """The files gilcheck itself would check under ``root`` with the bench's excludes."""
    from gilcheck.config import Config
    from gilcheck.files import discover

    config = Config(extend_exclude=EXCLUDES, root=root)
    return [
        Path(f.path) if os.path.isabs(f.path) else Path.cwd() / f.path
        for f in discover([str(root)], config)
    ]


def copy_corpus(source: Path, dest: Path) -> Path:
    """Copy the .py/.pyi files (and package markers) of ``source`` under ``dest``."""
    target = dest / "corpus"

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            full = os.path.join(folder, name)
            is_source = os.path.isdir(full) or name.endswith((".py", ".pyi"))
            if name in EXCLUDES or name == "__pycache__" or not is_source:
                skipped.add(name)
        return skipped

    shutil.copytree(source, target, ignore=ignore, symlinks=True)
    return target


def count_lines(files: Sequence[Path]) -> int:
    total = 0
    for path in files:
        with open(path, "rb") as fh:
            total += fh.read().count(b"\n")
    return total


# -- the floor --------------------------------------------------------------------------------


def _parse_one(path: str) -> int:
    import libcst

    with open(path, "rb") as fh:
        data = fh.read()
    try:
        libcst.parse_module(data)
    except Exception:
        return 1
    return 0


def parse_floor(files: Sequence[Path], jobs: int) -> tuple[float, int]:
    """Seconds to libcst-parse every file in a fork pool of ``jobs``; and the failures."""
    import libcst  # noqa: F401  (imported before the fork, as the workers would inherit it)

    paths = [str(p) for p in files]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    chunk = max(1, min(16, len(paths) // (jobs * 8) or 1))
    started = time.perf_counter()
    if jobs <= 1:
        failures = sum(_parse_one(p) for p in paths)
    else:
        with ctx.Pool(processes=jobs) as pool:
            failures = sum(pool.imap(_parse_one, paths, chunksize=chunk))
    return time.perf_counter() - started, failures


# -- gilcheck runs ----------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    files: int
    findings: int
    rss_main: int = 0  # bytes
    rss_children: int = 0


def gilcheck_run(
    corpus: Path, jobs: int, cache_dir: Path | None, *, measure_rss: bool = False
) -> Run:
    with tempfile.TemporaryDirectory(prefix="gilcheck-bench-out-") as out_dir:
        out = Path(out_dir) / "report.json"
        args = [str(corpus), "--jobs", str(jobs), "--format", "json", "-o", str(out)]
        args += ["--exit-zero"]
        for name in EXCLUDES:
            args += ["--exclude", name]
        args += ["--no-cache"] if cache_dir is None else ["--cache-dir", str(cache_dir)]
        if measure_rss:
            command = [sys.executable, "-c", RSS_WRAPPER, *args]
        else:
            command = [sys.executable, "-m", "gilcheck", *args]
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, cwd=corpus.parent, env=ENV)
        seconds = time.perf_counter() - started
        if "internal error" in proc.stderr or proc.returncode == 2:
            raise InternalErrors(proc.stderr.strip()[-4000:])
        if proc.returncode != 0:
            raise RuntimeError(f"gilcheck exited {proc.returncode}: {proc.stderr[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("internal_errors"):
        raise InternalErrors(str(report["internal_errors"]))
    summary = report.get("summary", {})
    run = Run(seconds, int(summary.get("files_checked", -1)), len(report.get("findings", [])))
    if measure_rss:
        match = re.search(r"BENCH-RSS (\d+) (\d+)", proc.stderr)
        if match is None:
            raise RuntimeError(f"no RSS figure from the wrapper: {proc.stderr[-2000:]}")
        run.rss_main, run.rss_children = int(match.group(1)), int(match.group(2))
    return run


def best(repeat: int, fn: Callable[[], Run]) -> Run:
    runs = [fn() for _ in range(max(1, repeat))]
    return min(runs, key=lambda r: r.seconds)


def best_seconds(repeat: int, command: Sequence[str]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            env=ENV,
        )
        times.append(time.perf_counter() - started)
    return min(times)


def generated_module(blocks: int) -> str:
    """One function of ``blocks`` six-line blocks rebinding ``node`` and ``attrs`` (the shape of
    generated OPC UA address spaces: tens of thousands of statements in one function)."""
    lines = ["from opcua import ua", "", "", "def build(server):"]
    for i in range(blocks):
        lines += [
            "    node = ua.AddNodesItem()",
            f"    node.NodeId = ua.NodeId({i}, 0)",
            "    attrs = ua.Attributes()",
            f"    attrs.DisplayName = ua.LocalizedText('n{i}')",
            "    node.NodeAttributes = attrs",
            "    server.add_nodes([node])",
        ]
    return "\n".join(lines) + "\n"


#: Times ``libcst.parse_module`` of one file inside a process (start-up excluded).
PARSE_ONE = (
    "import sys, time, libcst\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "t = time.perf_counter()\n"
    "libcst.parse_module(data)\n"
    "print(time.perf_counter() - t)\n"
)


def generated_figures(folder: Path, blocks: int, repeat: int) -> tuple[float, float]:
    """(parse seconds, gilcheck seconds) for the generated module, best of ``repeat``."""
    path = folder / "generated.py"
    path.write_text(generated_module(blocks), encoding="utf-8")
    parse = min(
        float(
            subprocess.run(
                [sys.executable, "-c", PARSE_ONE, str(path)],
                capture_output=True,
                text=True,
                check=True,
                env=ENV,
            ).stdout
        )
        for _ in range(max(1, repeat))
    )
    command = [sys.executable, "-m", "gilcheck", str(path), "--no-cache", "--jobs", "1"]
    command += ["--exit-zero", "--min-confidence", "low"]
    seconds = best_seconds(repeat, command)
    return parse, seconds


def touch_one(files: Sequence[Path], counter: list[int]) -> Path:
    """Change one typical file (the median size), differently every time."""
    by_size = sorted(files, key=lambda p: p.stat().st_size)
    victim = by_size[len(by_size) // 2]
    counter[0] += 1
    with open(victim, "a", encoding="utf-8") as fh:
        fh.write(f"\n# changed by bench.py ({counter[0]})\n")
    return victim


def import_top(limit: int = 10) -> list[tuple[int, int, str]]:
    """(cumulative us, self us, module) of the slowest imports of a one-file run."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gilcheck", str(ONE_FILE), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    rows = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), int(match.group(1)), match.group(3), match.group(4)))
    rows.sort(reverse=True)
    return [(cum, own, f"{' ' * (len(pad) - 1)}{name}") for cum, own, pad, name in rows[:limit]]


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--corpus", type=Path, help="folder to check (default: the stdlib)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each timing")
    parser.add_argument("--one-file-repeat", type=int, default=5, help="best of N (default 5)")
    parser.add_argument(
        "--generated-blocks",
        type=int,
        default=2000,
        help="six-line blocks in the generated module (default 2000: 12,000 lines)",
    )
    args = parser.parse_args(argv)

    source = args.corpus or Path(sysconfig.get_paths()["stdlib"])
    if not source.is_dir():
        parser.error(f"{source}: not a directory")
    jobs = max(1, args.jobs)
    rows: list[Row] = []
    print(
        f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs, "
        f"--jobs {jobs}, best of {args.repeat}"
    )
    print(f"corpus: {source}")
    pycache = tempfile.TemporaryDirectory(prefix="gilcheck-bench-pyc-")
    ENV.clear()
    ENV.update(os.environ)
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = pycache.name
    # warm-up: fill the bytecode cache for gilcheck and its imports
    best_seconds(1, [sys.executable, "-m", "gilcheck", str(ONE_FILE), "--no-cache"])
    best_seconds(1, [sys.executable, "-c", "import libcst, click"])
    try:
        with tempfile.TemporaryDirectory(prefix="gilcheck-bench-") as tmp:
            corpus = copy_corpus(source, Path(tmp))
            files = corpus_files(corpus)
            if not files:
                parser.error(f"{source}: no Python files")
            print(f"files: {len(files)}, lines: {count_lines(files):,}")

            floor_times = [parse_floor(files, jobs) for _ in range(max(1, args.repeat))]
            floor, failures = min(floor_times)
            print(f"parse floor: {floor:.2f} s ({failures} files libcst cannot parse)")

            cold = best(args.repeat, lambda: gilcheck_run(corpus, jobs, None))
            if cold.files != len(files):
                print(f"warning: gilcheck checked {cold.files} files, the floor {len(files)}")
            rss = gilcheck_run(corpus, jobs, None, measure_rss=True)

            cache = Path(tmp) / "cache"
            fill = gilcheck_run(corpus, jobs, cache)
            warm = best(args.repeat, lambda: gilcheck_run(corpus, jobs, cache))
            counter = [0]

            def touched_run() -> Run:
                touch_one(files, counter)
                return gilcheck_run(corpus, jobs, cache)

            touched = best(args.repeat, touched_run)
            gen_parse, gen_seconds = generated_figures(
                Path(tmp), args.generated_blocks, args.repeat
            )

        one_file = best_seconds(
            args.one_file_repeat,
            [sys.executable, "-m", "gilcheck", str(ONE_FILE), "--no-cache"],
        )
        bare = best_seconds(args.one_file_repeat, [sys.executable, "-c", "import libcst, click"])
        imports = import_top()
    except InternalErrors as exc:
        print(f"\nFAIL: gilcheck reported internal errors on the corpus:\n{exc}", file=sys.stderr)
        return 2
    finally:
        pycache.cleanup()

    print(f"gilcheck cold: {cold.files} files, {cold.findings} findings shown (default confidence)")
    print(f"cache fill run: {fill.seconds:.2f} s")
    rows += [
        Row("gilcheck cold (--no-cache)", cold.seconds, cold.seconds / floor, "floor", TARGET_COLD),
        Row(
            "gilcheck warm (nothing changed)",
            warm.seconds,
            warm.seconds / cold.seconds,
            "cold",
            TARGET_WARM,
        ),
        Row(
            "gilcheck, one file changed",
            touched.seconds,
            touched.seconds / cold.seconds,
            "cold",
            TARGET_TOUCHED,
        ),
        Row("one-file latency (pool.py)", one_file, one_file / bare, "import", TARGET_ONE_FILE),
        Row(
            f"generated module ({args.generated_blocks * 6:,} lines)",
            gen_seconds,
            gen_seconds / gen_parse,
            "parse",
            TARGET_GENERATED,
        ),
    ]
    mb = rss.rss_main / 2**20
    rows.append(Row("peak RSS, main process", None, mb / TARGET_RSS_MB, "", 1.0, f"{mb:.0f} MB"))

    print(
        f"\nbaselines: parse floor {floor:.2f} s, bare `import libcst, click` {bare:.3f} s, "
        f"parse of the generated module {gen_parse:.2f} s"
    )
    print(f"{'figure':<34} {'value':>10} {'ratio':>8} {'of':<7} {'target':>8}  result")
    for row in rows:
        value = row.value_text or f"{row.seconds:.3f} s"
        target = f"<= {row.target:g}x" if row.seconds is not None else "<= 300 MB"
        ratio = f"{row.ratio:.3f}x" if row.seconds is not None else ""
        verdict = "PASS" if row.passed else "FAIL"
        print(f"{row.name:<34} {value:>10} {ratio:>8} {row.baseline:<7} {target:>8}  {verdict}")
    print(f"(largest worker peak RSS: {rss.rss_children / 2**20:.0f} MB)")
    print("internal errors: 0")

    print("\ntop imports of `python -X importtime -m gilcheck examples/crawler/pool.py`:")
    print(f"{'cumulative':>12} {'self':>9}  module")
    for cum, own, name in imports:
        print(f"{cum / 1000:>9.1f} ms {own / 1000:>6.1f} ms  {name}")
    return 0 if all(row.passed for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
