"""The per-file pass: bytes in, a ModuleResult (candidates + summary) out. Never raises."""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
import warnings
from collections.abc import Iterable

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from gilcheck.analysis import known
from gilcheck.analysis.collector import Collector, class_like, dotted_name, new_object, walk_nodes
from gilcheck.analysis.model import OTHER, ClassInfo, Entry, ModuleModel, Scope
from gilcheck.analysis.positions import fast_positions, split_lines
from gilcheck.analysis.rules import DEFINITE, Judge, Raw, code_of, is_property, one_worker
from gilcheck.analysis.summary import (
    BEFORE_INDEX,
    BEFORE_START,
    OWN_THREAD,
    Candidate,
    EntrySummary,
    ModuleResult,
    ModuleSummary,
)
from gilcheck.findings import Confidence, Finding
from gilcheck.registry import RULES

_WS = re.compile(r"\s+")


def syntax_error_finding(path: str, reason: str, line: int = 1, column: int = 1) -> Finding:
    return Finding(
        path=path,
        line=max(line, 1),
        column=max(column, 1),
        end_line=max(line, 1),
        end_column=max(column, 1) + 1,
        code="GIL000",
        name=RULES["GIL000"].name,
        message=reason,
        confidence=Confidence.HIGH,
        suggestion="Fix the file so that Python can parse it; nothing else in it was checked.",
        symbol="",
        scope="",
        snippet=reason,
    )


def _fail(path: str, reason: str, line: int = 1, column: int = 1) -> ModuleResult:
    finding = syntax_error_finding(path, reason, line, column)
    return ModuleResult(path=path, candidates=(Candidate(finding, "fixed"),), summary=None)


def decode(data: bytes) -> tuple[str, str]:
    """Decode like the interpreter does (PEP 263 cookie, BOM); returns (text, encoding).

    Raises ``UnicodeDecodeError`` (its ``encoding`` names the codec tried) when the bytes do not
    decode, and ``LookupError`` for a coding cookie naming an unknown codec.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # tokenize says only "invalid or missing encoding declaration": find out which codec
        # it tried and where the bytes stop decoding, so that the message can say so.
        encoding = _declared_encoding(data)
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LookupError(f"unknown encoding {encoding!r} in the coding declaration") from None
        data.decode(encoding)  # raises UnicodeDecodeError with the offset
        if data.startswith(codecs.BOM_UTF8):
            raise LookupError(
                "the file starts with a UTF-8 byte order mark but declares another encoding"
            ) from None
        raise LookupError(str(exc.msg)) from None
    return data.decode(encoding), encoding


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _declared_encoding(data: bytes) -> str:
    """The PEP 263 cookie of the first two lines, or utf-8."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for line in data.splitlines()[:2]:
        match = _COOKIE.match(line)
        if match is not None:
            return match.group(1).decode("ascii", "replace")
        if line.strip() and not line.lstrip().startswith(b"#"):
            break
    return "utf-8"


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset (columns counted in bytes)."""
    line_start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    line = data.count(b"\n", 0, offset) + 1
    if b"\n" not in data and b"\r" in data:
        line = data.count(b"\r", 0, offset) + 1
    return line, offset - line_start + 1


def analyze_bytes(
    data: bytes,
    path: str,
    module: str,
    is_package: bool,
    *,
    entry_points: frozenset[str] = frozenset(),
    lock_types: frozenset[str] = frozenset(),
) -> ModuleResult:
    try:
        text, _encoding = decode(data)
    except UnicodeDecodeError as exc:
        line, column = _line_col(data, exc.start)
        byte = data[exc.start : exc.start + 1].hex()
        name = "utf-8" if exc.encoding in ("utf-8-sig", "utf_8") else exc.encoding
        return _fail(
            path,
            f"cannot decode file as {name}: invalid byte 0x{byte} at line {line}, column "
            f"{column} (declare the encoding with a PEP 263 coding comment, or save as UTF-8)",
            line,
            column,
        )
    except (SyntaxError, LookupError) as exc:
        return _fail(path, f"cannot decode file: {exc}")
    return analyze_source(
        text, path, module, is_package, entry_points=entry_points, lock_types=lock_types
    )


def analyze_source(
    text: str,
    path: str,
    module: str,
    is_package: bool,
    *,
    entry_points: frozenset[str] = frozenset(),
    lock_types: frozenset[str] = frozenset(),
) -> ModuleResult:
    try:
        return _analyze(text, path, module, is_package, entry_points, lock_types)
    except (RecursionError, MemoryError):
        return _fail(path, "file is too deeply nested to analyze")
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a bug in gilcheck: report it, never stop the run
        # (BaseException: a panic in libcst's native parser is a pyo3 PanicException, which
        # does not derive from Exception)
        import traceback

        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return ModuleResult(path=path, candidates=(), summary=None, error=detail)


#: Expressions nested deeper than this are refused (GIL000) before libcst parses them: its
#: parser takes time quadratic in the length of left-recursive chains (``a.b.b.b...``,
#: ``1 + 1 + ...``, ``f()()()...``): 2,000 links take seconds, 30,000 take minutes. CPython
#: itself refuses (RecursionError while compiling) chains of about 3,000.
MAX_NESTING = 1000


def _too_deep(tree: ast.Module) -> ast.stmt | None:
    """The statement holding a node nested deeper than ``MAX_NESTING`` levels, if any.

    Cheap: an expression on one line cannot hold more levels than it has characters (plus a
    leaf's context), so the walk skips every one-line expression too short to reach the
    limit; what is left is the statements and the multi-line expressions.
    """
    stack: list[tuple[ast.AST, int, ast.stmt | None]] = [(tree, 0, None)]
    while stack:
        node, depth, stmt = stack.pop()
        if depth > MAX_NESTING:
            return stmt
        if isinstance(node, ast.stmt):
            stmt = node
        else:
            end_col = getattr(node, "end_col_offset", None)
            if (
                end_col is not None
                and getattr(node, "end_lineno", None) == getattr(node, "lineno", 0)
                and depth + end_col - getattr(node, "col_offset", 0) + 3 <= MAX_NESTING
            ):
                continue
        for _, child in ast.iter_fields(node):
            if isinstance(child, list):
                stack.extend((c, depth + 1, stmt) for c in child if isinstance(c, ast.AST))
            elif isinstance(child, ast.AST):
                stack.append((child, depth + 1, stmt))
    return None


def _analyze(
    text: str,
    path: str,
    module: str,
    is_package: bool,
    entry_points: frozenset[str],
    lock_types: frozenset[str],
) -> ModuleResult:
    from gilcheck.suppressions import parse_suppressions

    nul = text.find("\0")
    if nul >= 0:  # CPython refuses these (ValueError on 3.10, SyntaxError later); say where
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return _fail(path, "cannot parse file: it contains a NUL byte", line, column)
    # CPython's own parser first: cheap (~10% of a libcst parse), gives the familiar messages,
    # and rejects input nested deeply enough to overflow the native libcst parser's stack.
    ast_error: SyntaxError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast_tree: ast.Module | None = ast.parse(text)
    except (RecursionError, MemoryError):
        return _fail(path, "file is too deeply nested to analyze")
    except ValueError as exc:
        return _fail(path, f"cannot parse file: {exc}")
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            return _fail(
                path,
                f"file is too deeply nested to analyze ({exc.msg})",
                exc.lineno or 1,
                exc.offset or 1,
            )
        ast_error = exc
        ast_tree = None
    if ast_tree is not None:
        deep = _too_deep(ast_tree)
        if deep is not None:
            return _fail(
                path,
                "file is too deeply nested to analyze "
                f"(an expression nested more than {MAX_NESTING} levels deep)",
                deep.lineno,
                deep.col_offset + 1,
            )
    shown = text  # what the reported lines show (the file as it is)
    shifts: dict[int, int] = {}
    try:
        tree = cst.parse_module(text)
    except (cst.ParserSyntaxError, cst.CSTValidationError) as exc:
        if ast_error is not None:
            return _fail(
                path,
                f"syntax error: {ast_error.msg}",
                ast_error.lineno or 1,
                ast_error.offset or 1,
            )
        # Valid Python (the interpreter parsed it) that libcst's parser does not accept; a
        # CSTValidationError is a node its parser builds and its own validation refuses
        # (``not( a if b else c )``: "Must have at least one space after not operator", on
        # cpppo), libcst's limit, not a bug in gilcheck
        retabbed = _retabbed(text)
        if retabbed is None:
            if isinstance(exc, cst.CSTValidationError):
                return _fail(path, f"cannot analyze: libcst cannot parse this file ({exc})")
            return _fail(
                path,
                f"cannot analyze: libcst cannot parse this file ({exc.message.splitlines()[0]})",
                exc.raw_line,
                exc.raw_column + 1,
            )
        tree, text, shifts = retabbed
        try:  # the fast positions need an ast of the same text (the expansion keeps it valid)
            ast_tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            ast_tree = None
    model = Collector(module, is_package, entry_points=entry_points).collect(tree)
    judge = Judge(model, lock_types=lock_types)
    raws = judge.run()
    positions = _positions(tree, model, raws, ast_tree, text)
    lines = split_lines(shown)
    refs: dict[tuple[str, ...], tuple[str, ...]] = {}  # writer lists shared by many findings
    candidates = tuple(_candidate(r, path, judge, positions, lines, shifts, refs) for r in raws)
    summary = _summary(model, judge, path, positions)
    suppressions = parse_suppressions(shown)
    return ModuleResult(
        path=path,
        candidates=candidates,
        summary=summary,
        suppressions=suppressions if suppressions else None,
    )


def _retabbed(text: str) -> tuple[cst.Module, str, dict[int, int]] | None:
    """Parse ``text`` with the tabs of its indentation expanded to 8-column stops, as CPython
    reads them. libcst's tokenizer rejects some indentation that mixes tabs and spaces and
    that CPython accepts (LibCST issues 829 and 951: bpytop's tab-indented block with a
    24-space line in it). Returns the tree, the text it was parsed from and, per 1-based
    line, how many characters the expansion added (to report columns in the file's own
    terms); None when there is nothing to expand or libcst still fails."""
    shifts: dict[int, int] = {}
    out: list[str] = []
    for number, line in enumerate(split_lines(text, keepends=True), 1):
        body = line.lstrip(" \t")
        lead = line[: len(line) - len(body)]
        if "\t" in lead:
            wide = lead.expandtabs(8)
            shifts[number] = len(wide) - len(lead)
            line = wide + body
        out.append(line)
    if not shifts:
        return None
    retabbed = "".join(out)
    try:
        return cst.parse_module(retabbed), retabbed, shifts
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        return None


def _positions(
    tree: cst.Module,
    model: ModuleModel,
    raws: list[Raw],
    ast_tree: ast.Module | None,
    text: str,
) -> dict[cst.CSTNode, CodeRange]:
    needed: set[cst.CSTNode] = {e.node for e in model.entries}
    for raw in raws:
        needed.add(raw.node)
        if raw.end_node is not None:
            needed.add(raw.end_node)
        if raw.other is not None:
            needed.add(raw.other)
    if not needed:
        return {}
    if ast_tree is not None:
        fast = fast_positions(tree, ast_tree, text, needed, model.statement_of)
        if fast is not None:
            return fast
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)  # the slow, always-right way
    return dict(wrapper.resolve(PositionProvider))


def _candidate(
    raw: Raw,
    path: str,
    judge: Judge,
    positions: dict[cst.CSTNode, CodeRange],
    lines: list[str],
    shifts: dict[int, int],
    refs: dict[tuple[str, ...], tuple[str, ...]],
) -> Candidate:
    rng = positions[raw.node]
    start = rng.start
    end = rng.end
    if raw.end_node is not None and raw.end_node in positions:
        end = positions[raw.end_node].end
    # columns of a line whose indentation tabs were expanded, back in the file's own terms
    column = max(start.column - shifts.get(start.line, 0), 0)
    end_column = max(end.column - shifts.get(end.line, 0), 0)
    message = raw.message
    if raw.other is not None and raw.other in positions:
        message = message.replace("{other}", str(positions[raw.other].start.line))
    source_line = lines[start.line - 1] if 0 < start.line <= len(lines) else ""
    if isinstance(raw.node, cst.If):
        snippet = "if " + code_of(raw.node.test)
    elif isinstance(raw.node, cst.For):
        snippet = f"for {code_of(raw.node.target)} in {code_of(raw.node.iter)}"
    else:
        snippet = code_of(raw.node)
    snippet = _WS.sub(" ", snippet)[:300]
    finding = Finding(
        path=path,
        line=start.line,
        column=column + 1,
        end_line=end.line,
        end_column=end_column + 1,
        code=raw.code,
        name=RULES[raw.code].name,
        message=message,
        confidence=raw.confidence,
        suggestion=raw.suggestion,
        replacement=raw.replacement,
        symbol=raw.symbol,
        scope=raw.scope.shown if raw.scope is not None else "",
        source_line=source_line,
        snippet=snippet,
    )
    return Candidate(
        finding=finding,
        kind=raw.kind,
        func=judge.qualname(raw.scope),
        cls=raw.cls,
        param=raw.param,
        guarded=raw.guarded,
        writer=raw.writer,
        main_thread=raw.main_thread,
        writers=_writer_refs(raw.writers, judge, refs),
        updaters=_writer_refs(raw.updaters, judge, refs),
        before_start=_writer_ref(raw.before_start, judge) if raw.before_start else "",
        capped_by=raw.capped_by,
        medium_at_most=raw.medium_at_most,
        needs_thread=raw.needs_thread,
        actors=_writer_refs(raw.actors, judge, refs),
        task_key=raw.task_key,
        resets=raw.resets,
    )


def _summary(
    model: ModuleModel,
    judge: Judge,
    path: str,
    positions: dict[cst.CSTNode, CodeRange],
) -> ModuleSummary:
    functions: dict[str, list[str]] = {judge.qualname(s): [] for s in model.scopes}
    param_types = _param_types(model, judge)
    unresolved: set[str] = set()
    locked: dict[tuple[str, str], tuple[str, str]] = {}  # (caller, ref) -> the lock held
    unlocked: set[tuple[str, str]] = set()  # ... called at least once without one
    for call in model.calls:
        if call.scope is None:
            continue
        ref = _callee_ref(call.callee, call.scope, judge, param_types)
        if ref is not None:
            caller = judge.qualname(call.scope)
            functions[caller].append(ref)
            lock = _serializing_lock(call.callee, call.locks, call.scope, judge)
            if lock is None or locked.setdefault((caller, ref), lock) != lock:
                unlocked.add((caller, ref))  # without a lock, or under two different ones
        elif "." in call.callee:
            unresolved.add(call.callee.rpartition(".")[2])
    # a lambda's body runs wherever the lambda is called: treat it as called by its parent
    for scope in model.scopes:
        if scope.kind == "lambda" and scope.parent is not None:
            functions[judge.qualname(scope.parent)].append(judge.qualname(scope))
    lock_owners: set[str] = set()
    threaded: set[str] = set()
    pool_attrs: dict[str, str] = {}
    for info in model.classes.values():
        for values in (*info.attrs.values(), *info.inst_attrs.values()):
            if any(judge._is_lock_value(judge._strip(v)) for v in values):
                lock_owners.add(judge.class_qualname(info))
                break
        for attr, values in (*info.attrs.items(), *info.inst_attrs.items()):
            if any(judge._strip(v) in known.EXECUTOR_FACTORIES for v in values):
                kind = "one" if one_worker(values) else "many"
                pool_attrs[f"{judge.class_qualname(info)}.{attr}"] = kind
    entries: list[EntrySummary] = []
    looped = judge.looped_starts
    for index, entry in enumerate(model.entries):
        target = entry.target
        entry_scope = entry.scope
        target_ref, bound = _entry_target(entry, judge)
        if entry_scope is not None and entry_scope.cls is not None and _hands_self(entry, model):
            threaded.add(judge.class_qualname(entry_scope.cls))
        for arg in entry.args if not entry.process else ():  # an instance handed to a thread
            cls_name = judge.instance_class(arg, entry_scope)
            if cls_name is not None:
                threaded.add(cls_name)
        if target_ref is None:
            continue
        rng = positions.get(entry.node)
        line = rng.start.line if rng is not None else 0
        shown = code_of(target) if target is not None else "?"
        if len(shown) > 40:
            shown = shown[:37] + "..."
        keyword = "target=" if entry.kind in ("Thread", "Process", "Timer") else ""
        fresh = _fresh_args(entry, model, judge)
        in_loop = entry.in_loop and not entry.leaves_loop
        waits = entry.waited_all or _waits_for_tasks(entry, judge)
        entries.append(
            EntrySummary(
                target=target_ref,
                label=f"{entry.label}({keyword}{shown})",
                location=f"{path}:{line}",
                nargs=len(entry.args),
                bound=bound,
                via_class=_via_class(entry, judge),
                keywords=entry.keywords,
                # a one-worker pool runs its tasks one at a time: one thread, not several;
                # a helper that starts a thread, called in a loop, starts several
                multi=not entry.serial
                and (in_loop or index in looped or entry.kind in _POOL_KINDS),
                looped=in_loop or index in looped,
                caller=judge.qualname(entry_scope) if entry_scope is not None else "",
                kind=entry.kind,
                process=entry.process,
                slot=_pool_slot(entry, judge) if entry.serial else entry.slot,
                block=f"{path}:{entry.block}"
                if entry.block >= 0
                else f"{path}:{line}:{entry.kind}"
                if waits
                else "",
                block_calls=_block_calls(entry, judge, param_types),
                waits=waits,
                serial=entry.serial,
                fresh=tuple(fresh),
                contested=tuple((i, attrs) for i, attrs in fresh.items() if attrs),
                loop_keys=entry.loop_keys,
                stays=entry.stays and not (in_loop or index in looped),
                guard=entry.guard,
                guarded=tuple(i for i, _ in entry.arg_guards),
                lent=entry.lent,
                inherited_pool=_inherited_pool(entry, judge),
            )
        )
    return ModuleSummary(
        module=model.module,
        path=path,
        imports=dict(model.imports),
        functions={k: tuple(dict.fromkeys(v)) for k, v in functions.items()},
        params={judge.qualname(s): tuple(s.params) for s in model.scopes if s.params},
        classes={judge.class_qualname(c): tuple(c.bases) for c in model.classes.values()},
        lock_owners=frozenset(lock_owners),
        pool_attrs=pool_attrs,
        threaded=frozenset(threaded),
        properties=frozenset(
            judge.qualname(s)
            for s in model.scopes
            if s.cls is not None
            and isinstance(s.node, cst.FunctionDef)
            and is_property(s.node, accessors=True)
        ),
        self_handoffs=tuple(
            dict.fromkeys(
                (judge.class_qualname(scope.cls), ref)
                for scope, callee in model.self_handoffs
                if scope.cls is not None and (ref := _callee_ref(callee, scope, judge)) is not None
            )
        ),
        entries=tuple(entries),
        import_calls=tuple(dict.fromkeys(judge.qualify(c, None) for c in model.import_calls)),
        fallback_imports=tuple(dict.fromkeys(model.fallback_imports)),
        escaped=_escaped(model, judge),
        unresolved_methods=tuple(sorted(unresolved)),
        generators=tuple(judge.qualname(s) for s in model.scopes if s.generator),
        locked_calls=tuple(
            (caller, ref, *lock)
            for (caller, ref), lock in locked.items()
            if (caller, ref) not in unlocked
        ),
    )


def _fresh_args(entry: Entry, model: ModuleModel, judge: Judge) -> dict[int, tuple[str, ...]]:
    """The positional arguments that give this start an object of its own
    (``run = LocalRun(); Thread(target=runner, args=(run,))``): built for it (``Entry.fresh``),
    not written by the function once the thread runs (or only some attributes of it, which
    the result maps each index to: the task shares those with the function, ``file.url +=
    fragment`` after ``submit(self._fetch, file)``), and handed to no other start of the
    function, unless the other starts' targets write none of the attributes this one writes
    through it (``it = _Iterator()``, then ``submit(self._prepare, it)`` that advances
    ``it.prepare_index`` and ``submit(self._ready, it)`` that advances ``it.ready_index``:
    each attribute has one writer thread). Threads of the target then never share what they
    change there."""
    scope = entry.scope
    if scope is None or not entry.fresh:
        return {}
    out: dict[int, tuple[str, ...]] = {}
    factories = dict(entry.factories)
    for i in entry.fresh:
        if i in factories and not _builds_new(factories[i], scope, judge):
            continue
        name = dotted_name(entry.args[i])
        if name is None:  # ``submit(histogram, defaultdict(int), batch)``: built in the call
            out[i] = ()
            continue
        later = {
            _written_attribute(w.target)
            for w in model.writes
            if w.scope is scope and w.seq > entry.seq and w.target.partition(".")[0] == name
        }
        if "" in later:  # the object itself (``run[k] = v``, ``run.append(x)``)
            continue
        others = [
            (other, j)
            for other in model.entries
            if other is not entry and other.scope is scope
            for j, arg in enumerate(other.args)
            if dotted_name(arg) == name
        ]
        if others:
            mine = _param_attrs(entry, i, judge)
            if mine is None or any(
                (theirs := _param_attrs(other, j, judge)) is None or mine & theirs
                for other, j in others
            ):
                continue
        out[i] = tuple(sorted(later))
    return out


#: How many calls deep ``_builds_new`` follows a factory that returns another's result.
_FACTORY_DEPTH = 2


def _builds_new(callee: str, scope: Scope, judge: Judge, depth: int = 0) -> bool:
    """Does every call of ``callee`` (a function or method of this module, seen from
    ``scope``) return a new object: every ``return`` gives a class call or a new container
    (``return File(path)``), or a local bound only to one (``file = File(path)``, checks,
    ``return file``)? mkdocs-material's privacy plugin builds each external asset's ``File``
    in ``_path_to_file`` and hands it to one download task. A ``return`` of another such
    function's result counts too, ``_FACTORY_DEPTH`` calls deep (agent-memory's ``counts =
    self.recount()``, whose ``counts = due(view)`` is the dict ``due`` builds)."""
    func = judge._callee_scope(callee, scope)
    if func is None or func.generator or not func.returns:
        return False
    named = [name for name in func.returns if name]
    deeper = depth < _FACTORY_DEPTH
    if len(func.returns) - len(named) != func.new_returns + len(func.returned_calls):
        return False
    if func.returned_calls and not (
        deeper and all(_builds_new(c, func, judge, depth + 1) for c in func.returned_calls)
    ):
        return False
    return all(
        "." not in name
        and name not in func.params
        and func.is_local(name)
        and (
            all(new_object(v) for v in func.local_values.get(name) or [OTHER])
            or (deeper and _bound_to_new(name, func, judge, depth))
        )
        for name in named
    )


def _bound_to_new(name: str, func: Scope, judge: Judge, depth: int) -> bool:
    """Is the local ``name`` of ``func`` bound once, to the result of a call of a function
    that builds a new object (``counts = due(view)``)?"""
    values = func.local_values.get(name) or []
    last = func.last_bound.get(name)
    if len(values) != 1 or last is None or not isinstance(last[0], cst.Call):
        return False
    called = dotted_name(last[0].func)
    return called is not None and _builds_new(called, func, judge, depth + 1)


def _written_attribute(target: str) -> str:
    """The attribute a write through a name changes (``it.prepare_index`` ->
    ``prepare_index``); "" for the object itself (``totals["n"] += 1``: ``totals``)."""
    return target.split(".")[1] if "." in target else ""


def _param_attrs(entry: Entry, index: int, judge: Judge) -> set[str] | None:
    """The attributes that the start's target writes through the parameter that receives
    ``entry.args[index]`` (``it.prepare_index += 1`` -> ``prepare_index``); None when the
    target is not a function or method of this module."""
    scope = entry.scope
    name = dotted_name(entry.target) if entry.target is not None else None
    if scope is None or name is None:
        return None
    target = judge._callee_scope(name, scope)
    if target is None or target.kind == "lambda":
        return None
    offset = 1 if "." in name else 0  # ``self._prepare``: a bound method
    if index + offset >= len(target.params):
        return None
    param = target.params[index + offset]
    # ``it.prepare_index += 1`` -> ``prepare_index``; ``totals["n"] += 1`` -> "" (the object)
    return {
        _written_attribute(w.target)
        for w in judge.m.writes
        if w.scope is target and (w.target == param or w.target.startswith(param + "."))
    }


def _inherited_pool(entry: Entry, judge: Judge) -> str:
    """``pkg.mod.Player:_executor`` for a task handed to ``self._executor`` in a method of
    ``Player`` when no class of this module binds ``_executor``: a base class in another
    module may build it (mne-lsl's ``BasePlayer`` makes a one-worker pool that
    ``PlayerLSL._stream`` resubmits itself to). "" otherwise."""
    scope = entry.scope
    if entry.serial or entry.process or entry.kind not in _POOL_KINDS or scope is None:
        return ""
    head, dot, attr = entry.receiver.partition(".")
    if not dot or "." in attr or scope.cls is None or head != scope.self_name:
        return ""
    if judge.values_of(entry.receiver, scope):
        return ""
    return f"{judge.class_qualname(scope.cls)}:{attr}"


def _pool_slot(entry: Entry, judge: Judge) -> str:
    """The one-worker pool a task is handed to, named project-wide (``pkg.Cls:self._pool``,
    ``pkg.mod:_printer``): tasks handed to one such pool run in its one thread."""
    scope = entry.scope
    # the lock held around an awaited task serializes its tasks as one pool would
    receiver = entry.serial_lock or entry.receiver
    if scope is not None and scope.cls is not None and receiver.startswith("self."):
        return f"{judge.class_qualname(scope.cls)}:{receiver}"
    if scope is not None and scope.is_local(receiver.partition(".")[0]):
        return f"{judge.qualname(scope)}:{receiver}"
    return f"{judge.mod_prefix}:{receiver}"


def _escaped(model: ModuleModel, judge: Judge) -> tuple[str, ...]:
    """Refs of the functions this module hands on as values (``UpdatableLRU(self._fetch)``),
    not counting thread targets (``pool.submit(self._fetch)``): the receiver may call them
    from the caller's thread."""
    targets = {id(e.target) for e in model.entries if e.target is not None}
    found: dict[str, None] = {}
    for scope, dotted, node in model.value_refs:
        if id(node) in targets:
            continue
        ref = _callee_ref(dotted, scope, judge) if scope is not None else None
        if ref is None and "." in dotted:
            ref = judge.qualify(dotted, None)
        if ref is not None:
            found[ref] = None
    return tuple(found)


def _block_calls(
    entry: Entry, judge: Judge, param_types: dict[tuple[int, str], str]
) -> tuple[str, ...]:
    """The refs of what the ``with`` pool block's body calls, beside the tasks it submits."""
    if entry.scope is None or not entry.block_calls:
        return ()
    refs = (_callee_ref(callee, entry.scope, judge, param_types) for callee in entry.block_calls)
    return tuple(dict.fromkeys(ref for ref in refs if ref is not None))


#: Pool methods that return only once every task they hand over has finished, on a
#: ``multiprocessing`` thread pool (``ThreadPoolExecutor.map`` returns at once: its results
#: come lazily, while the caller goes on).
_WAITING_METHODS = frozenset({"map", "starmap", "apply"})
_WAITING_POOLS = frozenset({"multiprocessing.pool.ThreadPool", "multiprocessing.dummy.Pool"})


def _waits_for_tasks(entry: Entry, judge: Judge) -> bool:
    """``p.starmap(f, items)`` on ``p = multiprocessing.dummy.Pool(n)``: the caller waits
    there until every task is done, so what the caller does before or after the call never
    runs beside them (waymore's GhostArchive downloads fill ``extraWarcLinks``, which the
    same function walks after the pool has finished, twenty-eighth held-out corpus)."""
    if entry.kind not in _WAITING_METHODS or entry.scope is None or entry.block >= 0:
        return False
    return judge.made_by(entry.receiver, entry.scope, _WAITING_POOLS)


#: Entry kinds that hand work to a pool: several calls of the target may run at once.
_POOL_KINDS = known.POOL_METHODS | {"run_in_executor", "to_thread"}


def _hands_self(entry: Entry, model: ModuleModel) -> bool:
    """Does a thread start in a method take the instance to the thread? Its target is a
    bound method (``Thread(target=self._run)``), ``self`` is among its arguments, or it is
    a closure over ``self`` (``def _do_join(): self._groups.add(...)`` handed to
    ``self._executor.submit``: tooz's ``FileDriver``)."""
    scope = entry.scope
    me = scope.self_name if scope is not None else None
    if entry.process or scope is None or not me:
        return False
    if any(dotted_name(a) == me for a in entry.args):
        return True
    dotted = dotted_name(entry.target) if entry.target is not None else None
    if dotted is None or entry.target_scope is not None:
        return False
    head, dot, _ = dotted.partition(".")
    if head == me or dot:
        return head == me  # ``self._run``, or ``self`` itself (a callable instance)
    return any(
        inner.parent is scope
        and inner.name == dotted
        and inner.node is not None
        and any(isinstance(n, cst.Name) and n.value == me for n in walk_nodes(inner.node))
        for inner in model.scopes
    )


def _attribute_class(info: ClassInfo, attr: str, judge: Judge) -> str | None:
    """The class of ``self.<attr>`` when every assignment in the class builds one class."""
    return _one_class(judge._strip(v) for c in judge.mro(info) for v in c.inst_attrs.get(attr, ()))


def _one_class(values: Iterable[str]) -> str | None:
    """The class name when every value summary names the same one (``Client``,
    ``crawler.jobs.JobQueue``); not a constant, a container, a call result or ``CONSTANT``."""
    classes = set(values)
    if len(classes) != 1:
        return None
    (value,) = classes
    return value if not value.startswith("<") and class_like(value) else None


def _param_types(model: ModuleModel, judge: Judge) -> dict[tuple[int, str], str]:
    """``Thread(target=consume, args=(acc,))`` with ``acc = Accumulator()``: inside ``consume``
    its first parameter is an Accumulator, so ``acc.add()`` there calls ``Accumulator.add``."""
    out: dict[tuple[int, str], str] = {}
    for entry in model.entries:
        target = entry.target_scope
        bound = False
        if target is None and entry.target is not None and entry.scope is not None:
            name = dotted_name(entry.target)
            scope = entry.scope
            if name is not None and "." not in name:
                target = judge._callee_scope(name, scope)
            elif name is not None and scope.cls is not None and scope.self_name:
                # ``submit(self._prepare, it)``: the method's parameters after ``self``
                head, _, rest = name.partition(".")
                if head == scope.self_name and "." not in rest:
                    target = judge._method(scope.cls, rest)
                    bound = target is not None
        elif target is None and entry.target is not None:
            name = dotted_name(entry.target)
            target = judge.m.functions.get(name) if name is not None else None
        if target is None:
            continue
        params = target.params[1:] if bound else target.params
        for param, arg in zip(params, entry.args, strict=False):
            cls_name = judge.instance_class(arg, entry.scope) or _imported_class(
                arg, entry.scope, judge
            )
            if cls_name is not None:
                out[(target.fid, param)] = cls_name
    return out


def _imported_class(arg: cst.BaseExpression, scope: Scope | None, judge: Judge) -> str | None:
    """``jobs = JobQueue()`` with ``from .jobs import JobQueue``: the class's qualified name
    (``crawler.jobs.JobQueue``), which the project pass resolves when the module that defines
    it is checked too."""
    name = dotted_name(arg)
    if name is None or "." in name:
        return None
    value = _one_class(judge._strip(v) for v in judge.values_of(name, scope))
    return value if value is not None and "." in value else None


def _entry_target(entry: Entry, judge: Judge) -> tuple[str | None, bool]:
    """The project-wide reference of a thread start's target, and whether it is a bound
    method (``Thread(target=self._run)``: its parameter 0 is ``self``)."""
    target = entry.target
    if entry.target_scope is not None:
        return judge.qualname(entry.target_scope), False
    dotted = dotted_name(target) if target is not None else None
    if dotted is None:
        return None, False
    head, _, attr = dotted.partition(".")
    target_ref: str | None
    if entry.scope is not None:
        target_ref = _callee_ref(dotted, entry.scope, judge)
    else:  # module level: ``limiter = RateLimiter(); Thread(target=limiter.refill)``
        owner = None
        if attr and "." not in attr:
            owner = judge.instance_class(cst.Name(head), None)
        target_ref = f"method:{owner}:{attr}" if owner else judge.qualify(dotted, None)
    bound = "." in dotted and target_ref is not None and target_ref.startswith("method:")
    if bound and "." not in attr:
        kind = _kind_through_class(head, attr, entry.scope, judge)
        if kind is not None:  # ``Transport.count_traffic_loop``: no instance to bind
            return target_ref, kind == "classmethod"
    return target_ref, bound


def _via_class(entry: Entry, judge: Judge) -> bool:
    """Is the target a method reached through its class (``Thread(target=Transport.loop)``),
    not through an instance? Then each start is one thread, not one per instance."""
    if entry.target_scope is not None or entry.target is None:
        return False
    dotted = dotted_name(entry.target)
    if dotted is None or dotted.count(".") != 1:
        return False
    head, _, attr = dotted.partition(".")
    return _kind_through_class(head, attr, entry.scope, judge) is not None


def _kind_through_class(head: str, attr: str, scope: Scope | None, judge: Judge) -> str | None:
    """For ``Class.method`` (or ``cls.method`` in a classmethod), where ``Class`` is a class
    of this module: the kind of ``method`` ("staticmethod", "classmethod", "method"). None
    when ``head`` is not a class (``self._run``, ``worker.run``)."""
    info = None
    if scope is not None and scope.cls is not None and head == scope.cls_name:
        info = scope.cls
    elif scope is None or not scope.is_local(head):
        info = judge.m.classes.get(head)
    if info is None:
        return None
    for cls in judge.mro(info):
        method = cls.methods.get(attr)
        if method is not None:
            return method.kind
    return None


def _writer_refs(
    writers: tuple[str, ...], judge: Judge, refs: dict[tuple[str, ...], tuple[str, ...]]
) -> tuple[str, ...]:
    """``_writer_ref`` of each writer, once per list: the findings on one piece of state
    share its writers (3,000 updates of one global in a generated module: 3,000 lists of
    3,000), and the one tuple is pickled once into the summary."""
    found = refs.get(writers)
    if found is None:
        found = refs[writers] = tuple(_writer_ref(w, judge) for w in writers)
    return found


def _writer_ref(writer: str, judge: Judge) -> str:
    """``Judge.writers`` names a writer whose writes all come before thread starts in it as
    ``func >#i,j`` (``judge.m.entries[i]``...); the project pass needs the started targets:
    ``func > target|other``. Without a resolved target the writer is plain ``func``."""
    func, sep, indexes = writer.partition(BEFORE_INDEX)
    if not sep:
        return writer
    targets = [
        f"method:{func.rpartition('.')[0]}:run"  # the instance's own thread: its ``run()``
        if int(i) == OWN_THREAD
        else _entry_target(judge.m.entries[int(i)], judge)[0]
        for i in indexes.split(",")
    ]
    started = "|".join(dict.fromkeys(t for t in targets if t is not None))
    return f"{func}{BEFORE_START}{started}" if started else func


def _serializing_lock(
    callee: str, locks: tuple[str, ...], scope: Scope, judge: Judge
) -> tuple[str, str] | None:
    """A definite lock held at a call that lets one thread at a time into the callee: the lock
    as written there, and a key that names the same lock in every module (``instance:`` and
    the class's attribute for an instance's lock, ``global:`` and the qualified name for a
    module's or a class's); None when the call holds no such lock.

    A process-wide lock (a module global, a class attribute) serializes whatever is called. An
    instance's lock (``self._lock``) only serializes calls of the instance's own methods and
    of the objects it keeps (``self._tracker.track()``): another instance, with another lock,
    could call the same object's method at the same time if the object came from elsewhere (a
    parameter, a global)."""
    own = callee.partition(".")[0] in (scope.self_name, scope.cls_name)
    for lock in reversed(judge.held(locks, scope, DEFINITE)):
        call = lock.startswith("call:")
        name = lock[5:] if call else lock
        ref = judge.resolve_ref(name, scope)  # the same identity the rules give state
        if ref.kind == "instance" and own:
            kind, covered = "instance", 2  # ``self._lock``: the key names ``Class._lock``
        elif ref.kind in ("class", "global"):
            kind, covered = "global", 2 if ref.kind == "class" else 1
        else:
            continue  # another object's lock, a local, a parameter...
        rest = name.split(".")[covered:]
        key = ".".join((f"{kind}:{ref.key}", *rest))  # ``self._locks.read`` is not ``.write``
        return (f"{name}(...)" if call else name), key
    return None


def _callee_ref(
    dotted: str,
    scope: Scope,
    judge: Judge,
    param_types: dict[tuple[int, str], str] | None = None,
) -> str | None:
    """A project-wide reference for a called (or thread-target) dotted expression."""
    head, _, rest = dotted.partition(".")
    if rest and param_types and "." not in rest and (scope.fid, head) in param_types:
        return f"method:{param_types[(scope.fid, head)]}:{rest}"
    if rest.count(".") == 1 and scope.cls is not None and head == scope.self_name:
        # ``self.packetizer.read_message()`` where ``self.packetizer = Packetizer(...)``
        attr, _, meth = rest.partition(".")
        owner = _attribute_class(scope.cls, attr, judge)
        if owner is not None:
            return f"method:{owner}:{meth}"
    if "." in rest:
        qual = judge.qualify(dotted, scope)
        return qual if qual != dotted or head in judge.m.imports else None
    if rest and scope.cls is not None and head in (scope.self_name, scope.cls_name):
        return f"method:{judge.class_qualname(scope.cls)}:{rest}"
    callee = judge._callee_scope(dotted, scope)
    if callee is not None:
        return judge.qualname(callee)
    values = judge.values_of(head, scope)
    for value in values:
        if value.startswith("<class:"):
            cq = judge.mod_prefix + value[7:-1]
            return f"method:{cq}:{rest or '__init__'}"
        if value.startswith("<scope:") and not rest:
            target = judge._scope_by_fid.get(int(value[7:-1]))
            if target is not None:
                return judge.qualname(target)
        plain = judge._strip(value)
        if rest and judge.class_named(plain) is not None:
            return f"method:{plain}:{rest}"
    qual = judge.qualify(dotted, scope)
    if qual == dotted and head not in judge.m.module_values:
        return None  # a local or a builtin
    return qual
