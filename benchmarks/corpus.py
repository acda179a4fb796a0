"""Run gilcheck over a pinned corpus of real packages and the standard library (precision work).

What it does:

1. Builds a scratch venv (``--venv``, default ``/tmp/gilcheck-corpus-venv``) and installs the
   pinned list ``benchmarks/corpus-packages.txt`` into it with ``pip install --no-deps
   --ignore-requires-python`` (only the source is read, never imported). A venv that already
   has every pin is reused as it is.
   ``--site-packages DIR`` skips the venv and reads the packages from DIR.
2. Runs the CLI as a subprocess over each package's top-level source folders (found from the
   distribution's RECORD), and over the running interpreter's standard library, excluding test
   folders (``test``, ``tests``, ``idle_test``), ``site-packages`` and the modules no
   free-threaded CPython has (``REMOVED_BEFORE_FREE_THREADING``: distutils, lib2to3, telnetlib
   and the rest of PEP 594, removed by 3.13)::

       python -m gilcheck DIR... --format json --min-confidence low --no-cache --exit-zero -o FILE

   with the working directory set to the package root, so reported paths are relative to it.
3. Prints a table: files, lines, visible findings (medium and high: the reviewed tiers, the
   default before session 30, which now shows high only) per rule, findings per
   confidence, visible findings per 1000 lines, seconds, parse failures (GIL000) and internal errors
   (stderr lines ``internal error``).

``--json OUT`` writes every raw finding with its package, for sampling later (``--from-json OUT``
reads it back instead of running gilcheck again). ``--sample N --seed S`` draws a fixed-seed random
sample of N visible (medium and high) findings, stratified so that every rule with findings gets
at least ``--per-rule`` of them (8) when it has that many, and prints a review template in
Markdown.
``--verdicts REVIEW`` reads the verdict rows of a review file (``benchmarks/review.md``: any table
row with a backticked ``path.py:LINE``, a rule code and TRUE or FALSE) and prints precision with
Wilson 95% intervals by rule, confidence and package, then lists the visible findings that no
row judges yet.

Examples::

    python benchmarks/corpus.py                              # install if needed, run, table
    python benchmarks/corpus.py --only requests,urllib3 --jobs 2
    python benchmarks/corpus.py --json /tmp/corpus.json
    python benchmarks/corpus.py --from-json /tmp/corpus.json --sample 60 --seed 1 > review.md
    python benchmarks/corpus.py --from-json /tmp/corpus.json --verdicts benchmarks/review.md
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_PINS = HERE / "corpus-packages.txt"
DEFAULT_VENV = Path("/tmp/gilcheck-corpus-venv")
STDLIB = "stdlib"
RULES = ("GIL001", "GIL002", "GIL003", "GIL004", "GIL005", "GIL006")
#: The reviewed tiers. gilcheck's default showed both until session 30 and now shows only
#: ``high``; review.md's figures keep counting both, with ``high`` as its own row.
VISIBLE = ("medium", "high")
#: Folder names left out of every run (tests are not library code; site-packages is not stdlib).
TEST_EXCLUDES = ("test", "tests", "idle_test")
#: Standard-library modules that no free-threaded CPython has (free threading starts at 3.13):
#: removed in 3.12 (distutils, asynchat, asyncore, smtpd, imp) or 3.13 (lib2to3 and PEP 594's
#: "dead batteries"). A race in them cannot happen on the interpreter the review asks about.
REMOVED_BEFORE_FREE_THREADING = (
    "distutils",
    "lib2to3",
    *(
        f"{name}.py"
        for name in [
            "asynchat",
            "asyncore",
            "smtpd",
            "imp",
            "aifc",
            "audioop",
            "cgi",
            "cgitb",
            "chunk",
            "crypt",
            "imghdr",
            "mailcap",
            "msilib",
            "nis",
            "nntplib",
            "ossaudiodev",
            "pipes",
            "sndhdr",
            "spwd",
            "sunau",
            "telnetlib",
            "uu",
            "xdrlib",
        ]
    ),
    "msilib",
)
STDLIB_EXCLUDES = (*TEST_EXCLUDES, "site-packages", *REMOVED_BEFORE_FREE_THREADING)
INTERNAL_ERROR = "internal error"


# -- the pinned list and the venv ---------------------------------------------------------------
def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """``name==version`` lines -> {normalized name: version}; comments and blanks skipped."""
    pins: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not version.strip():
            raise SystemExit(f"{path}: not an exact pin: {raw!r}")
        pins[normalize(name.strip())] = version.strip()
    return pins


@dataclass
class Distribution:
    name: str  # normalized
    version: str
    #: Top-level source folders or single modules, relative to site-packages.
    tops: list[str] = field(default_factory=list)


def installed(site: Path) -> dict[str, Distribution]:
    """Distributions in ``site`` (from ``*.dist-info``), with their top-level Python sources."""
    found: dict[str, Distribution] = {}
    files: dict[str, list[str]] = {}  # distribution -> its .py files (RECORD paths)
    for info in sorted(site.glob("*.dist-info")):
        meta = info / "METADATA"
        if not meta.is_file():
            continue
        name = version = ""
        for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Name:") and not name:
                name = line.split(":", 1)[1].strip()
            elif line.startswith("Version:") and not version:
                version = line.split(":", 1)[1].strip()
            elif not line.strip():
                break
        dist = Distribution(normalize(name), version)
        own: list[str] = []
        record = info / "RECORD"
        if record.is_file():
            for row in record.read_text(encoding="utf-8", errors="replace").splitlines():
                path = row.split(",", 1)[0]
                if not path.endswith(".py") or path.startswith(("..", "/")):
                    continue
                top = path.split("/", 1)[0]
                if top.endswith((".dist-info", ".data")) or top == "__pycache__":
                    continue
                own.append(path)
        found[dist.name] = dist
        files[dist.name] = own
    # Which distributions have files under each folder. A folder without ``__init__.py`` is a
    # namespace package several distributions share (``azure/``, ``google/cloud/``): only this
    # distribution's own sub-package is its code. So is a folder other distributions also fill
    # when one of them ships its ``__init__.py`` (anvil-uplink's ``google/__init__.py``).
    owners: dict[str, set[str]] = {}
    for name, own in files.items():
        for path in own:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                owners.setdefault("/".join(parts[:depth]), set()).add(name)

    def shared(folder: str, name: str) -> bool:
        return not (site / folder / "__init__.py").exists() or owners[folder] != {name}

    for name, own in files.items():
        tops: set[str] = set()
        for path in own:
            parts = path.split("/")
            top, depth = parts[0], 1
            while depth < len(parts) and shared(top, name):
                top = f"{top}/{parts[depth]}"
                depth += 1
            tops.add(top)
        # a folder already listed covers its sub-folders (files directly in a namespace folder)
        tops = {t for t in tops if not any(t.startswith(f"{o}/") for o in tops)}
        found[name].tops = sorted(t for t in tops if (site / t).exists())
    return found


def venv_site(venv: Path) -> Path:
    python = venv / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


PIP_INSTALL = (
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "--no-deps",
    # only the source is read, never imported: a pin that declares a newer Python than the one
    # running this (held-out 29, 30 and 38 have some) is still wanted
    "--ignore-requires-python",
)


def ensure_venv(venv: Path, pins_file: Path, pins: dict[str, str]) -> Path:
    """Create ``venv`` and install the pins unless it already has all of them; its site-packages.

    One pin that cannot be installed (an sdist whose ``setup.py`` no longer runs with today's
    setuptools, as ryu's in held-out 22) does not stop the others: when the whole list fails,
    each missing pin is installed on its own, and the ones that still fail are named and left
    out (the run then reports them as not installed).
    """
    python = str(venv / "bin" / "python")
    if not (venv / "bin" / "python").exists():
        print(f"corpus: creating {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = venv_site(venv)
    have = installed(site)
    missing = [n for n, v in pins.items() if n not in have or have[n].version != v]
    if missing:
        print(f"corpus: installing {len(missing)} pinned packages into {venv}", file=sys.stderr)
        whole = subprocess.run([python, *PIP_INSTALL, "-r", str(pins_file)], check=False)
        if whole.returncode != 0:
            print("corpus: the list failed; installing one pin at a time", file=sys.stderr)
            for name in missing:
                one = subprocess.run(
                    [python, *PIP_INSTALL, f"{name}=={pins[name]}"],
                    check=False,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                if one.returncode != 0:
                    print(f"corpus: {name}=={pins[name]} failed to install", file=sys.stderr)
    return site


# -- running gilcheck ---------------------------------------------------------------------------
@dataclass
class Target:
    name: str
    version: str
    root: Path  # working directory; reported paths are relative to it
    paths: list[str]  # relative to root
    excludes: tuple[str, ...]


@dataclass
class Result:
    target: Target
    files: int = 0
    lines: int = 0
    seconds: float = 0.0
    findings: list[dict[str, Any]] = field(default_factory=list)
    internal_errors: int = 0
    returncode: int = 0
    stderr_tail: str = ""


def count_lines(target: Target) -> tuple[int, int]:
    """Files and physical lines gilcheck discovers for ``target`` (same walk, same excludes)."""
    from gilcheck.config import Config
    from gilcheck.files import discover

    config = Config(extend_exclude=target.excludes, root=target.root)
    cwd = os.getcwd()
    os.chdir(target.root)
    try:
        files = discover(target.paths, config)
    finally:
        os.chdir(cwd)
    lines = 0
    for source in files:
        try:
            with open(target.root / source.path, "rb") as handle:
                lines += sum(1 for _ in handle)
        except OSError:
            pass
    return len(files), lines


def run_target(target: Target, jobs: int, python: str) -> Result:
    result = Result(target)
    result.files, result.lines = count_lines(target)
    with tempfile.TemporaryDirectory(prefix="gilcheck-corpus-") as tmp:
        out = Path(tmp) / "out.json"
        # -I: the package folder is the working directory, and it must not shadow the
        # standard library (enum34 installs a top-level ``enum`` into site-packages)
        cmd = [python, "-I", "-m", "gilcheck", *target.paths, "--format", "json"]
        cmd += ["--min-confidence", "low", "--no-cache", "--exit-zero", "-o", str(out)]
        cmd += ["--jobs", str(jobs)]
        for pattern in target.excludes:
            cmd += ["--exclude", pattern]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=target.root, capture_output=True, text=True)
        result.seconds = time.perf_counter() - start
        result.returncode = proc.returncode
        errors = proc.stderr.splitlines()
        result.internal_errors = sum(
            1 for line in errors if line.removeprefix("gilcheck: ").startswith(INTERNAL_ERROR)
        )
        result.stderr_tail = "\n".join(errors[-5:])
        if out.exists():
            document = json.loads(out.read_text(encoding="utf-8"))
            for finding in document.get("findings", []):
                finding["package"] = target.name
                result.findings.append(finding)
            result.files = int(document.get("summary", {}).get("files_checked", result.files))
    if result.returncode != 0:
        print(
            f"corpus: gilcheck exited {result.returncode} on {target.name}:\n{result.stderr_tail}",
            file=sys.stderr,
        )
    return result


def stdlib_target() -> Target:
    root = Path(sysconfig.get_paths()["stdlib"])
    version = ".".join(map(str, sys.version_info[:3]))
    return Target(STDLIB, version, root, ["."], STDLIB_EXCLUDES)


# -- the table ----------------------------------------------------------------------------------
def visible(finding: dict[str, Any]) -> bool:
    return finding["code"] != "GIL000" and finding["confidence"] in VISIBLE


def table(rows: list[dict[str, Any]]) -> str:
    """Aligned text table; one row per package plus a total."""
    header = ["package", "version", "files", "lines", *RULES, "high", "med", "low"]
    header += ["vis/kloc", "secs", "GIL000", "ierr"]
    body: list[list[str]] = []
    for row in rows:
        kloc = row["lines"] / 1000 if row["lines"] else 0.0
        density = f"{row['visible'] / kloc:.2f}" if kloc else "-"
        cells = [row["package"], row["version"], str(row["files"]), str(row["lines"])]
        cells += [str(row["rules"].get(code, 0)) for code in RULES]
        cells += [str(row["conf"].get(c, 0)) for c in ("high", "medium", "low")]
        cells += [density, f"{row['seconds']:.1f}", str(row["parse"]), str(row["ierr"])]
        body.append(cells)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [fmt(header), fmt(["-" * w for w in widths])]
    lines += [fmt(r) for r in body[:-1]]
    lines += [fmt(["-" * w for w in widths]), fmt(body[-1])]
    return "\n".join(lines)


def summarize(
    name: str, version: str, findings: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    rules: collections.Counter[str] = collections.Counter()
    conf: collections.Counter[str] = collections.Counter()
    parse = 0
    for f in findings:
        if f["code"] == "GIL000":
            parse += 1
            continue
        conf[f["confidence"]] += 1
        if visible(f):
            rules[f["code"]] += 1
    row = {"package": name, "version": version, "rules": rules, "conf": conf, "parse": parse}
    row["visible"] = sum(rules.values())
    row.update(extra)
    return row


def table_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    by_package: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for f in document["findings"]:
        by_package[f["package"]].append(f)
    rows = []
    for name, info in document["packages"].items():
        rows.append(
            summarize(
                name,
                info["version"],
                by_package.get(name, []),
                files=info["files"],
                lines=info["lines"],
                seconds=info["seconds"],
                ierr=info["internal_errors"],
            )
        )
    total = summarize(
        "TOTAL",
        "",
        document["findings"],
        files=sum(r["files"] for r in rows),
        lines=sum(r["lines"] for r in rows),
        seconds=sum(r["seconds"] for r in rows),
        ierr=sum(r["ierr"] for r in rows),
    )
    return [*rows, total]


# -- sampling -----------------------------------------------------------------------------------
def sort_key(f: dict[str, Any]) -> tuple[str, str, int, int, str, str]:
    return (f["package"], f["path"], f["line"], f["column"], f["code"], f["message"])


def draw_sample(
    findings: list[dict[str, Any]], n: int, seed: int, per_rule: int = 8
) -> list[dict[str, Any]]:
    """A fixed-seed sample of ``n`` visible findings; each rule first gets ``per_rule`` (or all)."""
    pool = sorted((f for f in findings if visible(f)), key=sort_key)
    rng = random.Random(seed)
    by_rule: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for f in pool:
        by_rule[f["code"]].append(f)
    chosen: list[dict[str, Any]] = []
    taken: set[int] = set()
    for code in sorted(by_rule):
        group = by_rule[code]
        for f in rng.sample(group, min(per_rule, len(group))):
            chosen.append(f)
            taken.add(id(f))
    rest = [f for f in pool if id(f) not in taken]
    need = max(0, n - len(chosen))
    chosen += rng.sample(rest, min(need, len(rest)))
    return sorted(chosen, key=sort_key)


def context(root: Path, path: str, line: int, radius: int) -> str:
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(source not readable)"
    start = max(1, line - radius)
    stop = min(len(text), line + radius)
    return "\n".join(
        f"{'>' if i == line else ' '}{i:5d} {text[i - 1]}" for i in range(start, stop + 1)
    )


def review_template(document: dict[str, Any], sample: list[dict[str, Any]], radius: int) -> str:
    roots = {name: Path(info["root"]) for name, info in document["packages"].items()}
    out = [
        "# gilcheck corpus review sample",
        "",
        f"gilcheck {document.get('gilcheck_commit', '?')}, {len(sample)} visible findings, "
        f"seed {document.get('seed')}.",
        "",
        "| # | location | code | confidence | verdict | reason |",
        "|---|---|---|---|---|---|",
    ]
    for i, f in enumerate(sample, 1):
        loc = f"{f['package']}: {f['path']}:{f['line']}"
        out.append(f"| {i} | `{loc}` | {f['code']} | {f['confidence']} | ? | |")
    out.append("")
    for i, f in enumerate(sample, 1):
        out += [
            f"## {i}. {f['package']}: {f['path']}:{f['line']} {f['code']} [{f['confidence']}]",
            "",
            f"{f['message']}  (scope `{f.get('scope', '')}`, symbol `{f.get('symbol', '')}`)",
            "",
            "```python",
            context(roots[f["package"]], f["path"], f["line"], radius),
            "```",
            "",
            "Verdict: ?",
            "",
        ]
    return "\n".join(out)


# -- verdicts -----------------------------------------------------------------------------------
#: A location cell of a review row: `path/to/file.py:LINE`, optionally "package: " first.
_LOCATION = re.compile(r"`(?:[\w.\-]+: )?([\w./\-]+\.pyi?):(\d+)`")
_CODE = re.compile(r"^GIL00\d$")
_VERDICT = re.compile(r"^\**(TRUE|FALSE)\b")

Key = tuple[str, int, str]


def read_verdicts(review: Path) -> dict[Key, str]:
    """Verdicts of ``review.md``'s table rows, keyed by (path, line, code).

    A row is any Markdown table row with a backticked ``path.py:LINE`` location, a cell that is
    exactly a rule code and a cell that starts with TRUE or FALSE (bold allowed), whatever the
    column order of its pass. The file leads with its latest pass, so the first verdict of a
    location wins: a later pass re-reading a finding overrides an older reading.
    """
    verdicts: dict[Key, str] = {}
    for line in review.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        location = next((m for c in cells if (m := _LOCATION.search(c))), None)
        code = next((c for c in cells if _CODE.match(c)), None)
        verdict = next((m.group(1) for c in cells if (m := _VERDICT.match(c))), None)
        if location and code and verdict:
            key = (location.group(1), int(location.group(2)), code)
            verdicts.setdefault(key, verdict)
    return verdicts


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval (95% by default) of ``hits`` out of ``n``."""
    if n == 0:
        return (0.0, 1.0)
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    denominator = 1 + z * z / n
    return (max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator))


def precision_report(document: dict[str, Any], verdicts: dict[Key, str]) -> str:
    """Precision of the visible (medium and high) findings by rule, confidence and package.

    Each visible finding is TRUE, FALSE or unread (no row in the review for its location and
    code). Precision and its Wilson interval count read findings only; the unread ones are
    listed after the table, so that a figure is quoted only once they are all read.
    """
    groups: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    unread: list[dict[str, Any]] = []
    for f in sorted(document["findings"], key=sort_key):
        if not visible(f):
            continue
        verdict = verdicts.get((f["path"], f["line"], f["code"]), "unread")
        for group in ("all", f"rule {f['code']}", f"confidence {f['confidence']}"):
            groups[group][verdict] += 1
        groups[f"package {f['package']}"][verdict] += 1
        if verdict == "unread":
            unread.append(f)
    kinds = {"all": 0, "rule": 1, "confidence": 2, "package": 3}
    order = sorted(groups, key=lambda g: (kinds[g.split()[0]], g))
    lines = precision_table([(g, groups[g]) for g in order])
    if unread:
        lines += ["", f"{len(unread)} visible findings have no verdict in the review:"]
        lines += [
            f"  {f['package']}: {f['path']}:{f['line']} {f['code']} {f['confidence']}"
            for f in unread
        ]
    return "\n".join(lines)


def precision_table(groups: list[tuple[str, collections.Counter[str]]]) -> list[str]:
    """Lines of a table: per group, visible findings, TRUE, FALSE, unread, precision of the
    read ones and its Wilson 95% interval."""
    header = ["group", "visible", "TRUE", "FALSE", "unread", "precision", "Wilson 95%"]
    body = []
    for g, c in groups:
        read = c["TRUE"] + c["FALSE"]
        low, high = wilson(c["TRUE"], read)
        share = f"{c['TRUE'] / read:.0%}" if read else "-"
        span = f"{low:.0%}-{high:.0%}" if read else "-"
        body.append([g, str(sum(c.values())), str(c["TRUE"]), str(c["FALSE"]), str(c["unread"])])
        body[-1] += [share, span]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *body]
    ]


# -- main ---------------------------------------------------------------------------------------
def git_commit() -> str:
    """This checkout's commit, with ``+dirty`` when ``src/`` has uncommitted changes."""
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(HERE.parent), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def gilcheck_under_test(python: str) -> str:
    """What ``python -m gilcheck`` runs: this checkout's commit when it imports gilcheck from
    here (an editable install), otherwise the installed version and its folder, since a
    ``--python`` install may hold other code than the checkout."""
    probe = (
        "import gilcheck, importlib.metadata as m; "
        "print(m.version('gilcheck')); print(gilcheck.__file__)"
    )
    try:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    version, _, location = out.stdout.strip().partition("\n")
    package = Path(location).resolve().parent
    if package.is_relative_to((HERE.parent / "src").resolve()):
        return git_commit()
    return f"{version} installed at {package}"


def build_targets(args: argparse.Namespace) -> list[Target]:
    pins = read_pins(args.pins)
    only = {normalize(n) for n in args.only.split(",")} if args.only else None
    targets: list[Target] = []
    wanted = {n: v for n, v in pins.items() if only is None or n in only}
    if wanted:
        if args.site_packages:
            site = Path(args.site_packages).resolve()
        else:
            site = ensure_venv(args.venv, args.pins, pins)
        have = installed(site)
        excludes = () if args.include_tests else TEST_EXCLUDES
        for name, version in wanted.items():
            dist = have.get(name)
            if dist is None or not dist.tops:
                print(f"corpus: {name} is not installed in {site}; skipped", file=sys.stderr)
                continue
            if dist.version != version:
                print(f"corpus: {name} is {dist.version}, pinned {version}", file=sys.stderr)
            targets.append(Target(name, dist.version, site, dist.tops, excludes))
    if not args.no_stdlib and (only is None or STDLIB in only):
        targets.append(stdlib_target())
    return targets


def run_corpus(args: argparse.Namespace) -> dict[str, Any]:
    document: dict[str, Any] = {
        "gilcheck_commit": gilcheck_under_test(args.python),
        "date": time.strftime("%Y-%m-%d"),
        "python": sys.version.split()[0],
        "packages": {},
        "findings": [],
    }
    for target in build_targets(args):
        print(f"corpus: {target.name} ...", file=sys.stderr, flush=True)
        result = run_target(target, args.jobs, args.python)
        document["packages"][target.name] = {
            "version": target.version,
            "root": str(target.root),
            "paths": target.paths,
            "files": result.files,
            "lines": result.lines,
            "seconds": round(result.seconds, 2),
            "internal_errors": result.internal_errors,
            "returncode": result.returncode,
        }
        document["findings"] += result.findings
    return document


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="scratch venv (%(default)s)")
    p.add_argument("--site-packages", help="read packages from this folder; no venv")
    p.add_argument("--pins", type=Path, default=DEFAULT_PINS, help="pinned list (%(default)s)")
    p.add_argument("--only", help="comma-separated package names (and/or 'stdlib')")
    p.add_argument("--no-stdlib", action="store_true", help="leave out the standard library")
    p.add_argument("--include-tests", action="store_true", help="also check packages' tests")
    p.add_argument("--jobs", type=int, default=1, help="gilcheck --jobs per package (1)")
    p.add_argument("--python", default=sys.executable, help="interpreter that runs gilcheck")
    p.add_argument("--json", type=Path, help="write all raw findings with their package here")
    p.add_argument("--from-json", type=Path, help="use a previous --json output; run nothing")
    p.add_argument("--sample", type=int, default=0, help="print a review template of N findings")
    p.add_argument("--seed", type=int, default=1, help="sample seed (1)")
    p.add_argument("--per-rule", type=int, default=8, help="minimum sampled per rule (8)")
    p.add_argument("--context", type=int, default=3, help="source lines each side (3)")
    p.add_argument(
        "--verdicts",
        type=Path,
        help="print precision of the visible findings from this review file's verdicts",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        document = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        document = run_corpus(args)
        if args.json:
            args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    report = table(table_rows(document))
    header = (
        f"gilcheck {document['gilcheck_commit']} on Python {document['python']}, "
        f"{document['date']}; rule columns and vis/kloc count visible (medium+) findings"
    )
    if args.verdicts:
        print(header + "\n\n" + report, file=sys.stderr)
        print(precision_report(document, read_verdicts(args.verdicts)))
    elif args.sample:
        sample = draw_sample(document["findings"], args.sample, args.seed, args.per_rule)
        document["seed"] = args.seed
        print(header + "\n\n" + report, file=sys.stderr)
        print(review_template(document, sample, args.context))
    else:
        print(header + "\n\n" + report)
    failed = [n for n, info in document["packages"].items() if info.get("returncode")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
