"""The command line: arguments -> Config -> engine -> formatter -> exit code.

Exit codes (like ruff): 0 no findings shown, 1 findings shown (or unused suppressions with
--report-unused-suppressions), 2 usage, configuration or internal error, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from gilcheck import __version__
from gilcheck.config import CONFIDENCE_NAMES, OUTPUT_FORMATS, Config, ConfigError, load_config
from gilcheck.findings import Confidence, RunSummary
from gilcheck.registry import RULES, UnknownCodeError, expand_codes, rule_doc, split_codes

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
CACHE_DIR_NAME = ".gilcheck_cache"


class _UsageFailure(Exception):
    pass


def _codes(option: str, value: str) -> tuple[str, ...]:
    """Codes from a comma-separated option value; an unknown code is a usage error (exit 2)."""
    codes = tuple(split_codes(value))
    try:
        expand_codes(codes)
    except UnknownCodeError as exc:
        raise _UsageFailure(f"{option}: {exc}") from None
    return codes


def _fail(message: str) -> NoReturn:
    click.echo(f"gilcheck: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _run_standalone(command: click.Command, kwargs: dict[str, Any]) -> NoReturn:
    """Run the command the way a console script should: one-line errors, no tracebacks."""
    kwargs = {**kwargs, "standalone_mode": False}
    kwargs.setdefault("prog_name", "gilcheck")
    try:
        code = click.Command.main(command, **kwargs)
        sys.stdout.flush()
    except click.UsageError as exc:
        _fail(exc.format_message().replace("\n", " "))
    except click.exceptions.Abort:
        click.echo("gilcheck: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (_UsageFailure, ConfigError) as exc:
        _fail(str(exc))
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "))
    except KeyboardInterrupt:
        click.echo("gilcheck: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``gilcheck ... | head -1``): stop quietly, like other CLI tools.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # stdout is not a real file (a test runner): nothing to silence
        sys.exit(EXIT_FINDINGS)
    except Exception as exc:  # a bug in gilcheck: one line, exit 2; the traceback on request
        if os.environ.get("GILCHECK_TRACEBACK"):
            raise
        detail = str(exc).replace("\n", " ") or "no details"
        _fail(
            f"internal error: {type(exc).__name__}: {detail} "
            "(set GILCHECK_TRACEBACK=1 to see the traceback)"
        )
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)


class GilcheckCommand(click.Command):
    """A click command whose standalone mode is the console script's behaviour.

    ``command.main(args)`` (and so ``click.testing.CliRunner``) exits with gilcheck's exit codes
    and prints errors as one ``gilcheck: error: ...`` line instead of click's usage block.
    ``standalone_mode=False`` keeps click's behaviour: the exit code is returned and errors are
    raised.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.update(
            zip(("args", "prog_name", "complete_var", "standalone_mode"), args, strict=False)
        )
        if not kwargs.get("standalone_mode", True):
            return super().main(**kwargs)
        _run_standalone(self, kwargs)


@click.command(
    cls=GilcheckCommand,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--select", metavar="CODES", help="Rules to enable (comma separated, prefixes ok).")
@click.option("--ignore", metavar="CODES", help="Rules to disable (comma separated, prefixes ok).")
@click.option("--extend-select", metavar="CODES", help="Rules to enable on top of --select.")
@click.option("--exclude", "excludes", metavar="GLOB", multiple=True, help="Extra exclude glob.")
@click.option(
    "--min-confidence",
    type=click.Choice(CONFIDENCE_NAMES, case_sensitive=False),
    help="Lowest confidence shown (default: high).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS, case_sensitive=False),
    help="Output format (default: text).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here.",
)
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are shown.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Settings file.")
@click.option("--show-config", is_flag=True, help="Print the resolved settings and exit.")
@click.option(
    "--baseline", type=click.Path(path_type=Path), help="Report only findings not in FILE."
)
@click.option(
    "--write-baseline", type=click.Path(path_type=Path), help="Record all findings in FILE."
)
@click.option(
    "--report-unused-suppressions",
    is_flag=True,
    help="List suppression comments that matched nothing.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option(
    "--cache-dir", type=click.Path(path_type=Path), help="Cache folder (env GILCHECK_CACHE_DIR)."
)
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.option("--explain", metavar="CODE", help="Print the documentation of a rule and exit.")
@click.version_option(__version__, "--version", prog_name="gilcheck")
def command(**kw: Any) -> int:
    """Find Python code that is only thread-safe because the GIL serializes it.

    PATHS are files or directories (searched for *.py and *.pyi); default: the current one.
    """
    return run(**kw)


def run(
    paths: tuple[str, ...],
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    excludes: tuple[str, ...],
    min_confidence: str | None,
    output_format: str | None,
    output_file: Path | None,
    statistics: bool,
    exit_zero: bool,
    config_file: Path | None,
    show_config: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    report_unused_suppressions: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    list_rules: bool,
    explain: str | None,
) -> int:
    if list_rules:
        click.echo(_rules_table())
        return EXIT_CLEAN
    if explain is not None:
        try:
            click.echo(rule_doc(explain), nl=False)
        except UnknownCodeError as exc:
            raise _UsageFailure(str(exc)) from None
        except OSError as exc:
            raise _UsageFailure(f"documentation of {explain} is not installed: {exc}") from None
        return EXIT_CLEAN

    config = load_config(Path.cwd(), config_file)
    overrides: dict[str, Any] = {}
    if select is not None:
        # Like ruff: a --select on the command line starts the selection afresh, so the
        # configuration's ignore / extend-select no longer apply (per-file-ignores still do).
        overrides["select"] = _codes("--select", select)
        overrides["ignore"] = ()
        overrides["extend_select"] = ()
    if ignore is not None:
        base = () if select is not None else tuple(config.ignore)
        overrides["ignore"] = base + _codes("--ignore", ignore)
    if extend_select is not None:
        base = () if select is not None else tuple(config.extend_select)
        overrides["extend_select"] = base + _codes("--extend-select", extend_select)
    if excludes:
        overrides["extend_exclude"] = tuple(config.extend_exclude) + excludes
    if min_confidence is not None:
        overrides["min_confidence"] = Confidence.parse(min_confidence)
    if output_format is not None:
        overrides["format"] = output_format.lower()
    config = dataclasses.replace(config, **overrides)
    try:
        config.validate()
    except ConfigError as exc:
        raise _UsageFailure(str(exc)) from None

    if show_config:
        from gilcheck.config import show_config as render_config

        click.echo(render_config(config), nl=False)
        return EXIT_CLEAN

    loaded_baseline = None
    if baseline is not None:
        from gilcheck.baseline import load_baseline

        loaded_baseline = load_baseline(baseline)

    from gilcheck.engine import RunOptions, check_files
    from gilcheck.files import PathError, discover, names_a_folder

    targets = list(paths) or ["."]
    try:
        files = discover(targets, config)
    except PathError as exc:
        raise _UsageFailure(str(exc)) from None

    progress_bar = None
    if sys.stderr.isatty() and len(files) >= 50:
        from gilcheck.output.progress import ProgressBar

        progress_bar = ProgressBar(len(files), sys.stderr)
    done = [0]

    def advance(n: int) -> None:
        assert progress_bar is not None
        progress_bar.advance(n - done[0])
        done[0] = n

    started = time.perf_counter()
    options = RunOptions(
        jobs=jobs,
        cache_dir=None if no_cache else _cache_dir(cache_dir, config),
        progress=advance if progress_bar is not None else None,
        whole_project=names_a_folder(targets),
    )
    try:
        report = check_files(files, config, options)
    finally:
        if progress_bar is not None:
            progress_bar.close()
    elapsed = time.perf_counter() - started

    if write_baseline is not None:
        from gilcheck.baseline import write_baseline as store

        store(write_baseline, report.selected)
        count = len(report.selected)
        noun = "finding" if count == 1 else "findings"
        click.echo(f"gilcheck: wrote {count} {noun} to {write_baseline}", err=True)
        return EXIT_CLEAN

    findings = report.findings
    baselined = 0
    if loaded_baseline is not None:
        from gilcheck.baseline import filter_baseline

        findings, baselined = filter_baseline(findings, loaded_baseline)

    summary = RunSummary(
        files_checked=report.files_checked,
        findings_total=len(findings),
        hidden_below_confidence=report.hidden,
        hidden_medium=report.hidden_medium,
        suppressed=report.suppressed,
        baselined=baselined,
        seconds=elapsed,
    )
    fmt = config.format
    to_terminal = output_file is None and sys.stdout.isatty()
    color = to_terminal and not os.environ.get("NO_COLOR")  # https://no-color.org
    from gilcheck.output import render, render_statistics

    if statistics and fmt in ("text", "concise"):
        text = render_statistics(findings, color=color) + _summary_line(summary)
    else:
        text = render(fmt, findings, summary, color=color)
    if output_file is not None:
        try:
            output_file.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _UsageFailure(f"{output_file}: cannot write: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)

    # Notes go to stderr when stdout carries a machine-readable report or nothing at all.
    machine = fmt not in ("text", "concise") or output_file is not None
    for path, message in report.internal_errors:
        click.echo(f"gilcheck: internal error while checking {path}: {message}", err=True)
    unused = report.unused_suppressions if report_unused_suppressions else []
    for path, line, code in unused:
        what = "all codes" if code == "*" else code
        click.echo(f"{path}:{line}:1: unused suppression ({what})", err=machine)

    if report.internal_errors:
        return EXIT_ERROR
    if (findings or unused) and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _summary_line(summary: RunSummary) -> str:
    n, files = summary.findings_total, summary.files_checked
    noun = "finding" if n == 1 else "findings"
    file_noun = "file" if files == 1 else "files"
    return f"Found {n} {noun} in {files} {file_noun} checked.\n"


def _cache_dir(option: Path | None, config: Config) -> Path:
    if option is not None:
        return option
    env = os.environ.get("GILCHECK_CACHE_DIR")
    if env:
        return Path(env)
    root = config.source.parent if config.source is not None else Path.cwd()
    folder = root / CACHE_DIR_NAME
    _prepare_cache(folder)
    return folder


def _prepare_cache(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by gilcheck.\n*\n", encoding="utf-8")
    except OSError:
        pass  # an unwritable cache only makes the run slower


def _rules_table() -> str:
    width = max(len(r.name) for r in RULES.values())
    lines = [f"{'code':<7} {'name':<{width}}  summary"]
    lines += [f"{r.code:<7} {r.name:<{width}}  {r.summary}" for r in RULES.values()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point: one-line errors, no tracebacks, quiet broken pipes.

    It ends the process with ``os._exit`` once the output is flushed (as mypy does): tearing
    down the interpreter would free every syntax tree and module one object at a time, which
    costs a short run more than its analysis. Nothing is left to clean up by then: the
    process pool is shut down, the cache and ``--output`` files are closed."""
    status = run_command_line(argv)
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (``| head``) or a closed stream: nothing more to say
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if "multiprocessing" in sys.modules:  # a pool left behind by an error: do not orphan it
        import multiprocessing

        for child in multiprocessing.active_children():
            child.terminate()
    os._exit(status)


def run_command_line(argv: list[str] | None = None) -> int:
    """Run the command line as ``main`` does and return its exit status, without ending the
    process (``benchmarks/bench.py`` measures memory after it)."""
    # A short-lived process that builds many objects and frees few: collect cycles rarely
    # (mypy does the same). Forked workers inherit it.
    gc.set_threshold(200_000, 30, 30)
    try:
        command.main(args=argv, prog_name="gilcheck")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_CLEAN
        print(exc.code, file=sys.stderr)  # ``sys.exit("message")``: the message, status 1
        return 1
    return EXIT_CLEAN
