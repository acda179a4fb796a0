"""Write review briefs for a corpus run, one file per batch of findings, for a reader to judge.

The precision figures in ``review.md`` come from reading findings by hand in the installed source.
This script cuts the work into briefs that a reader (a person, or a helper session that sees
nothing else) can take one at a time: each brief says what to judge and how, lists its findings
with the source around them, and names the file the verdict rows go to, in ``review.md``'s row
format, so that ``corpus.py --verdicts`` reads them back.

Usage::

    python benchmarks/review_kit.py RUN.json OUTDIR PREFIX                 # every visible finding
    python benchmarks/review_kit.py RUN.json OUTDIR LPREFIX --low 24 --seed 29  # a `low` sample

``RUN.json`` is a ``corpus.py --json`` output (it records each package's folder). Findings are
numbered ``PREFIX1``, ``PREFIX2``, ... in (package, path, line) order, and ``--per-brief`` of them
(default 4) go to ``OUTDIR/PREFIX-k.md``, whose reader writes ``OUTDIR/PREFIX-k.rows.md``.
``--low N --seed S`` draws a fixed-seed sample of N ``low`` findings instead (the quiet: how many
real races the default view hides). GIL000 (cannot analyze) is never included.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

#: The reviewed tiers (see ``corpus.VISIBLE``): medium and high.
VISIBLE = ("medium", "high")

RULES_TEXT = """\
A finding is **TRUE** when it is a real hazard on free-threaded CPython (or under ordinary thread
interleavings with the GIL): two threads that the package really runs (or that a documented,
ordinary use of its API runs) can interleave at the reported place so that state is lost,
corrupted, double-initialized, or an exception is raised (e.g. "dictionary changed size during
iteration", IndexError on a pop after a length check), and a maintainer would accept a fix for it.
It is **FALSE** when, for example: only one thread ever runs the code or owns the state; every
access is under the same lock (look at callers too: a method may be called only with the lock
held); the code runs on an asyncio or Qt event loop only; the threads take turns (join, queue
hand-off, a one-at-a-time Timer chain); the repeat is harmless (idempotent); the object is local
to a call or not yet shared; the package starts no thread and its API is not documented as
thread-safe; or the tool misread the code (wrong variable, wrong container).
Find the threads yourself: search the package for `Thread(`, `start()`, `submit(`, `Timer(`,
executors, callbacks from network/GUI libraries, and follow the calls. Do not trust the finding's
message: check it. Read only the package's own source under its folder (given below); do not
run or import it. Do not edit anything outside the output file named below.
"""

ROW_FORMAT = """\
Write your verdicts, and nothing else, to `{rows}`, one Markdown table row per finding, in
this exact form (each finding below gives the start of its row: ID, location, code, confidence):

| {first} | `path/to/file.py:LINE` (`Scope.name`) | GIL00N | high | TRUE | REASON |

where REASON is one to four sentences: which threads, which lines, what goes wrong (or why
nothing can go wrong).

Verdict is exactly TRUE or FALSE (no "borderline": decide, and say in the reason if it is
close). Then end with a one-line summary message: how many TRUE and FALSE.
"""


def visible(finding: dict[str, Any]) -> bool:
    return finding["code"] != "GIL000" and finding["confidence"] in VISIBLE


def sort_key(f: dict[str, Any]) -> tuple[str, str, int, int, str]:
    return (f["package"], f["path"], f["line"], f["column"], f["code"])


def choose(findings: list[dict[str, Any]], low: int, seed: int) -> list[dict[str, Any]]:
    if not low:
        return sorted((f for f in findings if visible(f)), key=sort_key)
    pool = sorted(
        (f for f in findings if f["code"] != "GIL000" and f["confidence"] == "low"), key=sort_key
    )
    return sorted(random.Random(seed).sample(pool, min(low, len(pool))), key=sort_key)


def context(root: Path, path: str, line: int, radius: int) -> str:
    try:
        text = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(source not readable)"
    start, stop = max(1, line - radius), min(len(text), line + radius)
    return "\n".join(
        f"{'>' if i == line else ' '}{i:5d} {text[i - 1]}" for i in range(start, stop + 1)
    )


def brief(
    batch: list[tuple[str, dict[str, Any]]],
    roots: dict[str, Path],
    rows: Path,
    radius: int,
) -> str:
    out = [
        "# Review brief: is each of these gilcheck findings a real thread-safety bug?",
        "",
        "gilcheck is a static analyzer for Python code that is only correct because the GIL",
        "serializes it. Judge each finding below by reading the installed package's source.",
        "",
        RULES_TEXT,
        ROW_FORMAT.format(rows=rows, first=batch[0][0]),
    ]
    for ident, f in batch:
        root = roots[f["package"]]
        out += [
            f"## {ident}: {f['package']} `{f['path']}:{f['line']}` {f['code']} [{f['confidence']}]",
            "",
            f"Package folder: `{root}` (paths are relative to it). Scope `{f.get('scope') or ''}`.",
            "",
            f"Message: {f['message']}",
            "",
        ]
        cells = f"`{f['path']}:{f['line']}` (`{f.get('scope') or ''}`)"
        out += [
            "Your row starts:",
            "",
            f"    | {ident} | {cells} | {f['code']} | {f['confidence']} |",
            "",
        ]
        if f.get("why_low"):
            out += [f"Why `low`: {f['why_low']}", ""]
        out += ["```python", context(root, f["path"], f["line"], radius), "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("run", type=Path, help="a corpus.py --json output")
    p.add_argument("outdir", type=Path, help="folder for the briefs")
    p.add_argument("prefix", help="ID prefix of the rows (e.g. GE, or LGE for a low sample)")
    p.add_argument("--per-brief", type=int, default=4, help="findings per brief (4)")
    p.add_argument("--low", type=int, default=0, help="sample N `low` findings instead")
    p.add_argument("--seed", type=int, default=1, help="seed of the `low` sample (1)")
    p.add_argument("--context", type=int, default=12, help="source lines each side (12)")
    args = p.parse_args(argv)
    document = json.loads(args.run.read_text(encoding="utf-8"))
    roots = {name: Path(info["root"]) for name, info in document["packages"].items()}
    chosen = choose(document["findings"], args.low, args.seed)
    if not chosen:
        print("review_kit: nothing to review", file=sys.stderr)
        return 1
    args.outdir.mkdir(parents=True, exist_ok=True)
    numbered = [(f"{args.prefix}{i}", f) for i, f in enumerate(chosen, 1)]
    size = max(1, args.per_brief)
    for k in range(0, len(numbered), size):
        name = f"{args.prefix}-{k // size + 1}"
        rows = args.outdir / f"{name}.rows.md"
        text = brief(numbered[k : k + size], roots, rows, args.context)
        (args.outdir / f"{name}.md").write_text(text, encoding="utf-8")
        print(args.outdir / f"{name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
