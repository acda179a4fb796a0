"""Run the checks: discover files, analyze each (in parallel, cached), join, filter.

``check_paths`` is the one entry point the CLI uses; ``check_source`` analyzes one in-memory
module (tests, editors).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from gilcheck import __version__
from gilcheck.analysis.summary import ModuleResult
from gilcheck.config import Config
from gilcheck.files import SourceFile, discover, names_a_folder
from gilcheck.findings import Confidence, Finding

#: Files fewer than this are checked in-process: a pool costs more than it saves.
MIN_FILES_FOR_POOL = 24
_STACK_SIZE = 512 * 1024 * 1024
_RECURSION_LIMIT = 60_000
_CACHE_MAGIC = b"gilcheck-cache-1\n"


@dataclass(frozen=True)
class RunOptions:
    jobs: int | None = None  # None: one per CPU
    cache_dir: Path | None = None  # None: no cache
    progress: Callable[[int], None] | None = None  # called with the number of files done
    #: A folder was given: its files are the whole project, even when it holds one file, so
    #: state that none of them reads is read nowhere. Files named one by one (a pre-commit
    #: hook's changed files) may have readers elsewhere.
    whole_project: bool = False


@dataclass
class Report:
    findings: list[Finding]  # visible findings, sorted
    files_checked: int
    hidden: int = 0  # below --min-confidence
    hidden_medium: int = 0  # of those, medium (hidden by the default, high)
    suppressed: int = 0
    baselined: int = 0
    #: (path, line, code-or-*) of suppression comments that matched nothing
    unused_suppressions: list[tuple[str, int, str]] = field(default_factory=list)
    #: (path, message): bugs in gilcheck met while checking a file (never fatal)
    internal_errors: list[tuple[str, str]] = field(default_factory=list)
    #: every finding that survived selection and suppressions (for --write-baseline)
    selected: list[Finding] = field(default_factory=list)


# -- per-file work (runs in worker processes) -----------------------------------------------


@dataclass(frozen=True)
class _Task:
    path: str
    module: str
    is_package: bool
    analysis_key: str
    cache_dir: str | None
    entry_points: frozenset[str]
    lock_types: frozenset[str]


def _run_deep(fn: Callable[[], ModuleResult]) -> ModuleResult:
    """Run ``fn`` in a thread with a large stack: deep but valid code must not overflow."""
    box: list[ModuleResult] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            box.append(fn())
        except BaseException as exc:  # pragma: no cover - analyze_source never raises
            failure.append(exc)

    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    previous = threading.stack_size(_STACK_SIZE)
    try:
        # daemon: after Ctrl-C the main thread exits at once instead of waiting for the file
        thread = threading.Thread(target=target, name="gilcheck-analysis", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return box[0]


_CODE_ID: list[str] = []


def _code_id() -> str:
    """gilcheck's version plus the size and mtime of its own modules: an edited checkout
    (editable install) never reads results cached by older code."""
    if not _CODE_ID:
        import hashlib  # imported when first needed: a run without cache never needs it

        h = hashlib.sha256(__version__.encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*.py")):
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns};".encode())
        _CODE_ID.append(h.hexdigest()[:16])
    return _CODE_ID[0]


def _cache_key(task: _Task, data: bytes) -> str:
    import hashlib

    h = hashlib.sha256()
    for part in (_code_id(), task.analysis_key, task.path, task.module, str(task.is_package)):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    h.update(data)
    return h.hexdigest()


def _cache_load(cache_dir: str, key: str) -> ModuleResult | None:
    path = os.path.join(cache_dir, key[:2], key)
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    if not blob.startswith(_CACHE_MAGIC):
        return None
    import pickle

    try:
        stored_key, result = pickle.loads(blob[len(_CACHE_MAGIC) :])
    except Exception:
        return None  # corrupt or foreign: recompute and overwrite
    if stored_key != key or not isinstance(result, ModuleResult):
        return None
    return result


def _cache_store(cache_dir: str, key: str, result: ModuleResult) -> None:
    import pickle
    import tempfile

    folder = os.path.join(cache_dir, key[:2])
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_CACHE_MAGIC)
                pickle.dump((key, result), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, os.path.join(folder, key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # a cache that cannot be written is only slower


def _check_one(task: _Task) -> ModuleResult:
    # The pipeline (and libcst, ~0.2 s to import) is imported only on a cache miss: a warm run
    # reads, hashes and unpickles.
    try:
        data = _read(task.path)
    except OSError as exc:
        from gilcheck.analysis.pipeline import _fail

        reason = exc.strerror or str(exc)
        return _fail(task.path, f"cannot read file: {reason}")
    key = ""
    if task.cache_dir is not None:
        key = _cache_key(task, data)
        cached = _cache_load(task.cache_dir, key)
        if cached is not None:
            return cached
    from gilcheck.analysis.pipeline import analyze_bytes

    result = _run_deep(
        lambda: analyze_bytes(
            data,
            task.path,
            task.module,
            task.is_package,
            entry_points=task.entry_points,
            lock_types=task.lock_types,
        )
    )
    if task.cache_dir is not None and result.error is None:
        _cache_store(task.cache_dir, key, result)
    return result


def _read(path: str) -> bytes:
    """The bytes of a regular file; a FIFO or device named ``x.py`` must not block the run."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        with open(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def _check_chunk(tasks: Sequence[_Task]) -> list[ModuleResult]:
    return [_check_one(t) for t in tasks]


def _map(
    tasks: list[_Task], jobs: int, progress: Callable[[int], None] | None
) -> Iterator[ModuleResult]:
    if jobs <= 1 or len(tasks) < MIN_FILES_FOR_POOL:
        for i, task in enumerate(tasks, 1):
            yield _check_one(task)
            if progress is not None:
                progress(i)
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    # Small chunks in order: results stream back (no tree is held), order is stable.
    chunk = max(1, min(16, len(tasks) // (jobs * 8) or 1))
    chunks = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
    done = 0
    with ctx.Pool(processes=jobs) as pool:
        for results in pool.imap(_check_chunk, chunks):
            yield from results
            done += len(results)
            if progress is not None:
                progress(done)


# -- the run ----------------------------------------------------------------------------------


def check_paths(paths: list[str], config: Config, options: RunOptions | None = None) -> Report:
    options = options or RunOptions()
    files = discover(paths, config)
    if not options.whole_project and names_a_folder(paths):
        options = replace(options, whole_project=True)
    return check_files(files, config, options)


def check_files(files: list[SourceFile], config: Config, options: RunOptions) -> Report:
    jobs = options.jobs if options.jobs is not None else (os.cpu_count() or 1)
    cache_dir = str(options.cache_dir) if options.cache_dir is not None else None
    key = config.analysis_key()
    entry_points = frozenset(config.thread_entry_points)
    lock_types = frozenset(config.lock_types)
    tasks = [
        _Task(f.path, f.module, f.is_package, key, cache_dir, entry_points, lock_types)
        for f in files
    ]
    # Cache hits are served here (read, hash, unpickle: no libcst, no pool); only the misses
    # go to the pool, which is skipped altogether when they are few (a warm run, one edit).
    results: list[ModuleResult | None] = [None] * len(tasks)
    misses: list[int] = []
    for i, task in enumerate(tasks):
        cached = _cached(task) if cache_dir is not None else None
        if cached is None:
            misses.append(i)
        else:
            results[i] = cached
    hits = len(tasks) - len(misses)
    if options.progress is not None and hits:
        options.progress(hits)
    progress = options.progress
    report_progress = (lambda n: progress(hits + n)) if progress is not None else None
    fresh = _map([tasks[i] for i in misses], max(1, jobs), report_progress)
    for i, result in zip(misses, fresh, strict=True):
        results[i] = result
    return finish([r for r in results if r is not None], config, options.whole_project)


def _cached(task: _Task) -> ModuleResult | None:
    assert task.cache_dir is not None
    try:
        data = _read(task.path)
    except OSError:
        return None  # the worker reports it
    return _cache_load(task.cache_dir, _cache_key(task, data))


def finish(results: list[ModuleResult], config: Config, whole_project: bool = False) -> Report:
    """The project pass and the filters, over all per-file results. ``whole_project``: the
    results are every file of the project, even if there is only one (a folder was given)."""
    from gilcheck.analysis.project import Project
    from gilcheck.analysis.unread import lower_unread
    from gilcheck.suppressions import Suppressions, apply_suppressions, unused_suppressions

    project = Project(r.summary for r in results if r.summary is not None)
    enabled = config.enabled_codes
    report = Report(findings=[], files_checked=len(results))
    settled = [project.settle(c) for r in results for c in r.candidates]
    # one file named alone cannot show that nothing else reads the state
    if len(results) > 1 or whole_project:
        # a class's ``self._x`` is read in another file only by a class of its lineage; when
        # a file could not be summarized, its classes are unknown: any ``self._x`` may be
        lineage = project.lineage_names if all(r.summary for r in results) else None
        settled = lower_unread(settled, [r.path for r in results], _text_of, lineage)
    by_path: dict[str, list[Finding]] = {}
    for f in settled:
        by_path.setdefault(f.path, []).append(f)
    for result in results:
        if result.error is not None:
            report.internal_errors.append((result.path, result.error))
        findings = _dedupe(by_path.pop(result.path, []))
        off = config.codes_ignored_for(result.path)
        findings = [f for f in findings if f.code in enabled and f.code not in off]
        supp = result.suppressions
        if isinstance(supp, Suppressions):
            kept, hidden, used = apply_suppressions(findings, supp)
            report.suppressed += len(hidden)
            for line, code in unused_suppressions(supp, used, enabled - off):
                report.unused_suppressions.append((result.path, line, code))
            findings = kept
        report.selected.extend(findings)
        for f in findings:
            if f.confidence >= config.min_confidence:
                report.findings.append(f)
            else:
                report.hidden += 1
                report.hidden_medium += f.confidence == Confidence.MEDIUM
    report.findings.sort(key=lambda f: f.sort_key)
    report.selected.sort(key=lambda f: f.sort_key)
    return report


def _text_of(path: str) -> str | None:
    """A checked file's text for the write-only test (``unread``), None when unreadable."""
    try:
        return _read(path).decode("utf-8", errors="replace")
    except OSError:
        return None


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """GIL006 explains an unlocked write better than GIL001/GIL004 on the same statement."""
    inconsistent = {(f.line, f.column) for f in findings if f.code == "GIL006"}
    if not inconsistent:
        return findings
    return [
        f
        for f in findings
        if f.code not in ("GIL001", "GIL004") or (f.line, f.column) not in inconsistent
    ]


def check_source(
    source: str,
    path: str = "<string>",
    *,
    module: str = "",
    config: Config | None = None,
) -> Report:
    """Analyze one module held in memory (tests, editor integrations)."""
    from gilcheck.analysis.pipeline import analyze_source

    config = config or Config()
    result = _run_deep(
        lambda: analyze_source(
            source,
            path,
            module or Path(path).stem,
            Path(path).name.startswith("__init__."),
            entry_points=frozenset(config.thread_entry_points),
            lock_types=frozenset(config.lock_types),
        )
    )
    return finish([result], config)
