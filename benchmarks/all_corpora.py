"""Run every reviewed corpus with one version of gilcheck, and report precision per corpus.

The precision figure of ``README.md`` is "every reviewed corpus, re-run at this version". This
script is that run, so that it is one command rather than shell loops:

1. ``run``: for each corpus (``t`` is ``corpus-packages.txt`` with the standard library, ``1``
   is ``corpus-heldout.txt``, ``N`` is ``corpus-heldoutN.txt``), calls ``corpus.py`` with the
   corpus's own venv (``VENV_ROOT/t-venv``, ``VENV_ROOT/hN-venv``; ``corpus.py`` builds a venv
   that lacks a pin) and writes ``OUT/hN.json``. ``--parallel 2`` runs two corpora at a time
   (each with ``--jobs``), the largest first; ``--resume`` skips corpora whose JSON exists.
2. ``report``: reads ``OUT/h*.json`` and the verdict rows of ``review.md``, and prints, per
   corpus and in total, visible findings, TRUE, FALSE and unread, with Wilson 95% intervals, by
   rule and by confidence. ``--merged FILE`` writes all findings in one JSON (packages named
   ``hN:package``) for ``corpus.py --from-json FILE --verdicts review.md``.
3. ``diff``: compares two such folders (an earlier version's runs and this one's): per corpus,
   the visible findings before and after, then each visible finding that went or came, keyed
   by path, line and rule, with its verdict from ``review.md``. Counts can hide a swap (one
   TRUE gone, one FALSE come); the sets cannot. Exits 1 when a TRUE went.

4. ``run --visible-from OLD``: re-runs, in each corpus, only the packages that had a visible
   finding in the earlier run folder OLD, and carries every other package's findings over from
   OLD (the JSON names them under ``carried``). That is about a sixth of the full run's time,
   and exact for a change that can only lower confidences: a package with nothing visible
   before has nothing visible after. A change that can raise one needs the full run.

Examples::

    python benchmarks/all_corpora.py run --python /tmp/v/bin/python --out /tmp/runs --parallel 2
    python benchmarks/all_corpora.py run --python /tmp/v/bin/python --out /tmp/runs --only 27
    python benchmarks/all_corpora.py report --out /tmp/runs
    python benchmarks/all_corpora.py diff /tmp/old-runs /tmp/runs
    python benchmarks/all_corpora.py run --python /tmp/v/bin/python --out /tmp/part \
        --parallel 2 --visible-from /tmp/runs

Held-out 22 (16 M lines) alone takes about twenty minutes on two cores; all thirty-two corpora
about an hour and a half.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_tool", HERE / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_tool"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def corpus_ids() -> list[str]:
    """``t``, ``1``, ``2``... for every pin list in ``benchmarks/``, in order."""
    numbers = sorted(
        int(p.stem.removeprefix("corpus-heldout") or "1") for p in HERE.glob("corpus-heldout*.txt")
    )
    return ["t"] + [str(n) for n in numbers]


def pins_of(corpus: str) -> Path:
    if corpus == "t":
        return HERE / "corpus-packages.txt"
    return HERE / ("corpus-heldout.txt" if corpus == "1" else f"corpus-heldout{corpus}.txt")


def command(
    corpus: str, python: str, venv_root: Path, out: Path, jobs: int, only: list[str] | None = None
) -> list[str]:
    """The ``corpus.py`` call for one corpus (``only``: just these packages)."""
    venv = venv_root / ("t-venv" if corpus == "t" else f"h{corpus}-venv")
    cmd = [python, str(HERE / "corpus.py"), "--python", python, "--venv", str(venv)]
    cmd += ["--pins", str(pins_of(corpus)), "--jobs", str(jobs)]
    cmd += ["--json", str(out / f"h{corpus}.json")]
    if corpus != "t":
        cmd.append("--no-stdlib")
    if only is not None:
        cmd += ["--only", ",".join(only)]
    return cmd


def visible_packages(document: dict[str, Any]) -> list[str]:
    """The packages of one corpus run that have a visible (medium or high) finding, in run order."""
    corpus = _corpus()
    seen = {f["package"] for f in document["findings"] if corpus.visible(f)}
    return [name for name in document["packages"] if name in seen]


def carry_over(path: Path, earlier: dict[str, Any], source: Path) -> None:
    """Complete the partial run at ``path`` with the packages of ``earlier`` it left out.

    ``--visible-from`` re-runs only the packages that had a visible finding in an earlier
    run. For a change that can only lower confidences, a package with no visible finding
    then still has none, so its earlier findings stand; they are copied in, and the file
    names them under ``carried`` so that no reader mistakes them for a fresh run."""
    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    if document is None:
        document = {**earlier, "packages": {}, "findings": []}
    ran = set(document["packages"])
    kept = [name for name in earlier["packages"] if name not in ran]
    document["packages"].update({name: earlier["packages"][name] for name in kept})
    document["findings"] += [f for f in earlier["findings"] if f["package"] not in ran]
    document["carried"] = {
        "from": str(source),
        "gilcheck_commit": earlier.get("gilcheck_commit", "?"),
        "packages": kept,
    }
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    chosen = args.only.split(",") if args.only else corpus_ids()
    todo = [c for c in chosen if not (args.resume and (args.out / f"h{c}.json").exists())]
    # the largest pin lists first, so that the last one to finish is a small one
    todo.sort(key=lambda c: -len(pins_of(c).read_text(encoding="utf-8")))

    def one(corpus: str) -> int:
        started = time.monotonic()
        only: list[str] | None = None
        earlier: dict[str, Any] | None = None
        if args.visible_from is not None:
            source = args.visible_from / f"h{corpus}.json"
            if not source.exists():
                print(f"h{corpus}: not in {args.visible_from}", flush=True)
                return 1
            earlier = json.loads(source.read_text(encoding="utf-8"))
            only = visible_packages(earlier)
        code = 0
        if only != []:  # a corpus with nothing visible before is carried over whole
            cmd = command(corpus, args.python, args.venv_root, args.out, args.jobs, only)
            table = args.out / f"h{corpus}.table"
            err = args.out / f"h{corpus}.err"
            with (
                open(table, "w", encoding="utf-8") as out,
                open(err, "w", encoding="utf-8") as log,
            ):
                code = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=log).returncode
        if earlier is not None and code == 0:
            carry_over(args.out / f"h{corpus}.json", earlier, args.visible_from)
        ran = "" if only is None else f" ({len(only)} packages re-run)"
        print(f"h{corpus}: exit {code}, {time.monotonic() - started:.0f} s{ran}", flush=True)
        return code

    with ThreadPoolExecutor(args.parallel) as pool:
        codes = list(pool.map(one, todo))
    return 1 if any(codes) else 0


def tally(
    documents: dict[str, dict[str, Any]], verdicts: dict[tuple[str, int, str], str]
) -> dict[str, collections.Counter[str]]:
    """Verdict counts of the visible findings: per corpus (``hN``), per rule, per confidence
    and in total (``all``)."""
    corpus = _corpus()
    groups: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for name, document in documents.items():
        groups[name]  # a corpus with nothing visible still gets its row
        for f in document["findings"]:
            if not corpus.visible(f):
                continue
            verdict = verdicts.get((f["path"], f["line"], f["code"]), "unread")
            for group in (name, f"rule {f['code']}", f"confidence {f['confidence']}", "all"):
                groups[group][verdict] += 1
    return groups


def report(args: argparse.Namespace) -> int:
    corpus = _corpus()
    documents = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(args.out.glob("h*.json"), key=lambda p: _order(p.stem))
    }
    if not documents:
        print(f"error: {args.out}: no h*.json corpus runs", file=sys.stderr)
        return 2
    groups = tally(documents, corpus.read_verdicts(args.review))
    commits = sorted({d.get("gilcheck_commit", "?") for d in documents.values()})
    print(f"{len(documents)} corpora, gilcheck {', '.join(commits)}")
    carried = [d["carried"] for d in documents.values() if d.get("carried", {}).get("packages")]
    if carried:
        kept = sum(len(c["packages"]) for c in carried)
        origins = sorted({f"{c['from']} ({c['gilcheck_commit']})" for c in carried})
        print(f"{kept} packages with nothing visible carried over from {', '.join(origins)}")
    order = [*documents, *sorted(g for g in groups if g.startswith(("rule", "conf"))), "all"]
    print("\n".join(corpus.precision_table([(g, groups[g]) for g in order])))
    files = sum(i.get("files", 0) for d in documents.values() for i in d["packages"].values())
    lines = sum(i.get("lines", 0) for d in documents.values() for i in d["packages"].values())
    packages = sum(len(d["packages"]) for d in documents.values())
    errors = sum(
        i.get("internal_errors", 0) for d in documents.values() for i in d["packages"].values()
    )
    print(f"{packages} packages, {files} files, {lines} lines, {errors} internal errors")
    if args.merged:
        merged: dict[str, Any] = {"gilcheck_commit": ", ".join(commits), "date": "", "python": ""}
        merged["packages"] = {
            f"{name}:{pkg}": info
            for name, d in documents.items()
            for pkg, info in d["packages"].items()
        }
        merged["findings"] = [
            {**f, "package": f"{name}:{f['package']}"}
            for name, d in documents.items()
            for f in d["findings"]
        ]
        args.merged.write_text(json.dumps(merged) + "\n", encoding="utf-8")
    return 0


def diff(args: argparse.Namespace) -> int:
    corpus = _corpus()
    verdicts = corpus.read_verdicts(args.review)

    def visible(path: Path) -> dict[tuple[str, int, str], dict[str, Any]]:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {
            (f["path"], f["line"], f["code"]): f for f in document["findings"] if corpus.visible(f)
        }

    stems = {p.stem for p in args.old.glob("h*.json")} | {p.stem for p in args.new.glob("h*.json")}
    if not stems:
        print(f"error: {args.old}, {args.new}: no h*.json corpus runs", file=sys.stderr)
        return 2
    lost_true = 0
    for stem in sorted(stems, key=_order):
        old_path, new_path = args.old / f"{stem}.json", args.new / f"{stem}.json"
        if not old_path.exists() or not new_path.exists():
            print(f"{stem}: only in {args.new if new_path.exists() else args.old}")
            continue
        before, after = visible(old_path), visible(new_path)
        print(f"{stem}: {len(before)} -> {len(after)} visible")
        for sign, keys, source in (
            ("-", sorted(before.keys() - after.keys()), before),
            ("+", sorted(after.keys() - before.keys()), after),
        ):
            for key in keys:
                verdict = verdicts.get(key, "unread")
                lost_true += sign == "-" and verdict == "TRUE"
                f = source[key]
                print(f"  {sign} {key[0]}:{key[1]} {key[2]} {f['confidence']} {verdict}")
    return 1 if lost_true else 0


def _order(stem: str) -> tuple[int, int]:
    tag = stem.removeprefix("h")
    return (0, 0) if tag == "t" else (1, int(tag) if tag.isdigit() else 0)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run", help="run corpus.py over every corpus")
    r.add_argument("--python", default=sys.executable, help="interpreter that runs gilcheck")
    r.add_argument("--venv-root", type=Path, default=Path("/tmp"), help="where hN-venv live (/tmp)")
    r.add_argument("--only", help="comma-separated corpus ids (t, 1, 2, ...)")
    r.add_argument("--parallel", type=int, default=1, help="corpora at a time (1)")
    r.add_argument("--jobs", type=int, default=2, help="gilcheck --jobs per package (2)")
    r.add_argument("--resume", action="store_true", help="skip corpora whose JSON exists")
    r.add_argument("--out", type=Path, required=True, help="folder for hN.json")
    r.add_argument(
        "--visible-from",
        type=Path,
        help="earlier run folder: re-run only its packages with a visible finding and carry"
        " the rest over (valid for a change that can only lower confidences)",
    )
    s = sub.add_parser("report", help="precision per corpus from the runs and review.md")
    s.add_argument("--out", type=Path, required=True, help="folder of hN.json")
    s.add_argument("--review", type=Path, default=HERE / "review.md", help="verdict rows")
    s.add_argument("--merged", type=Path, help="also write all findings in one JSON")
    d = sub.add_parser("diff", help="visible findings gone and new between two run folders")
    d.add_argument("old", type=Path, help="folder of an earlier version's hN.json")
    d.add_argument("new", type=Path, help="folder of this version's hN.json")
    d.add_argument("--review", type=Path, default=HERE / "review.md", help="verdict rows")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    actions = {"run": run, "report": report, "diff": diff}
    return actions[args.action](args)


if __name__ == "__main__":
    sys.exit(main())
