"""One walk over a libcst module that records what the rules need (see model.py).

Why a hand-written walk and not ``libcst.CSTVisitor``: a visitor rebuilds every node it passes
(``_visit_and_replace_children``) and dispatches ``visit_*``/``leave_*``/attribute hooks by name for
every node, which costs about as much as the parse itself. Here each node type's child fields are
computed once, whitespace and token fields are never entered, leaves are skipped, and only the
~20 node types the rules care about have handlers. Metadata (scopes, qualified names, positions)
is not resolved for the whole module: the collector keeps its own import table, ``global``
declarations and bindings, and positions are computed later only for reported nodes.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

import libcst as cst

from gilcheck.analysis import known
from gilcheck.analysis.model import (
    CONST,
    CONTAINER,
    COUNTING,
    FIXED_KEYS,
    ITEM,
    ITEM_PREFIX,
    KEY_SEP,
    LIST,
    ONE_WORKER,
    OTHER,
    PARAM,
    SLICE,
    CallSite,
    Check,
    CheckFrame,
    ClassInfo,
    CondCall,
    Entry,
    Iteration,
    ModuleModel,
    Scope,
    Write,
)

_SKIP_FIELD_NAMES = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "colon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "newline",
        "equal",
        "operator",
        "dot",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "asynchronous",
        "annotation",
        "returns",
        "star",
        "relative",
        "default_newline",
        "default_indent",
        "encoding",
        "indent",
        "first_line",
        "empty_lines",
    }
)

#: Node types whose subtrees can hold nothing the rules look at.
_LEAF_TYPES: tuple[type[cst.CSTNode], ...] = (
    cst.Name,
    cst.SimpleString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.Ellipsis,
    cst.Comment,
    cst.Newline,
    cst.EmptyLine,
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.Pass,
    cst.Break,
    cst.Continue,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Annotation,
    cst.Param,  # defaults are walked by the function handler
)

_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _child_fields(tp: type) -> tuple[str, ...]:
    names = _FIELDS_CACHE.get(tp)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(tp)
            if f.name not in _SKIP_FIELD_NAMES and not f.name.startswith("whitespace")
        )
        _FIELDS_CACHE[tp] = names
    return names


def _recheck(outer: CheckFrame, inner: list[CheckFrame]) -> CheckFrame | None:
    """Double-checked locking that re-checks part of the test: ``if _pool is None or pid !=
    _pool_pid:`` then, under the lock, ``if _pool_pid != pid: _pool = Pool()`` (mitogen).
    The inner check, made with a lock the outer one did not hold, decides the act."""
    refs = {c.ref for c in outer.checks}
    for frame in inner:
        if set(frame.locks) - set(outer.locks) and any(c.ref in refs for c in frame.checks):
            return frame
    return None


def class_like(name: str) -> bool:
    """Does the dotted ``name`` end in a class name by convention (``Client``,
    ``runner.LocalRun``), not a function or a ``CONSTANT``?"""
    last = name.rpartition(".")[2].lstrip("_")  # ``_Iterator``: a private class
    return last[:1].isupper() and not last.isupper()


def new_object(value: str) -> bool:
    """A value summary that is a new object each time it is evaluated: a container display,
    ``dict()``/``list()``..., or a call of a class (``Acc()``, ``runner.LocalRun()``)."""
    if value.startswith(CONTAINER) or _new_container(value):
        return True
    return not value.startswith("<") and class_like(value)


def _new_container(value: str) -> bool:
    """``dict()``, ``collections.deque()``: a value summary of a new container."""
    return value.partition("|")[0] in _NEW_CONTAINERS


_NEW_CONTAINERS = frozenset(
    {
        "dict",
        "list",
        "set",
        "collections.defaultdict",
        "collections.deque",
        "collections.OrderedDict",
    }
)


def _slot(stmt: cst.CSTNode | None, call: cst.Call, *, local: bool = False) -> str:
    """``self._thread`` for ``self._thread = Thread(...)``: where the thread object is kept
    (``local``: ``t`` for ``t = Thread(...)``, a local variable)."""
    if isinstance(stmt, cst.Assign) and stmt.value is call and len(stmt.targets) == 1:
        target = stmt.targets[0].target
        if isinstance(target, cst.Name | cst.Attribute) and isinstance(target, cst.Name) == local:
            return dotted_name(target) or ""
    return ""


def _contains(node: cst.CSTNode, inner: cst.CSTNode) -> bool:
    """Is ``inner`` ``node`` or one of its descendants?"""
    todo = [node]
    while todo:
        current = todo.pop()
        if current is inner:
            return True
        todo.extend(current.children)
    return False


def _mentions_slot(test: cst.BaseExpression, slot: str) -> bool:
    """Does an ``if`` test name the attribute ``slot`` (``self._thread is None``, ``not
    self._thread.is_alive()``)?"""
    return any(
        isinstance(node, cst.Attribute) and dotted_name(node) == slot for node in walk_nodes(test)
    )


def _around(sc: Scope) -> tuple[int, ...]:
    """Identities of the ``if``s and loops around the walk's position in ``sc``."""
    return tuple(id(node) for node in (*sc.ifs, *sc.loops))


def _stored(w: Write) -> cst.BaseExpression | None:
    """The value a plain store (``self.x = value``, one target) writes."""
    node = w.node
    if w.op != "assign" or w.subscript or not isinstance(node, cst.Assign):
        return None
    return node.value if len(node.targets) == 1 else None


def _stored_truth(w: Write) -> bool | None:
    """The truth of the constant a plain store writes: ``self._busy = True`` (or a non-zero
    integer) -> True, ``False``/``None``/``0`` -> False; None for anything else."""
    value = _stored(w)
    if isinstance(value, cst.Name) and value.value in _NONE_NAMES:
        return value.value == "True"
    if isinstance(value, cst.Integer):
        return value.value != "0"
    return None


#: ``ModuleModel.removed_keys``: a removal that may take any item (a computed key, ``clear()``)
ANY_KEY = "*"


def literal_key(node: cst.BaseExpression) -> str | None:
    """The item a constant key names (``"end_time"``, ``0``, ``None``), as text; None for a
    computed key."""
    if isinstance(node, cst.SimpleString):
        return repr(node.evaluated_value)
    if isinstance(node, cst.Integer):
        return node.value
    if isinstance(node, cst.Name) and node.value in _NONE_NAMES:
        return node.value
    return None


def subscript_index(node: cst.Subscript) -> cst.BaseExpression | None:
    """``k`` of ``d[k]``; None for a slice or several indices (``m[r, c]``)."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return node.slice[0].slice.value
    return None


def subscript_key(node: cst.Subscript) -> str | None:
    """``literal_key`` of ``d["end_time"]``'s key; None for a slice or a computed key."""
    index = subscript_index(node)
    return literal_key(index) if index is not None else None


def key_choices(node: cst.BaseExpression | None) -> tuple[str, ...]:
    """The items a key that is not one constant can name, when it narrows them: the constants
    a conditional key picks between (``d["evicted" if e else "failed"]`` -> ``'evicted'``,
    ``'failed'``), or the constant start of an f-string key (``d[f"miss_{why}"]`` -> the
    pattern ``'miss_*``, any string item that starts so; see ``model.same_item``). Empty
    when any part is otherwise computed."""
    if isinstance(node, cst.IfExp):
        body, orelse = key_choices(node.body), key_choices(node.orelse)
        return (*body, *orelse) if body and orelse else ()
    if isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        if isinstance(first, cst.FormattedStringText) and first.value and len(node.parts) > 1:
            return (repr(first.value)[:-1] + ITEM_PREFIX,)
        return ()
    key = literal_key(node) if node is not None else None
    return (key,) if key is not None else ()


def _removed_key(call: cst.Call, meth: str) -> str:
    """The item a removal call takes away: ``d.pop("k", None)`` -> ``'k'``; ``ANY_KEY`` for a
    computed key or a method that takes whatever is there (``clear``, ``popitem``)."""
    if meth in ("pop", "remove", "discard") and call.args and not call.args[0].keyword:
        return literal_key(call.args[0].value) or ANY_KEY
    return ANY_KEY


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


#: Starts an ``await`` waits for: the awaiting task goes on only once the thread's work is done
_AWAITED_KINDS = frozenset({"to_thread", "run_in_executor"})

#: the context managers of tests that expect their body to raise
_RAISES_CONTEXTS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def _exception_names(expr: cst.BaseExpression) -> set[str]:
    """``KeyError`` for ``KeyError`` or ``errors.KeyError``; each name of a tuple of them."""
    types = expr.elements if isinstance(expr, cst.Tuple) else ()
    names = (dotted_name(t) for t in [e.value for e in types] or [expr])
    return {name.rpartition(".")[2] for name in names if name is not None}


def _expected_errors(node: cst.With) -> frozenset[str]:
    """The exception names a ``with pytest.raises(E):`` / ``with self.assertRaises(E):`` expects."""
    names: set[str] = set()
    for item in node.items:
        call = item.item
        if not isinstance(call, cst.Call) or not call.args:
            continue
        func = dotted_name(call.func)
        if func is None or func.rpartition(".")[2] not in _RAISES_CONTEXTS:
            continue
        names |= _exception_names(call.args[0].value)
    if names & {"Exception", "BaseException"}:
        names.add("RuntimeError")  # a test that expects any error expects this one too
    return frozenset(names)


def _lock_expr(node: cst.BaseExpression) -> str | None:
    """The symbolic lock of a ``with`` item: a dotted name, ``x.get_lock()``, or ``call:f``."""
    dotted = dotted_name(node)
    if dotted is not None:
        return dotted
    if isinstance(node, cst.Subscript):
        container = dotted_name(node.value)
        if container is None:
            return None
        key = subscript_key(node)  # ``'lock'``, as ``literal_key`` writes a string
        name = key[1:-1] if key is not None and key.startswith("'") else ""
        if name.isidentifier() and name.lower().rpartition("_")[2] in ("lock", "rlock", "mutex"):
            # ``with progress["lock"]:``: the item of a constant key that names a lock
            return f"{container}[{key}]"
        # ``with self.locks[key]:``: one lock of a container of locks (judged by its values)
        return f"{container}{ITEM}"
    if isinstance(node, cst.Call):
        func = dotted_name(node.func)
        if func is None:
            return None
        if func.endswith(".get_lock"):
            return func + "()"
        return "call:" + func
    return None


def _method_call(node: cst.BaseSmallStatement) -> tuple[str, str] | None:
    """``X.meth(...)`` as an expression statement -> (X, meth); ``f()`` -> ("", f)."""
    if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
        func = node.value.func
        if isinstance(func, cst.Attribute):
            recv = dotted_name(func.value)
            if recv is not None:
                return recv, func.attr.value
        elif isinstance(func, cst.Name):
            return "", func.value
    return None


#: Lock idioms: acquire name -> release name (``lock.acquire()``, ``_imp.acquire_lock()``,
#: logging's ``_acquireLock()``...). A held region is the statements between the two.
ACQUIRE_RELEASE = {
    "acquire": "release",
    "acquire_lock": "release_lock",
    "_acquire_lock": "_release_lock",
    "acquireLock": "releaseLock",
    "_acquireLock": "_releaseLock",
    "lock": "unlock",
    "_acquire": "_release",
    # ``self._lock.__enter__()``: a ``with`` spelled out (pythreader's ``Primitive.__enter__``
    # is ``return self._Lock.__enter__()``)
    "__enter__": "__exit__",
}
_RELEASE_ACQUIRE = {v: k for k, v in ACQUIRE_RELEASE.items()}


def _lock_key(recv: str, acquire_name: str) -> str:
    """The symbolic lock held by ``recv.acquire_name()``: ``recv`` itself for ``acquire`` and
    ``__enter__``."""
    if acquire_name in ("acquire", "__enter__") and recv:
        return recv
    return f"{recv}.{acquire_name}()" if recv else f"{acquire_name}()"


def _acquired_key(recv: str, meth: str) -> str | None:
    return _lock_key(recv, meth) if meth in ACQUIRE_RELEASE else None


def _released_key(recv: str, meth: str) -> str | None:
    acquire = _RELEASE_ACQUIRE.get(meth)
    return _lock_key(recv, acquire) if acquire is not None else None


def _returned_enter(small: cst.BaseSmallStatement) -> tuple[str, str] | None:
    """``return self._lock.__enter__()`` (an ``__enter__`` that hands on its lock's): the
    function returns holding ``self._lock``."""
    if isinstance(small, cst.Return) and small.value is not None:
        mc = _method_call(cst.Expr(small.value))
        if mc is not None and mc[0] and mc[1] == "__enter__":
            return mc
    return None


def _guarded_lock_call(small: cst.BaseSmallStatement) -> tuple[str, str] | None:
    """``flag and L.acquire()`` / ``flag and L.release()`` as a statement (netius's
    ``push(work, lock=True)``): an optional lock, taken when the flag says the caller does
    not hold it already."""
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.BooleanOperation):
        return None
    op = small.value
    if not isinstance(op.operator, cst.And) or not isinstance(op.right, cst.Call):
        return None
    mc = _method_call(cst.Expr(op.right))
    if mc is not None and mc[0] and (mc[1] in ACQUIRE_RELEASE or mc[1] in _RELEASE_ACQUIRE):
        return mc
    return None


def _statement_calls(stmt: cst.CSTNode) -> list[tuple[str, str]]:
    if isinstance(stmt, cst.SimpleStatementLine):
        return [
            mc
            for small in stmt.body
            if (mc := _method_call(small) or _guarded_lock_call(small) or _returned_enter(small))
            is not None
        ]
    if isinstance(stmt, cst.Try):
        # ``try: lock.acquire() finally: ...``: still held after the ``try`` statement unless
        # the body or the ``finally`` releases it (generic-connection-pool's ``SharedLock``)
        return [
            mc
            for inner in stmt.body.body
            for mc in _statement_calls(inner)
            if isinstance(inner, cst.SimpleStatementLine)
            and (mc[1] in ACQUIRE_RELEASE or mc[1] in _RELEASE_ACQUIRE)
        ]
    if isinstance(stmt, cst.If) and stmt.orelse is None and _exits(stmt.body):
        # ``if not lock.acquire(blocking=False): raise Busy()``: held from here on.
        mc = _negated_call(stmt.test)
        if mc is not None and mc[1] in ACQUIRE_RELEASE:
            return [mc]
    if isinstance(stmt, cst.If) and stmt.orelse is not None:
        # ``if timeout <= 0: if not lock.acquire(blocking=False): return False`` ``else:
        # lock.acquire(timeout=timeout)``: every branch that goes on holds the lock
        return _held_by_every_branch(stmt)
    if isinstance(stmt, cst.While) and stmt.orelse is None and not _breaks(stmt.body):
        # ``while not lock.acquire(timeout=0.1): pass`` (polling, so that the thread can
        # notice a shutdown): the loop ends only once the lock is taken (cmd2's job control)
        mc = _negated_call(stmt.test)
        if mc is not None and mc[1] == "acquire":
            return [mc]
    if isinstance(stmt, cst.If) and stmt.orelse is None and len(stmt.body.body) == 1:
        # An optional lock: ``if lock is not None: lock.acquire()`` ... ``if lock is not
        # None: lock.release()`` (tqdm's ``TqdmDefaultWriteLock``), or ``if locking:
        # self._lock.acquire()`` where a flag says whether the caller holds it already.
        # Held in between when it is taken.
        (only,) = stmt.body.body
        if isinstance(only, cst.SimpleStatementLine) and len(only.body) == 1:
            mc = _method_call(only.body[0])
            if mc is not None and mc[0] and (mc[1] in ACQUIRE_RELEASE or mc[1] in _RELEASE_ACQUIRE):
                return [mc]
    return []


def _held_by_every_branch(stmt: cst.If) -> list[tuple[str, str]]:
    """The acquires (``(receiver, "acquire")``) whose lock every branch of an ``if``/``elif``/
    ``else`` that does not leave still holds at its end. fish-async-task's write lock takes
    its condition with ``acquire(blocking=False)`` or ``acquire(timeout=...)`` in two branches,
    each returning or raising when it fails, then waits on it (thirty-ninth held-out corpus).
    A chain without a final ``else`` has a branch that takes nothing."""
    held: list[list[tuple[str, str]]] = []
    node: cst.If = stmt
    while True:
        if not _exits(node.body):
            held.append(_held_after(node.body.body))
        orelse = node.orelse
        if orelse is None:
            return []
        if isinstance(orelse, cst.If):
            node = orelse
            continue
        if not _exits(orelse.body):
            held.append(_held_after(orelse.body.body))
        break
    if not held:
        return []  # every branch leaves: what follows never runs
    return [mc for mc in held[0] if all(mc in other for other in held[1:])]


def _held_in_finally(stmt: cst.Try) -> list[tuple[str, str]]:
    """The acquires whose lock every way into the ``finally`` but an escaping exception still
    holds: the ``try`` body followed by its ``else``, and every ``except`` handler that does
    not leave. SleekXMPP's scheduler takes its lock in ``except queue.Empty:`` and in
    ``else:``, and re-sorts its schedule in ``finally:`` before the release (forty-eighth
    held-out corpus). An exception that escapes every handler runs the ``finally`` without
    the lock; that is the error path, where the release fails anyway."""
    orelse = stmt.orelse.body.body if stmt.orelse is not None else ()
    held = [_held_after([*stmt.body.body, *orelse])]
    held += [_held_after(h.body.body) for h in stmt.handlers if not _exits(h.body)]
    return [mc for mc in held[0] if all(mc in other for other in held[1:])]


def _held_after(stmts: Sequence[cst.CSTNode]) -> list[tuple[str, str]]:
    """The acquires of a block whose lock it has not released by its end, tracked by lock
    key as ``Collector._block_statements`` tracks them (a release in a ``finally`` counts)."""
    held: dict[str, tuple[str, str]] = {}  # lock key -> the acquire call that took it
    for stmt in stmts:
        for recv, meth in _statement_calls(stmt):
            if (key := _acquired_key(recv, meth)) is not None:
                held[key] = (recv, meth)
            elif (key := _released_key(recv, meth)) is not None:
                held.pop(key, None)
        for key in _released_in_finally(stmt):
            held.pop(key, None)
    return list(held.values())


def _block_statements(block: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return block.body


def _leaves(stmt: cst.CSTNode) -> bool:
    """``return`` (of nothing or a constant), ``continue`` or ``break``: a statement after a
    wait that does not use what the wait waited for."""
    if not isinstance(stmt, cst.SimpleStatementLine) or not stmt.body:
        return False
    first = stmt.body[0]
    if isinstance(first, cst.Continue | cst.Break):
        return True
    if isinstance(first, cst.Return):
        value = first.value
        return value is None or (isinstance(value, cst.Name) and value.value in ("None", "False"))
    return False


_LEAVING: tuple[type[cst.CSTNode], ...] = (cst.Return, cst.Raise, cst.Continue, cst.Break)

#: what keeps a statement from being plain (``_plain``)
_NOT_PLAIN = (cst.Continue, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _leaves_loop(stmts: Sequence[cst.CSTNode], loops: int) -> bool:
    """Does this block of a loop's body end by leaving every loop around it: a ``return``,
    or a ``break`` out of the only one?"""
    last = stmts[-1] if stmts else None
    if not isinstance(last, cst.SimpleStatementLine) or not last.body:
        return False
    final = last.body[-1]
    return isinstance(final, cst.Return) or (isinstance(final, cst.Break) and loops == 1)


def _plain(stmt: cst.CSTNode) -> bool:
    """A simple statement with no ``continue`` and no comprehension (whose own loop would
    start one thread per item)."""
    return isinstance(stmt, cst.SimpleStatementLine) and not any(
        isinstance(node, _NOT_PLAIN) for node in walk_nodes(stmt)
    )


def _exits(block: cst.BaseSuite) -> bool:
    """Does the block always leave (return/raise/continue/break as its last statement)?"""
    return ends_with(block, _LEAVING)


def ends_with(block: cst.BaseSuite, kinds: tuple[type[cst.CSTNode], ...]) -> bool:
    """Is the block's last statement one of ``kinds`` (``(cst.Raise,)``: it ends raising)?"""
    body = block.body
    if not body:
        return False
    last = body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        small = last.body
        return bool(small) and isinstance(small[-1], kinds)
    return isinstance(last, cst.BaseSmallStatement) and isinstance(last, kinds)


def _handed_locks(stmts: Sequence[cst.CSTNode]) -> list[str]:
    """The locks a function's body releases unconditionally (``self._lock.release()`` as a
    statement of the body, or of the ``finally`` of a ``try`` there; not under a test, ``if
    locking: L.release()`` or ``locking and L.release()``) and never acquires: the
    function is entered holding them, since releasing a lock nobody holds raises. safeIO's
    ``TextFile.read`` takes ``self._Lock`` and starts a thread on ``_read``, which updates
    the queue counter and then releases it: the lock is handed to the thread."""
    released: list[str] = []
    for stmt in stmts:
        lines = [stmt]
        if isinstance(stmt, cst.Try) and stmt.finalbody is not None:
            lines = list(stmt.finalbody.body.body)
        for line in lines:  # only plain calls: not ``if locking: L.release()``
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for small in line.body:
                call = _method_call(small)
                key = _released_key(*call) if call is not None and call[0] else None
                if key is not None:
                    released.append(key)
    if not released:
        return []
    taken: set[str] = set()
    for node in _own_nodes(stmts):  # any acquire of it in the body, taken or tried
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            owner = dotted_name(node.func.value)
            acquired = _acquired_key(owner, node.func.attr.value) if owner else None
            if acquired is not None:
                taken.add(acquired)
    return [key for key in dict.fromkeys(released) if key not in taken]


def _released_in_finally(stmt: cst.CSTNode) -> set[str]:
    if isinstance(stmt, cst.Try) and stmt.finalbody is not None:
        released = set()
        for inner in _block_statements(stmt.finalbody.body):
            for recv, meth in _statement_calls(inner):
                key = _released_key(recv, meth)
                if key is not None:
                    released.add(key)
        return released
    return set()


def _push_children(node: cst.CSTNode, stack: list[cst.CSTNode]) -> None:
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            stack.append(value)
        elif isinstance(value, tuple | list):
            stack.extend(v for v in value if isinstance(v, cst.CSTNode))


def _bound_locally(scope: Scope | None, name: str) -> bool:
    """Is ``name`` a local or parameter of ``scope`` or of a function around it?"""
    while scope is not None:
        if scope.is_local(name):
            return True
        scope = scope.parent
    return False


def qualify(model: ModuleModel, dotted: str, scope: Scope | None) -> str:
    """Resolve the head of a dotted name through imports and module definitions (``th.Lock``
    -> ``threading.Lock``, ``Client`` -> ``pkg.mod.Client``); locals stay as written."""
    head, dot, rest = dotted.partition(".")
    if _bound_locally(scope, head):
        return dotted
    target = model.imports.get(head)
    if target is not None:
        return target + dot + rest
    if head in model.module_values and model.module:
        return f"{model.module}.{dotted}"
    return dotted


#: Keyword arguments that name a fallback: ``parse(raw, default=self.x)`` stores a new
#: reading and only falls back on the old value.
_FALLBACK_KEYWORDS = frozenset({"default", "fallback"})


def mentions(expr: cst.CSTNode | None, dotted: str, *, fallbacks: bool = True) -> bool:
    """Does ``expr`` read the dotted expression (``counter``, ``self.count``)? Without
    ``fallbacks``, reads passed as a ``default=`` / ``fallback=`` argument do not count."""
    if expr is None:
        return False
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if (
            not fallbacks
            and isinstance(node, cst.Arg)
            and node.keyword is not None
            and node.keyword.value in _FALLBACK_KEYWORDS
        ):
            continue
        if isinstance(node, cst.Name):
            if node.value == dotted:
                return True
            continue
        if isinstance(node, cst.Attribute):
            if dotted_name(node) == dotted:
                return True
            stack.append(node.value)  # never the attribute name: ``foo.x`` does not read ``x``
            continue
        if isinstance(node, cst.Lambda):
            continue
        _push_children(node, stack)
    return False


def _item_text(node: cst.CSTNode) -> str:
    """Whitespace-free source of an item expression: ``d[k]``, ``m[r][c]``."""
    return "".join(_EMPTY_MODULE.code_for_node(node).split())


_EMPTY_MODULE = cst.Module(body=[])


def _is_default_of(value: cst.BaseExpression | None, dotted: str) -> bool:
    """``x = x or make()`` / ``x = x if x is not None else make()``: a lazy default. Also
    ``x = cast(T, x)``: a type-checker hint that stores the same object back; and ``x =
    kwargs.get("x", x)`` / ``getattr(opts, "x", x)``: an override that keeps the current value
    when none is given, a store of the mapping's value, not one computed from ``x``
    (botasaurus' decorators, on the twenty-second held-out corpus); and a new reading that
    uses ``x`` only as its fallback, ``x = [parse(r, default=x[i]) for i, r in ...]`` (xArm's
    ``get_position``: two threads each store a whole fresh reading) or ``x = reading or x``.
    And ``x = x`` itself, which stores back the object it read and computes nothing from it
    (tomwidgets' ``self.titleLabel = self.titleLabel``, forty-second held-out corpus)."""
    if not mentions(value, dotted, fallbacks=False):
        return True
    if value is not None and dotted_name(value) == dotted:
        return True
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        if dotted_name(value.right) == dotted and not mentions(value.left, dotted):
            return True  # ``x = reading or x``: the new value, or the old as a fallback
        return dotted_name(value.left) == dotted
    if isinstance(value, cst.Call) and all(a.keyword is None and not a.star for a in value.args):
        func = value.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "get"
            and len(value.args) == 2
            and not mentions(func.value, dotted)
            and not mentions(value.args[0].value, dotted)
        ):
            return dotted_name(value.args[1].value) == dotted
        if dotted_name(func) == "getattr" and len(value.args) == 3:
            first, second = value.args[0].value, value.args[1].value
            if not mentions(first, dotted) and not mentions(second, dotted):
                return dotted_name(value.args[2].value) == dotted
    if (
        isinstance(value, cst.Call)
        and (dotted_name(value.func) or "").rpartition(".")[2] == "cast"
        and len(value.args) == 2
    ):
        return dotted_name(value.args[1].value) == dotted
    return False


def mentions_item(expr: cst.CSTNode | None, base: str, item: str) -> bool:
    """Does ``expr`` read the item it is assigned to: ``item`` itself (``d[k]``, ``m[r][c]``)
    or ``base.get(k, ...)`` for ``item == "base[k]"``? ``d[a] = d[b]`` is a copy between two
    items, not a read-modify-write."""
    if expr is None:
        return False
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Subscript) and _item_text(node) == item:
            return True
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("get", "setdefault")
            and dotted_name(node.func.value) == base
            and node.args
            and f"{base}[{_item_text(node.args[0].value)}]" == item
        ):
            return True
        if isinstance(node, cst.Name | cst.Lambda):
            continue
        if isinstance(node, cst.Attribute):
            stack.append(node.value)
            continue
        _push_children(node, stack)
    return False


_NONE_NAMES = frozenset({"None", "True", "False"})
_BUILTIN_NAMES = frozenset(dir(builtins))
#: Dataclass and attrs field specifiers: ``field(default_factory=f)`` stores ``f()`` in each
#: instance (read for lock factories only).
_FIELD_FACTORIES = frozenset(
    {"dataclasses.field", "attr.ib", "attr.attrib", "attr.field", "attrs.field"}
)
_FACTORY_KEYWORDS = ("default_factory", "factory")

# Which check kinds an act answers to.
_ASSIGN_KINDS = frozenset({"none", "hasattr"})
_ITEM_WRITE_KINDS = frozenset({"member"})
#: A removal or an item read fails only if the item or the items are gone: it answers to a
#: membership or emptiness check, not to ``is None``.
_REMOVE_KINDS = frozenset({"member", "len"})
#: Removals that name their item: ``d.pop(k)``, ``lst.remove(x)``.
_KEYED_REMOVALS = frozenset({"pop", "remove"})


def _keyed(node: cst.Subscript, base: str) -> bool:
    """``d[k]`` with a computed key (see ``_computed_key``)."""
    index = subscript_index(node)
    return index is None or _computed_key(index, base)


def _computed_key(value: cst.BaseExpression, base: str) -> bool:
    """A key that names one item (``k``), not ``0``, ``-1`` or a key taken from the container
    itself (``next(iter(d))``): an emptiness test does not say that the item is there."""
    if mentions(value, base):
        return False
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        value = value.expression
    return not isinstance(value, cst.Integer)


class Collector:
    def __init__(
        self,
        module_name: str,
        is_package: bool,
        *,
        entry_points: frozenset[str] = frozenset(),
    ) -> None:
        self.m = ModuleModel(module=module_name, is_package=is_package)
        self.scope: Scope | None = None
        self.class_body: ClassInfo | None = None
        self.prefix = ""  # qualname prefix for new definitions
        self._next_fid = 0
        self._seq = 0  # writes, thread starts and ``start()`` calls, in document order
        self._lambda_scopes: dict[int, Scope] = {}
        self._stmt: cst.CSTNode | None = None  # the statement being walked
        #: ``for f in (a, b):`` -> while walking the body, ``f`` is one of ``a``, ``b``
        self._loop_alternatives: dict[str, list[cst.BaseExpression]] = {}
        #: ``submit(...)`` calls whose future is waited for at once (``submit(f).result()``)
        self._awaited: set[int] = set()
        #: ``await asyncio.to_thread(f)``: the calls an ``await`` waits for at once
        self._awaits: set[int] = set()
        #: (function, local name) -> the ``submit`` bound to it (``future = pool.submit(...)``)
        self._futures: dict[tuple[int, str], Entry] = {}
        #: (function, local name) -> the futures gathered in that local list
        #: (``futures.append(pool.submit(f, x))``, ``futures = [pool.submit(f, x) for x in
        #: xs]``) and the ids of the ``if``s and loops around the first; see ``_wait_all``
        self._future_lists: dict[tuple[int, str], tuple[list[Entry], frozenset[int]]] = {}
        #: (function, local name) -> what the walk had recorded when ``name.start()`` ran:
        #: (writes, entries, calls, ids of the ``if``s and loops around it); see ``_join``
        self._started: dict[tuple[int, str], tuple[int, int, int, tuple[int, ...]]] = {}
        self._module_loops = 0  # loops at module level (no scope to record them on)
        #: the ``for`` clauses of the comprehensions being walked (each is a loop)
        self._comp_fors: list[cst.CompFor] = []
        #: the blocks (indented suites) being walked, by identity, innermost last
        self._suites: list[int] = []
        #: class qualname -> how many ``class`` statements of that name the walk has seen
        self._class_defs: dict[str, int] = {}
        #: id of a ``finally`` block's statements -> the locks every normal way into it holds
        #: (``_held_in_finally``)
        self._finally_locks: dict[int, tuple[str, ...]] = {}
        #: enclosing ``with ... as pool:`` blocks: (function id, ``as`` name, block number)
        self._with_names: list[tuple[int, str, int]] = []
        self._with_blocks = 0
        #: enclosing ``try`` bodies: (function id, exception names their handlers catch)
        self._caught: list[tuple[int, frozenset[str]]] = []
        self._import_fallback = False  # in a module-level ``except ImportError:`` handler
        self._entry_points = entry_points
        self._handlers: dict[type, Callable[[Any], None]] = {
            cst.Module: self._module,
            cst.IndentedBlock: self._suite,
            cst.Return: self._return,
            cst.SimpleStatementLine: self._simple_line,
            cst.SimpleStatementSuite: self._suite,
            cst.ClassDef: self._classdef,
            cst.FunctionDef: self._funcdef,
            cst.Lambda: self._lambda,
            cst.If: self._if,
            cst.While: self._while,
            cst.For: self._for,
            cst.With: self._with,
            cst.Assign: self._assign,
            cst.AugAssign: self._augassign,
            cst.AnnAssign: self._annassign,
            cst.Del: self._del,
            cst.Global: self._global,
            cst.Nonlocal: self._nonlocal,
            cst.Call: self._call,
            cst.Import: self._import,
            cst.ImportFrom: self._importfrom,
            cst.Subscript: self._subscript,
            cst.NamedExpr: self._namedexpr,
            cst.ExceptHandler: self._excepthandler,
            cst.Yield: self._yield,
            cst.Await: self._await,
            cst.Try: self._try,
            cst.ListComp: self._comprehension,
            cst.SetComp: self._comprehension,
            cst.DictComp: self._comprehension,
            cst.GeneratorExp: self._comprehension,
        }

    # -- traversal --------------------------------------------------------------------------
    def collect(self, module: cst.Module) -> ModuleModel:
        self.m.doc = module.get_docstring(clean=False) or ""
        self.walk(module)
        for entry in self.m.entries:
            if entry.guard or entry.arg_guards:
                self._keep_cleared(entry)
        return self.m

    def _start_guards(
        self, node: cst.Call, args: list[cst.BaseExpression]
    ) -> tuple[str, tuple[tuple[int, str], ...]]:
        """The flags that admit this start, as far as the walk so far shows: each known
        unset by a test around the start or an early exit before it, and set true by this
        function before the start. ``Entry.guard``: the instance's own (``self._busy =
        True``), or the attribute the thread is built into (``self._thread = Thread(...)``
        under ``if self._thread is None:``). ``Entry.arg_guards``: an argument's (``h`` in
        ``pool.submit(self._drain, h)`` after ``if h.running: return`` and ``h.running =
        True``). ``collect`` drops those the target does not clear."""
        sc = self.scope
        if sc is None or sc.cls is None or not sc.self_name:
            return "", ()
        unset = {flag for frame in sc.checks for flag in frame.known_unset}
        unset |= self._exits_in_with(sc)
        if not unset:
            return "", ()
        set_true = {w.target for w in self.m.writes if w.scope is sc and _stored_truth(w)}
        slot = _slot(self._stmt, node)

        def admitting(owner: str) -> list[str]:
            prefix = owner + "."
            return sorted(f for f in unset if f.startswith(prefix) and "." not in f[len(prefix) :])

        guard = next((f for f in admitting(sc.self_name) if f == slot or f in set_true), "")
        found: list[tuple[int, str]] = []
        for i, arg in enumerate(args):
            if isinstance(arg, cst.Name) and arg.value != sc.self_name:
                flag = next((f for f in admitting(arg.value) if f in set_true), None)
                if flag is not None:
                    found.append((i, flag.partition(".")[2]))
        return guard, tuple(found)

    def _top_statement(self, sc: Scope) -> tuple[int, bool] | None:
        """Where the walk is among the function's own top-level statements: the index of
        the one that holds the statement being walked, and whether it is that statement
        (a small statement of it counts as it)."""
        if not isinstance(sc.node, cst.FunctionDef) or self._stmt is None:
            return None
        current = self._stmt
        for i, stmt in enumerate(sc.node.body.body):
            if stmt is current or (
                isinstance(stmt, cst.SimpleStatementLine)
                and any(small is current for small in stmt.body)
            ):
                return i, True
            if _contains(stmt, current):
                return i, False
        return None

    def _exits_in_with(self, sc: Scope) -> set[str]:
        """What the early exits inside the function's top-level ``with`` blocks before the
        walk's position show unset (``with self._lock: if self._running: return``): the
        block always runs, so the exit's facts hold after it."""
        facts: set[str] = set()
        where = self._top_statement(sc)
        if where is None or not isinstance(sc.node, cst.FunctionDef):
            return facts
        for stmt in sc.node.body.body[: where[0]]:
            if not isinstance(stmt, cst.With):
                continue
            for inner in stmt.body.body:
                if isinstance(inner, cst.If) and inner.orelse is None and _exits(inner.body):
                    facts |= _branch_facts(inner.test, False, _unset_atom)
        return facts

    def _keep_cleared(self, entry: Entry) -> None:
        """Keep the flags of ``entry`` (``guard``, ``arg_guards``) that the method it runs
        (``self._recover``, a method of the starter's class) clears: ``self._recovering =
        False`` or ``None`` anywhere in its body, or ``h.running = False`` on the parameter
        the flagged argument arrives in. A flag nothing clears proves nothing."""
        sc = entry.scope
        target = dotted_name(entry.target) if entry.target is not None else None
        method = None
        if sc is not None and sc.cls is not None and target is not None:
            head, _, name = target.partition(".")
            if head == sc.self_name and "." not in name:
                method = sc.cls.methods.get(name)
        if method is None or not method.self_name or not method.params:
            entry.guard = ""
            entry.arg_guards = ()
            return
        cleared = {
            w.target for w in self.m.writes if w.scope is method and _stored_truth(w) is False
        }
        if entry.guard and f"{method.self_name}.{entry.guard.partition('.')[2]}" not in cleared:
            entry.guard = ""
        params = method.params[1:]  # after ``self``
        entry.arg_guards = tuple(
            (i, attr)
            for i, attr in entry.arg_guards
            if i < len(params) and f"{params[i]}.{attr}" in cleared
        )

    def _caught_in(self, sc: Scope) -> frozenset[str]:
        """The exception names handled (or expected by a test) around this point of ``sc``."""
        return frozenset().union(*(c for fid, c in self._caught if fid == sc.fid))

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def walk(self, node: cst.CSTNode) -> None:
        handler = self._handlers.get(type(node))
        if handler is not None:
            handler(node)
            return
        if isinstance(node, _LEAF_TYPES):
            return
        self._walk_children(node)

    def _walk_children(self, node: cst.CSTNode) -> None:
        walk = self.walk
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                walk(value)
            elif isinstance(value, tuple | list):
                for child in value:
                    if isinstance(child, cst.CSTNode):
                        walk(child)

    def _module(self, node: cst.Module) -> None:
        self._block(node.body)

    def _suite(self, node: cst.IndentedBlock | cst.SimpleStatementSuite) -> None:
        self._suites.append(id(node))
        self._block(node.body)
        self._suites.pop()

    def _simple_line(self, node: cst.SimpleStatementLine) -> None:
        outer = self._stmt
        for small in node.body:
            self._stmt = small
            self.walk(small)
        self._stmt = outer

    def _block(self, stmts: Sequence[cst.CSTNode]) -> None:
        outer = self._stmt
        self._block_statements(stmts)
        self._stmt = outer

    def _block_statements(self, stmts: Sequence[cst.CSTNode]) -> None:
        """Walk statements in order, tracking ``acquire()``/``release()`` and early-exit checks."""
        sc = self.scope
        if sc is None:
            for stmt in stmts:
                self._stmt = stmt
                self.walk(stmt)
            return
        acquired: list[str] = []
        pushed_checks = 0
        cond_calls = self.m.cond_calls
        previous: list[CondCall] = []
        previous_if: tuple[cst.If, list[CondCall]] | None = None
        #: ``ok = lock.acquire(blocking=False)``: the name's value says whether it is held
        outcomes: dict[str, tuple[str, str]] = {}
        if isinstance(sc.node, cst.FunctionDef) and stmts is sc.node.body.body:
            for lock in _handed_locks(stmts):  # held from the function's first statement
                sc.locks.append(lock)
                acquired.append(lock)
        seeded = self._finally_locks.pop(id(stmts), ())  # held on entering a ``finally``
        for lock in seeded:
            sc.locks.append(lock)
            acquired.append(lock)
        started: list[tuple[Entry, int]] = []  # (start, index of its statement) in a loop
        for i, stmt in enumerate(stmts):
            if previous and _leaves(stmt):
                for call in previous:
                    call.then_leaves = True
            if previous_if is not None and _returns_tested(stmt, previous_if[0].test):
                for call in previous_if[1]:
                    call.reported = True
            self._stmt = stmt
            before = len(cond_calls)
            first_entry = len(self.m.entries)
            self.walk(stmt)
            if sc.loops and isinstance(stmt, cst.SimpleStatementLine):
                started.extend((entry, i) for entry in self.m.entries[first_entry:])
            previous = cond_calls[before:] if isinstance(stmt, cst.SimpleStatementLine) else []
            previous_if = (stmt, cond_calls[before:]) if isinstance(stmt, cst.If) else None
            calls = _statement_calls(stmt)
            outcome = _acquire_outcome(stmt)
            if outcome is not None:
                outcomes[outcome[0]] = outcome[1]
            elif isinstance(stmt, cst.If) and stmt.orelse is None and _exits(stmt.body):
                # ``if not ok: return``: held from here on (ydb's ``_send_wake_up``)
                tested = _negated_name(stmt.test)
                if tested in outcomes:
                    calls = [*calls, outcomes.pop(tested)]
            for recv, meth in calls:
                key = _acquired_key(recv, meth)
                if key is not None:
                    sc.locks.append(key)
                    sc.entered.add(key)
                    acquired.append(key)
                    self.m.acquired.add(key)
                    continue
                key = _released_key(recv, meth)
                if key is not None and key in acquired:
                    acquired.remove(key)
                    _remove_last(sc.locks, key)
            if acquired and isinstance(stmt, cst.Try):
                for recv in _released_in_finally(stmt):
                    if recv in acquired:
                        acquired.remove(recv)
                        _remove_last(sc.locks, recv)
            if isinstance(stmt, cst.If) and stmt.orelse is None and _exits(stmt.body):
                checks = self._checks_of(stmt.test)
                unset = frozenset(_branch_facts(stmt.test, False, _unset_atom))
                if checks or unset:
                    implied = frozenset(_branch_facts(stmt.test, False, self._presence_atom))
                    sc.checks.append(
                        CheckFrame(
                            stmt,
                            checks,
                            tuple(sc.locks),
                            early_exit=True,
                            implied=implied,
                            known_set=frozenset(_branch_facts(stmt.test, False, _set_atom)),
                            known_unset=unset,
                        )
                    )
                    pushed_checks += 1
        if started and _leaves_loop(stmts, len(sc.loops)):
            for entry, i in started:
                if all(_plain(later) for later in stmts[i:]):
                    entry.leaves_loop = True
        kept = [lock for lock in acquired if lock not in seeded]
        if kept:
            sc.returns_holding = True
            sc.returned_locks = (*sc.returned_locks, *kept)
        for recv in acquired:
            _remove_last(sc.locks, recv)
        if pushed_checks:
            del sc.checks[-pushed_checks:]

    # -- definitions -------------------------------------------------------------------------
    def _new_scope(
        self,
        name: str,
        qualname: str,
        kind: str,
        params: list[str],
        node: cst.CSTNode,
    ) -> Scope:
        self._next_fid += 1
        scope = Scope(
            fid=self._next_fid,
            name=name,
            qualname=qualname,
            kind=kind,
            cls=self.class_body,
            parent=self.scope,
            params=params,
            node=node,
        )
        self.m.scopes.append(scope)
        return scope

    def _funcdef(self, node: cst.FunctionDef) -> None:
        for deco in node.decorators:
            self.walk(deco.decorator)
        self._walk_defaults(node.params)
        name = node.name.value
        params = _param_names(node.params)
        cls = self.class_body
        deco_names = {dotted_name(d.decorator) for d in node.decorators}
        if cls is not None:
            if "staticmethod" in deco_names:
                kind = "staticmethod"
            elif "classmethod" in deco_names or name in ("__init_subclass__", "__new__"):
                kind = "classmethod"
            else:
                kind = "method"
        else:
            kind = "function"
        qualname = self.prefix + name
        scope = self._new_scope(name, qualname, kind, params, node)
        scope.is_async = node.asynchronous is not None
        for deco_name in deco_names:
            short = deco_name.rpartition(".")[2].lstrip("_") if deco_name else ""
            if short in known.LOCKING_DECORATORS:
                scope.locks.append(f"@{short}")  # held for the whole body
            elif deco_name in self.m.functions and _locks_the_call(
                self.m.functions[deco_name].node
            ):
                scope.locks.append(f"@{deco_name}")  # eliot's ``@exclusively``
            elif (
                cls is not None
                and deco_name in cls.methods
                and _locks_the_call(cls.methods[deco_name].node)
            ):
                scope.locks.append(f"@{deco_name}")  # a decorator of the class body: ``@sync``
        if kind == "method" and params:
            scope.self_name = params[0]
        elif kind == "classmethod" and params:
            scope.cls_name = params[0]
        if cls is not None:
            cls.methods.setdefault(name, scope)
        elif self.scope is None:
            self.m.functions[name] = scope
            _record(self.m.module_values, name, (f"<def:{qualname}>",))
        else:
            self.scope.bind(name)
            _record(self.scope.local_values, name, (f"<scope:{scope.fid}>",))
        saved = (self.scope, self.class_body, self.prefix)
        self.scope, self.class_body, self.prefix = scope, None, qualname + ".<locals>."
        self.walk(node.body)
        self.scope, self.class_body, self.prefix = saved

    def _lambda(self, node: cst.Lambda) -> None:
        self._walk_defaults(node.params)
        self._next_fid += 0
        outer = self.scope.qualname + "." if self.scope else ""
        name = f"<lambda#{self._next_fid + 1}>"
        scope = self._new_scope(name, outer + name, "lambda", _param_names(node.params), node)
        self._lambda_scopes[id(node)] = scope
        saved = (self.scope, self.class_body)
        self.scope, self.class_body = scope, None
        self.walk(node.body)
        self.scope, self.class_body = saved

    def _walk_defaults(self, params: cst.Parameters) -> None:
        for group in (params.posonly_params, params.params, params.kwonly_params):
            for p in group:
                if p.default is not None:
                    self.walk(p.default)

    def _classdef(self, node: cst.ClassDef) -> None:
        for deco in node.decorators:
            self.walk(deco.decorator)
        bases: list[str] = []
        for arg in node.bases:
            self.walk(arg.value)
            base = dotted_name(arg.value)
            if base is not None:
                bases.append(self.qualify(base))
        name = node.name.value
        qualname = self.prefix + name
        earlier = self._class_defs.get(qualname, 0)
        self._class_defs[qualname] = earlier + 1
        if earlier:
            # ``if windows: class Poller: ...`` / ``else: class Poller: ...``: two classes,
            # only one of which exists at run time. Each keeps its own methods: a thread the
            # Windows poller starts on its ``poll`` does not run the POSIX one's. The same
            # holds for a class defined again under a separate ``if`` (pycos's POSIX
            # ``_AsyncPoller``, under ``if not hasattr(module, '_AsyncNotifier'):``) or in
            # straight-line code: each ``class`` statement makes a new class object, and a
            # method of one runs only on instances of that one (or of its subclasses). A
            # use of the name from outside sees every definition (the name's values).
            qualname = f"{qualname}#{earlier + 1}"
        info = ClassInfo(name=name, qualname=qualname, bases=bases)
        info.doc = node.get_docstring(clean=False)
        self.m.classes[qualname] = info
        marker = f"<class:{qualname}>"
        if self.scope is not None:
            self.scope.bind(name)
            _record(self.scope.local_values, name, (marker,))
        elif self.class_body is None:
            _record(self.m.module_values, name, (marker,))
        saved = (self.scope, self.class_body, self.prefix)
        self.scope, self.class_body, self.prefix = None, info, qualname + "."
        self.walk(node.body)
        self.scope, self.class_body, self.prefix = saved

    # -- imports ----------------------------------------------------------------------------
    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _attr_text(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.m.imports[alias.asname.name.value] = full
            else:
                head = full.partition(".")[0]
                self.m.imports[head] = head

    def _importfrom(self, node: cst.ImportFrom) -> None:
        module = _attr_text(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level:
            package = self.m.module if self.m.is_package else self.m.module.rpartition(".")[0]
            parts = package.split(".") if package else []
            if level > 1:
                parts = parts[: len(parts) - (level - 1)]
            base = ".".join(parts)
            module = f"{base}.{module}" if base and module else (base or module)
        if isinstance(node.names, cst.ImportStar):
            self.m.star_imports.append(module)
            return
        for alias in node.names:
            name = _attr_text(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.m.imports[local] = f"{module}.{name}" if module else name
            if self._import_fallback and module:
                self.m.fallback_imports.append(f"{module}.{name}")

    # -- name resolution (syntactic) -----------------------------------------------------------
    def qualify(self, dotted: str) -> str:
        return qualify(self.m, dotted, self.scope)

    def value_summary(self, expr: cst.BaseExpression | None) -> list[str]:
        if expr is None:
            return [OTHER]
        if isinstance(expr, cst.Call):
            func = dotted_name(expr.func)
            if func is None:
                return [OTHER]
            qual = self.qualify(func)
            if func.endswith(".get") and "." in func:
                return [qual, f"<get:{func[: -len('.get')]}>"]
            if known.is_condition_factory(qual) and expr.args:
                arg = dotted_name(expr.args[0].value)
                if arg is not None:
                    return [f"{qual}|{arg}"]
            if known.is_counting_semaphore(qual, _initial_value(expr)):
                return [f"{qual}|{COUNTING}"]
            if qual in known.THREAD_POOL_FACTORIES and _workers(expr) == "1":
                return [f"{qual}|{ONE_WORKER}"]
            if qual in _FIELD_FACTORIES:
                # ``_lock: Lock = field(default_factory=Lock)``: each instance gets a lock. Only
                # locks: other factories (``list``, ``dict``) keep the summary of the call
                for field_arg in expr.args:
                    keyword = field_arg.keyword
                    if keyword is not None and keyword.value in _FACTORY_KEYWORDS:
                        factory = dotted_name(field_arg.value)
                        made = self.qualify(factory) if factory is not None else ""
                        if known.is_lock_factory(made):
                            return [made]
            if qual == "collections.defaultdict" and expr.args:
                factory = dotted_name(expr.args[0].value)
                if factory is not None:
                    # ``defaultdict(threading.RLock)``: a container of locks, one per key
                    return [f"{qual}|{self.qualify(factory)}"]
            return [qual]
        if isinstance(expr, cst.List | cst.ListComp):
            return [LIST]
        if isinstance(expr, cst.BinaryOperation) and isinstance(
            expr.operator, cst.Multiply | cst.Add
        ):
            # ``[0.0] * n``, ``[a] + rest``: a new list
            sides = (expr.left, expr.right)
            if any(isinstance(side, cst.List | cst.ListComp) for side in sides):
                return [LIST]
        if isinstance(expr, cst.Subscript) and all(
            isinstance(e.slice, cst.Slice) for e in expr.slice
        ):
            base = dotted_name(expr.value)
            if base is not None:
                # ``self.tasks = self.tasks[-200:]``: trimmed, the same kind of container
                return [f"{SLICE}{base}>"]
        if isinstance(expr, cst.Dict) and expr.elements:
            keys = [
                literal_key(e.key) if isinstance(e, cst.DictElement) else None
                for e in expr.elements
            ]
            if all(k is not None for k in keys):
                return [FIXED_KEYS + KEY_SEP.join(k for k in keys if k is not None)]
        if isinstance(expr, cst.Dict | cst.Set | cst.DictComp | cst.SetComp):
            return [CONTAINER]
        if isinstance(
            expr,
            cst.Integer
            | cst.Float
            | cst.SimpleString
            | cst.ConcatenatedString
            | cst.FormattedString
            | cst.Tuple,
        ):
            return [CONST]
        if isinstance(expr, cst.Name) and expr.value in _NONE_NAMES:
            return [CONST]
        if isinstance(expr, cst.BooleanOperation):
            return self.value_summary(expr.left) + self.value_summary(expr.right)
        if isinstance(expr, cst.IfExp):
            return self.value_summary(expr.body) + self.value_summary(expr.orelse)
        dotted = dotted_name(expr)
        if dotted is not None:
            sc = self.scope
            if sc is not None and dotted in sc.params:
                return [PARAM]
            if sc is not None and isinstance(expr, cst.Name) and sc.is_local(dotted):
                # ``new_list = []`` ... ``self.workers = new_list``: the local's new container
                values = sc.local_values.get(dotted, [])
                if values and all(v.startswith(CONTAINER) or _new_container(v) for v in values):
                    return list(values)
            return [f"<ref:{dotted}>"]
        return [OTHER]

    # -- statements ----------------------------------------------------------------------------
    def _global(self, node: cst.Global) -> None:
        if self.scope is not None:
            self.scope.global_names.update(item.name.value for item in node.names)

    def _nonlocal(self, node: cst.Nonlocal) -> None:
        if self.scope is not None:
            self.scope.nonlocal_names.update(item.name.value for item in node.names)

    def _assign(self, node: cst.Assign) -> None:
        self.walk(node.value)
        for target in node.targets:
            self._target(target.target, node.value, node, augmented=False)
        last = self.m.entries[-1] if self.m.entries else None
        if (
            self.scope is not None
            and last is not None
            and last.node is node.value
            and last.kind == "submit"
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
        ):
            # ``future = pool.submit(f, x)``: a ``future.result()`` with nothing in between
            # waits for it at once (see ``_call``)
            self._futures[(self.scope.fid, node.targets[0].target.value)] = last
        value = node.value
        if (
            self.scope is not None
            and last is not None
            and last.kind == "submit"
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and (
                (isinstance(value, cst.ListComp | cst.SetComp) and last.node is value.elt)
                or (isinstance(value, cst.DictComp) and last.node is value.key)
            )
        ):
            # ``futures = [pool.submit(f, x) for x in xs]``
            self._gather_future(self.scope, node.targets[0].target.value, last)

    def _augassign(self, node: cst.AugAssign) -> None:
        self.walk(node.value)
        self._target(node.target, node.value, node, augmented=True)

    def _annassign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.walk(node.value)
            self._target(node.target, node.value, node, augmented=False)
        elif isinstance(node.target, cst.Name) and self.scope is not None:
            self.scope.bind(node.target.value)

    def _return(self, node: cst.Return) -> None:
        self._walk_children(node)
        if self.scope is not None and node.value is not None:
            # a name or a dotted name (``return self._lock``); "" for any other value
            returned = dotted_name(node.value)
            self.scope.returns.append(returned or "")
            if returned is None and all(new_object(v) for v in self.value_summary(node.value)):
                self.scope.new_returns += 1  # ``return File(path)``
            elif isinstance(node.value, cst.Call) and (called := dotted_name(node.value.func)):
                self.scope.returned_calls.append(called)

    def _namedexpr(self, node: cst.NamedExpr) -> None:
        self.walk(node.value)
        if isinstance(node.target, cst.Name) and self.scope is not None:
            self.scope.bind(node.target.value)

    def _yield(self, node: cst.Yield) -> None:
        self._walk_children(node)
        sc = self.scope
        if sc is not None:
            sc.generator = True
        if sc is not None and sc.locks and not sc.yield_locks:
            sc.yield_locks = tuple(sc.locks)  # ``@contextmanager``: held around the caller's body

    def _try(self, node: cst.Try) -> None:
        caught: set[str] = set()
        for handler in node.handlers:
            if handler.type is None:
                caught.add("")  # a bare ``except:``
                continue
            caught |= _exception_names(handler.type)
        fid = self.scope.fid if self.scope is not None else -1
        self._caught.append((fid, frozenset(caught)))
        self.walk(node.body)
        self._caught.pop()
        for handler in node.handlers:
            self.walk(handler)
        if node.orelse is not None:
            self.walk(node.orelse)
        if node.finalbody is not None:
            if self.scope is not None and (held := _held_in_finally(node)):
                keys = (_lock_key(recv, meth) for recv, meth in held)
                self._finally_locks[id(node.finalbody.body.body)] = tuple(keys)
            self.walk(node.finalbody)

    def _comprehension(self, node: cst.BaseComp | cst.DictComp) -> None:
        """``[Thread(target=work) for _ in range(4)]`` starts a thread per item, like a loop;
        ``[k for k in self._index]`` iterates over ``self._index`` like a ``for`` loop."""
        sc = self.scope
        fors: list[cst.CompFor] = []
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            fors.append(clause)
            iterated = _iterated_container(clause.iter)
            if sc is not None and iterated is not None:
                self.m.iterations.append(
                    Iteration(clause, sc, iterated, tuple(sc.locks), self._next_seq())
                )
            clause = clause.inner_for_in
        self._comp_fors += fors
        self._walk_children(node)
        del self._comp_fors[len(self._comp_fors) - len(fors) :]

    def _excepthandler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None:
            self.walk(node.type)
        if node.name is not None and isinstance(node.name.name, cst.Name) and self.scope:
            self.scope.bind(node.name.name.value)
        fallback = (
            self.scope is None
            and self.class_body is None
            and node.type is not None
            and any(mentions(node.type, name) for name in ("ImportError", "ModuleNotFoundError"))
        )
        saved, self._import_fallback = self._import_fallback, self._import_fallback or fallback
        self.walk(node.body)
        self._import_fallback = saved

    def _target(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression | None,
        stmt: cst.CSTNode,
        *,
        augmented: bool,
    ) -> None:
        sc = self.scope
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._target(element.value, None if augmented else value, stmt, augmented=False)
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                if sc is not None and isinstance(inner, cst.Name):
                    sc.unpacked.add(inner.value)
            return
        if isinstance(target, cst.StarredElement):
            self._target(target.value, value, stmt, augmented=augmented)
            return
        if isinstance(target, cst.Name):
            name = target.value
            if sc is None:
                values = self.value_summary(value) if value is not None else [OTHER]
                if self.class_body is not None:
                    _record(self.class_body.attrs, name, values)
                else:
                    _record(self.m.module_values, name, values)
                return
            if name in sc.global_names:
                rmw = augmented or (mentions(value, name) and not _is_default_of(value, name))
                if not augmented:  # ``x += more`` keeps x's kind: a list stays a list
                    _record(self.m.module_values, name, self.value_summary(value))
                self._write(stmt, "rmw" if rmw else "assign", name)
            elif name in sc.nonlocal_names:  # ``nonlocal found; found += 1``: a closure's
                rmw = augmented or (mentions(value, name) and not _is_default_of(value, name))
                self._write(stmt, "rmw" if rmw else "assign", name)
            else:
                if (
                    name in sc.params
                    and name not in sc.assigned
                    and not augmented
                    and not sc.loops
                    and not sc.ifs
                    and not self._comp_fors
                    and value is not None
                    and all(new_object(v) for v in self.value_summary(value))
                ):
                    sc.rebound[name] = self._seq  # ``num_samples = [0] * num_chains``
                sc.assigned.add(name)
                _record(sc.local_values, name, self.value_summary(value))
                sc.bound_in[name] = sc.loop_ids()
                sc.last_bound[name] = (value, tuple(self._suites))
                sc.bind_value(name, None if augmented else value)
                if sc.cls_name is None and sc.self_name and _is_own_class(value, sc.self_name):
                    sc.cls_name = name  # ``cls = type(self)``: ``cls.x`` is class state
            return
        if isinstance(target, cst.Attribute):
            dotted = dotted_name(target)
            if dotted is None:
                self.walk(target.value)
                return
            if sc is None:
                return
            if sc.self_name and sc.cls is not None:
                head, _, rest = dotted.partition(".")
                if head == sc.self_name and "." not in rest and not augmented:
                    # ``self.x += more`` keeps the kind of what ``self.x`` holds
                    _record(sc.cls.inst_attrs, rest, self.value_summary(value))
            rmw = augmented or (mentions(value, dotted) and not _is_default_of(value, dotted))
            self._write(stmt, "rmw" if rmw else "assign", dotted)
            return
        if isinstance(target, cst.Subscript):
            self._walk_children(target)
            root: cst.BaseExpression = target.value
            outer = target  # the subscript of the root itself: ``d["files"]`` of ``d["files"][k]``
            while isinstance(root, cst.Subscript):  # ``per_host[h]["ok"] += 1``
                outer = root
                root = root.value
            base = dotted_name(root)
            if base is None:
                self.walk(target.value)
                return
            if sc is None:
                return
            rmw = augmented or mentions_item(value, base, _item_text(target))
            # ``stats["sent"] += 1``: the one item it updates (not ``per_host[h]["ok"]``);
            # ``ctx["files"][path] = f`` changes what the item ``"files"`` holds, no other item
            item = subscript_key(outer) or ""
            index = subscript_index(target) if root is target.value else None
            self._write(
                stmt,
                "rmw" if rmw else "assign",
                base,
                subscript=True,
                item=item,
                item_choices=() if item else key_choices(subscript_index(outer)),
                existing_key=_loop_key(sc.loops, base, index),
                key_param=index.value
                if isinstance(index, cst.Name) and index.value in sc.params
                else "",
            )

    def _del(self, node: cst.Del) -> None:
        self._del_target(node.target, node)

    def _del_target(self, target: cst.BaseExpression, stmt: cst.Del) -> None:
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._del_target(element.value, stmt)
            return
        sc = self.scope
        if isinstance(target, cst.Subscript):
            self._walk_children(target)
            base = dotted_name(target.value)
            if base is not None:
                self.m.removal_kinds.setdefault(base, set()).add("del")
                self.m.removed_keys.setdefault(base, set()).add(subscript_key(target) or ANY_KEY)
                if sc is not None:
                    self._write(stmt, "del", base, subscript=True, keyed=_keyed(target, base))
        elif sc is not None:
            dotted = dotted_name(target)
            if dotted is not None and ("." in dotted or dotted in sc.global_names):
                self._write(stmt, "del", dotted)

    def _write(
        self,
        node: cst.CSTNode,
        op: str,
        target: str,
        *,
        subscript: bool = False,
        method: str = "",
        keyed: bool = False,
        item: str = "",
        item_choices: tuple[str, ...] = (),
        existing_key: bool = False,
        key_param: str = "",
    ) -> None:
        """Record a write. ``keyed``: the act addresses one item by a computed key
        (``d[k]``, ``d.pop(k)``, ``del d[k]``), which only a membership test establishes;
        an emptiness test (``if d:``) establishes ``q[0]``, ``q.pop()``, ``lst[-1]``."""
        sc = self.scope
        assert sc is not None
        if subscript or method:
            self.m.mutated_containers.add(target)
        check = None
        # ``if not fqdn: fqdn = getfqdn(); fqdn = fqdn.lower()``: an update in a branch that
        # knows the target unset computes from that known state; every thread that races
        # through it writes the same value. The race is the check-then-act's (GIL002).
        initializing = (
            op == "rmw"
            and not subscript
            and not method
            and any(target in frame.known_unset for frame in sc.checks)
        )
        if sc.checks:
            if op == "read":
                kinds = _REMOVE_KINDS
            elif method:
                kinds = _REMOVE_KINDS if method in known.REMOVING_METHODS else _ITEM_WRITE_KINDS
            elif subscript:
                kinds = _ITEM_WRITE_KINDS
            elif op == "del":
                kinds = _REMOVE_KINDS
            else:
                kinds = _ASSIGN_KINDS
            # a read, ``del d[k]`` or ``d[k] += 1`` relies on the item being there: the
            # branch taken must have established it
            relies = kinds is _REMOVE_KINDS or (subscript and op in ("rmw", "del"))
            update = op == "rmw" and not subscript and not method
            inner: list[CheckFrame] = []  # frames inside the matching one, innermost first
            for frame in reversed(sc.checks):
                if update and target in frame.known_set:
                    continue
                if any(
                    c.ref == target
                    and c.kind in kinds
                    and (not relies or frame.implied is None or target in frame.implied)
                    and not (relies and keyed and c.kind == "len")
                    for c in frame.checks
                ):
                    check = _recheck(frame, inner) or frame
                    break
                inner.append(frame)
        self.m.writes.append(
            Write(
                node=node,
                scope=sc,
                op=op,
                target=target,
                locks=tuple(sc.locks),
                subscript=subscript,
                method=method,
                check=check,
                in_raise=isinstance(self._stmt, cst.Raise),
                initializing=initializing,
                caught=self._caught_in(sc),
                seq=self._next_seq(),
                item=item,
                item_choices=item_choices,
                existing_key=existing_key,
                key_param=key_param,
            )
        )

    # -- control flow --------------------------------------------------------------------------
    def _checks_of(self, test: cst.BaseExpression) -> list[Check]:
        checks: list[Check] = []
        _collect_checks(test, checks)
        sc = self.scope
        if sc is not None:
            # ``v = _cache.get(k); if v is None: ...`` checks _cache; ``inst = _instance;
            # if inst is None: ...`` checks _instance.
            for check in list(checks):
                if "." in check.ref or not sc.is_local(check.ref) or check.ref in sc.unpacked:
                    continue
                for value in sc.local_values.get(check.ref, ()):
                    if value.startswith("<get:"):
                        checks.append(Check("member", value[5:-1]))
                    elif value.startswith("<ref:") and check.kind == "none":
                        checks.append(Check("none", value[5:-1]))
        return checks

    def _presence_atom(self, test: cst.BaseExpression, truth: bool) -> set[str]:
        """Refs whose membership (``k in d``) or emptiness (``if q``, ``len(q)``) an operand
        tests, either way round; a local read with ``d.get(k)`` stands for ``d``."""
        if isinstance(test, cst.Comparison) and len(test.comparisons) > 1:
            return set()  # ``a < len(q) < b``: rare; know nothing
        return {c.ref for c in self._checks_of(test) if c.kind in _REMOVE_KINDS}

    def _if(self, node: cst.If) -> None:
        self.walk(node.test)
        sc = self.scope
        if sc is None:
            self.walk(node.body)
            if node.orelse is not None:
                self.walk(node.orelse)
            return
        checks = self._checks_of(node.test)
        unset = frozenset(_branch_facts(node.test, True, _unset_atom))
        frame = None
        if checks or unset:
            implied = frozenset(_branch_facts(node.test, True, self._presence_atom))
            known_set = frozenset(_branch_facts(node.test, True, _set_atom))
            frame = CheckFrame(
                node,
                checks,
                tuple(sc.locks),
                implied=implied,
                known_set=known_set,
                known_unset=unset,
            )
            sc.checks.append(frame)
        acquired = _acquire_in_test(node.test)
        if acquired is not None:
            sc.locks.append(acquired)
        sc.ifs.append(node)
        mode = _mode_test(node.test, sc.self_name)
        if mode is not None:
            sc.modes.append(mode)
        self.walk(node.body)
        sc.ifs.pop()
        if mode is not None:
            sc.modes[-1] = (mode[0], not mode[1])  # the ``else`` (and ``elif``) branches
        if acquired is not None:
            _remove_last(sc.locks, acquired)
        if frame is not None:
            # the else branch knows the opposite of what the body knows
            frame.implied = frozenset(_branch_facts(node.test, False, self._presence_atom))
            frame.known_set = frozenset(_branch_facts(node.test, False, _set_atom))
            frame.known_unset = frozenset(_branch_facts(node.test, False, _unset_atom))
        # ``if self.lock: with self.lock: total += n`` / ``else: total += n``: without the
        # lock the code runs in one thread by design (the lock exists when threads do), so
        # the else branch counts as holding it
        optional = _optional_lock(node) if node.orelse is not None else None
        if optional is not None:
            sc.locks.append(optional)
        if node.orelse is not None:
            self.walk(node.orelse)
        if mode is not None:
            sc.modes.pop()
        if optional is not None:
            _remove_last(sc.locks, optional)
        if frame is not None:
            sc.checks.remove(frame)

    def _while(self, node: cst.While) -> None:
        sc = self.scope
        self.walk(node.test)
        if sc is not None:
            sc.loops.append(node)
        else:
            self._module_loops += 1
        self.walk(node.body)
        if sc is not None:
            sc.loops.pop()
        else:
            self._module_loops -= 1
        if node.orelse is not None:
            self.walk(node.orelse)

    def _for(self, node: cst.For) -> None:
        sc = self.scope
        self.walk(node.iter)
        self._bind_names(node.target)
        alternatives = None
        if isinstance(node.target, cst.Name) and isinstance(node.iter, cst.Tuple | cst.List):
            alternatives = [e.value for e in node.iter.elements]
            saved = self._loop_alternatives.get(node.target.value)
            self._loop_alternatives[node.target.value] = alternatives
        if sc is not None:
            iterated = _iterated_container(node.iter)
            if iterated is not None:
                self.m.iterations.append(
                    Iteration(node, sc, iterated, tuple(sc.locks), self._next_seq())
                )
            sc.loops.append(node)
        else:
            self._module_loops += 1
        self.walk(node.body)
        if alternatives is not None and isinstance(node.target, cst.Name):
            if saved is None:
                del self._loop_alternatives[node.target.value]
            else:
                self._loop_alternatives[node.target.value] = saved
        if sc is not None:
            sc.loops.pop()
        else:
            self._module_loops -= 1
        if node.orelse is not None:
            self.walk(node.orelse)

    def _bind_names(self, target: cst.BaseExpression) -> None:
        sc = self.scope
        if sc is None:
            return
        for name in _target_names(target):
            if name not in sc.global_names:
                sc.bind(name)

    def _with(self, node: cst.With) -> None:
        sc = self.scope
        pushed = apushed = 0
        expected = _expected_errors(node)
        if expected:  # ``with pytest.raises(RuntimeError):``: the body is meant to raise it
            self._caught.append((sc.fid if sc is not None else -1, expected))
        named = 0
        for item in node.items:
            self.walk(item.item)
            as_target = item.asname.name if item.asname is not None else None
            if isinstance(as_target, cst.Name) and node.asynchronous is None:
                # ``with ThreadPoolExecutor() as pool:``: what ``pool`` runs ends with the block
                self._with_names.append(
                    (sc.fid if sc is not None else -1, as_target.value, self._with_blocks)
                )
                named += 1
            if isinstance(as_target, cst.Name) and sc is not None:
                sc.bind(as_target.value)
                _record(sc.local_values, as_target.value, self.value_summary(item.item))
            elif isinstance(as_target, cst.Name) and self.class_body is None:
                # ``with ThreadPoolExecutor() as pool:`` at module level (a script)
                _record(self.m.module_values, as_target.value, self.value_summary(item.item))
            if sc is not None and node.asynchronous is None:
                lock = _lock_expr(item.item)
                if lock is not None:
                    sc.locks.append(lock)
                    sc.entered.add(lock)
                    pushed += 1
            elif node.asynchronous is not None and (name := dotted_name(item.item)) is not None:
                self.m.async_conditions.add(name)  # ``async with cond:``: not threading's
                if sc is not None:
                    sc.async_items.append(name)
                    apushed += 1
        block = self._with_blocks
        self._with_blocks += 1
        first_call, first_entry = len(self.m.calls), len(self.m.entries)
        self.walk(node.body)
        if named:
            del self._with_names[-named:]
            # what the block's body calls runs beside the tasks it hands to the pool
            calls = tuple(c.callee for c in self.m.calls[first_call:] if c.scope is sc)
            for entry in self.m.entries[first_entry:]:
                if entry.block == block:
                    entry.block_calls = calls
        if expected:
            self._caught.pop()
        if pushed and sc is not None:
            del sc.locks[-pushed:]
        if apushed and sc is not None:
            del sc.async_items[-apushed:]

    def _await(self, node: cst.Await) -> None:
        inner = node.expression
        if isinstance(inner, cst.Call):
            self._awaits.add(id(inner))
        self._walk_children(node)
        if (
            isinstance(inner, cst.Call)
            and isinstance(inner.func, cst.Attribute)
            and inner.func.attr.value in ("wait", "wait_for")
        ):
            receiver = dotted_name(inner.func.value)
            if receiver is not None:  # ``await cond.wait()``: an asynchronous condition
                self.m.async_conditions.add(receiver)

    def _subscript(self, node: cst.Subscript) -> None:
        self._walk_children(node)
        sc = self.scope
        if any(isinstance(e.slice, cst.Slice) for e in node.slice):
            return  # ``x[:]`` cannot fail
        if sc is not None and sc.checks:
            base = dotted_name(node.value)
            if base is not None and any(c.ref == base for frame in sc.checks for c in frame.checks):
                self._write(node, "read", base, subscript=True, keyed=_keyed(node, base))

    # -- calls ---------------------------------------------------------------------------------
    def _call(self, node: cst.Call) -> None:
        func = dotted_name(node.func)
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "result"
            and isinstance(node.func.value, cst.Call)
        ):
            self._awaited.add(id(node.func.value))
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "result":
            self._waited_future(node)
        if func is None:
            self.walk(node.func)
        sc = self.scope
        m = self.m
        for arg in node.args:
            self.walk(arg.value)
            if isinstance(arg.value, cst.Attribute | cst.Name) and not arg.star:
                ref = dotted_name(arg.value)
                if ref is not None:
                    m.value_refs.append((sc, ref, arg.value))
                    if sc is not None and func is not None and ref == sc.self_name:
                        m.self_handoffs.append((sc, func))
        if (
            sc is not None
            and not node.args
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "start"
        ):
            # ``t.start()``, ``Thread(...).start()``
            m.start_calls.append((sc, self._next_seq(), bool(sc.ifs)))
        if func is None:
            return
        if self._stmt is not None:
            m.statement_of[node] = self._stmt
        if sc is not None:
            recv, dot, meth = func.rpartition(".")
            if dot and not node.args and meth == "join" and "." not in recv:
                self._join(sc, recv)
            self._call_site(sc, func)
            if dot and not node.args and meth == "start" and "." not in recv:
                self._started[(sc.fid, recv)] = (
                    len(m.writes),
                    len(m.entries),
                    len(m.calls),
                    _around(sc),
                )
            if dot and meth == "append" and "." not in recv and len(node.args) == 1:
                self._appended_future(sc, recv, node.args[0].value)
            elif meth == "wait" and node.args and self.qualify(func) == "concurrent.futures.wait":
                self._wait_all(sc, node)
            if sc.is_local(func) and func not in sc.params:
                # ``process(msg)`` after ``process = self._on_peer``: a call of that method
                for method in sorted(sc.method_locals.get(func) or ()):
                    self._call_site(sc, method)
        else:
            m.import_calls.append(func)
        recv, dot, meth = func.rpartition(".")
        if dot and sc is not None:
            if meth in ("wait", "wait_for", "notify", "notify_all", "notifyAll"):
                m.cond_calls.append(
                    CondCall(
                        node,
                        sc,
                        recv,
                        meth,
                        tuple(sc.locks),
                        sc.in_while(),
                        sc.ifs[-1].test if sc.ifs else None,
                        reported=_returned(self._stmt, node),
                        caught=self._caught_in(sc),
                    )
                )
            elif meth == "acquire" or meth == "release":
                m.acquired.add(recv)
            elif meth == "set" and len(node.args) == 1 and not node.args[0].keyword:
                m.handoffs.append((sc, recv, node.args[0].value))
            elif meth in known.ADDING_METHODS or meth in known.REMOVING_METHODS:
                if meth in known.REMOVING_METHODS:
                    m.removal_kinds.setdefault(recv, set()).add(meth)
                    m.removed_keys.setdefault(recv, set()).add(_removed_key(node, meth))
                if meth not in known.IDEMPOTENT_METHODS:
                    keyed = (
                        meth in _KEYED_REMOVALS
                        and bool(node.args)
                        and _computed_key(node.args[0].value, recv)
                    )
                    self._write(node, "mutate", recv, method=meth, keyed=keyed)
        elif dot and meth in known.REMOVING_METHODS:
            m.removal_kinds.setdefault(recv, set()).add(meth)
            m.removed_keys.setdefault(recv, set()).add(_removed_key(node, meth))
        qual_func = self.qualify(func)
        if qual_func in known.MAIN_THREAD_ONLY_CALLS and sc is not None:
            m.main_thread_scopes.add(sc.fid)  # e.g. signal.signal() works only in the main thread
        if qual_func == "atexit.register" and node.args:
            handler = dotted_name(node.args[0].value)
            if handler is not None:
                m.main_thread_names.add(handler.rpartition(".")[2])
        if func.endswith("register_at_fork") and qual_func == "os.register_at_fork":
            for arg in node.args:
                hook = dotted_name(arg.value)
                if hook is not None:
                    m.fork_hooks.add(hook.rpartition(".")[2])
        if func == "setattr" and sc is not None and len(node.args) >= 2:
            obj = dotted_name(node.args[0].value)
            attr = node.args[1].value
            if obj is not None and isinstance(attr, cst.SimpleString):
                self._write(node, "assign", f"{obj}.{attr.raw_value}")
        self._maybe_entry(node, func, recv if dot else "", meth if dot else func)

    def _waited_future(self, node: cst.Call) -> None:
        """``future.result()`` right after ``future = pool.submit(f, x)``, with nothing in
        between that the walk records (no call, write or start): the caller waits for the
        task at once, as ``pool.submit(f, x).result()`` does. A timeout counts only inside
        the pool's ``with`` block, whose end waits for the task anyway (camel's step timeout,
        twenty-eighth held-out corpus); otherwise the task can outlive the wait."""
        sc = self.scope
        name = dotted_name(cast(cst.Attribute, node.func).value)
        entry = self._futures.pop((sc.fid, name), None) if sc is not None and name else None
        if sc is None or entry is None or entry.seq != self._seq or entry.awaited is not None:
            return
        if node.args and entry.block < 0:
            return
        callee = dotted_name(entry.target) if entry.target is not None else None
        if callee is not None:
            entry.awaited = self._call_site(sc, callee)

    def _join(self, sc: Scope, name: str) -> None:
        """``t.join()`` (no timeout) of a thread this function built into the local ``t``
        and started with ``t.start()``, with nothing in between but calls of imported
        functions or builtins (``loginfo(msg)``), and under the same ``if``s and loops as the
        start: the function waits for the thread at once, so the target runs as if called
        here (pycram's ``ManualMarkerPublisher.publish``, thirty-ninth held-out corpus).
        Recorded as ``awaited``, like ``pool.submit(f).result()``; the Judge keeps the call.
        A write, another start, or a call of this module's code between the two runs beside
        the thread, and keeps it a start."""
        started = self._started.pop((sc.fid, name), None)
        m = self.m
        if started is None:
            return
        writes, entries, calls, around = started
        if len(m.writes) != writes or len(m.entries) != entries or _around(sc) != around:
            return
        for call in m.calls[calls:]:
            if call.scope is not sc or not self._foreign(call.callee, sc):
                return
        entry = next(
            (e for e in reversed(m.entries) if e.scope is sc and e.local == name and e.built),
            None,
        )
        if entry is None or entry.process or entry.awaited is not None or entry.target is None:
            return
        callee = dotted_name(entry.target)
        if callee is not None:
            entry.awaited = self._call_site(sc, callee)

    def _appended_future(self, sc: Scope, name: str, value: cst.BaseExpression) -> None:
        """``futures.append(pool.submit(f, x))`` or ``futures.append(future)`` after ``future
        = pool.submit(f, x)``, into a local list."""
        if not sc.is_local(name) or name in sc.params:
            return
        entries = self.m.entries
        entry: Entry | None = None
        if isinstance(value, cst.Call) and entries and entries[-1].node is value:
            entry = entries[-1] if entries[-1].kind == "submit" else None
        elif isinstance(value, cst.Name):
            entry = self._futures.get((sc.fid, value.value))
        if entry is not None:
            self._gather_future(sc, name, entry)

    def _gather_future(self, sc: Scope, name: str, entry: Entry) -> None:
        if entry.block >= 0 or entry.awaited is not None or entry.scope is not sc:
            return
        gathered = self._future_lists.get((sc.fid, name))
        if gathered is None:
            self._future_lists[(sc.fid, name)] = ([entry], frozenset(_around(sc)))
        elif entry not in gathered[0]:
            gathered[0].append(entry)

    def _wait_all(self, sc: Scope, node: cst.Call) -> None:
        """``concurrent.futures.wait(futures)`` with no timeout, returning when all are done,
        on a local list of futures this function submitted: the function waits for every
        task there, as at the end of a ``with`` pool block, and does nothing beside them
        in between (no write but to the list, no call of this module's code, no other
        start). Its tasks become a block with no body (mdssdk's fabric discovery submits a
        connection per switch, waits for them all, then walks the switches they found,
        fiftieth held-out corpus). A wait under an ``if`` or loop that the submits are not
        under may not run."""
        first, *rest = node.args
        if first.keyword is not None or not isinstance(first.value, cst.Name) or first.star:
            return
        for arg in rest:
            if arg.keyword is None or arg.keyword.value != "return_when":
                return  # a timeout, or a positional return_when
            when = dotted_name(arg.value)
            if when is None or when.rpartition(".")[2] != "ALL_COMPLETED":
                return
        name = first.value.value
        gathered = self._future_lists.pop((sc.fid, name), None)
        if gathered is None:
            return
        tasks, around = gathered
        if not set(_around(sc)) <= around:
            return
        start = tasks[0].seq
        m = self.m
        mine = {id(e) for e in tasks}
        if any(e.seq > start and id(e) not in mine for e in m.entries):
            return
        if any(w.seq > start and w.target.partition(".")[0] != name for w in m.writes):
            return
        if any(it.seq > start for it in m.iterations):
            return
        receivers = {f"{e.receiver}.submit" for e in tasks}
        for call in m.calls:
            if call.seq <= start or call.callee in receivers or call.callee == f"{name}.append":
                continue
            if call.scope is not sc or not self._foreign(call.callee, sc):
                return
        block = self._with_blocks
        self._with_blocks += 1
        for entry in tasks:
            entry.block = block
            entry.waited_all = True

    def _foreign(self, callee: str, sc: Scope) -> bool:
        """A call of an imported name or a builtin (``log.info(...)``, ``print(...)``), not
        of this module's code nor of a local."""
        head = callee.partition(".")[0]
        if head in self.m.functions or head in self.m.classes or _bound_locally(sc, head):
            return False
        return head in self.m.imports or (head in _BUILTIN_NAMES and "." not in callee)

    def _call_site(self, sc: Scope, callee: str) -> CallSite:
        """Record a call of ``callee`` made here, with the locks and tests around it."""
        site = CallSite(sc, callee, tuple(sc.locks), sc.in_while(), bool(sc.loops))
        site.ifs = tuple(sc.ifs)
        site.modes = tuple(sc.modes)
        site.seq = self._next_seq()
        self.m.calls.append(site)
        return site

    def _maybe_entry(self, node: cst.Call, func: str, recv: str, meth: str) -> None:
        qual = self.qualify(func)
        args = node.args
        target: cst.BaseExpression | None = None
        extra: list[cst.BaseExpression] = []
        keywords: tuple[str, ...] = ()
        executor_receiver = ""
        receiver = ""
        kind = ""
        if qual in known.THREAD_CLASSES or self._is_thread_subclass(qual):
            target_pos, args_pos = known.THREAD_CLASSES.get(qual, (1, 3))
            # ``multiprocessing.dummy.Process`` is a thread under the multiprocessing API
            kind = (
                "Thread" if qual.startswith("multiprocessing.dummy.") else qual.rpartition(".")[2]
            )
            if self._is_thread_subclass(qual, known.PROCESS_BASES):
                kind = "Process"  # barman's ``WalPrefetchWorker(target=..., args=...)``
            target = _argument(args, target_pos, ("target", known.TIMER_KEYWORD))
            arg_tuple = _argument(args, args_pos, ("args",))
            if isinstance(arg_tuple, cst.Tuple | cst.List):
                extra = [e.value for e in arg_tuple.elements]
            keywords = _keyword_names(_argument(args, args_pos + 1, ("kwargs",)))
        elif qual in known.SPAWN_FUNCTIONS or qual in self._entry_points:
            kind = qual.rpartition(".")[2]
            target = _argument(args, 0, ("target", "func", "function"))
            rest = [a.value for a in args[1:] if a.keyword is None]
            if qual.startswith("_thread.") and rest and isinstance(rest[0], cst.Tuple):
                extra = [e.value for e in rest[0].elements]
            else:
                extra = rest
        elif recv and meth == "submit":
            kind = "submit"
            receiver = recv
            target = _argument(args, 0, ("fn",))
            extra = [a.value for a in args[1:] if a.keyword is None]
            keywords = tuple(a.keyword.value for a in args if a.keyword is not None)
        elif recv and meth == "run_in_executor":
            kind = "run_in_executor"
            # ``loop.run_in_executor(self._pool, f)``: the pool, judged as ``submit``'s receiver
            # (a one-worker pool runs its tasks one at a time); ``None`` is the loop's default
            # pool, of many workers
            pool = _argument(args, 0, ("executor",))
            receiver = (dotted_name(pool) or "") if pool is not None else ""
            target = _argument(args, 1, ("func",))
            extra = [a.value for a in args[2:] if a.keyword is None]
        elif recv and meth in known.POOL_METHODS:
            # ``x.map(f, ...)`` is a thread entry only when x is an executor or pool; that is
            # decided once the whole module is known (Judge), by ``executor_receiver``.
            kind = meth
            executor_receiver = receiver = recv
            target = _argument(args, 0, ("func", "fn"))
        if target is None:
            return
        if isinstance(target, cst.Call):
            inner = dotted_name(target.func)
            if inner is not None and self.qualify(inner) in known.PARTIAL_FUNCTIONS and target.args:
                extra = [a.value for a in target.args[1:] if a.keyword is None] + extra
                target = target.args[0].value
        if isinstance(target, cst.Name) and target.value in self._loop_alternatives:
            targets = self._loop_alternatives[target.value]  # one entry per loop alternative
        else:
            targets = [target]
        built = qual in known.THREAD_CLASSES or self._is_thread_subclass(qual)
        awaited: CallSite | None = None
        if kind == "submit" and id(node) in self._awaited and self.scope is not None:
            # ``executor.submit(self.convert, track).result()``: the caller waits for the task
            # before it goes on (deemix's Spotify conversion loop). Recorded both as a call of
            # the target and as a start; the Judge keeps the start only for a one-worker pool,
            # whose tasks all run on its one thread (mycli's ``monitor``)
            callee = dotted_name(target)
            if callee is not None:
                awaited = self._call_site(self.scope, callee)
        sc = self.scope
        under: tuple[str, ...] = ()
        lent = kind in _AWAITED_KINDS and id(node) in self._awaits
        if lent and sc is not None:
            # ``async with self._lock: await asyncio.to_thread(self._load)``: the lock is
            # held until the task has finished (dhole-mcp's reranker load)
            under = (*sc.locks, *sc.async_items)
        for each in targets:
            self._add_entry(
                node, kind, each, extra, func, keywords, executor_receiver, receiver, built
            )
            self.m.entries[-1].awaited = awaited
            self.m.entries[-1].awaited_under = under
            self.m.entries[-1].lent = lent

    def _add_entry(
        self,
        node: cst.Call,
        kind: str,
        target: cst.BaseExpression,
        extra: list[cst.BaseExpression],
        func: str,
        keywords: tuple[str, ...] = (),
        executor_receiver: str = "",
        receiver: str = "",
        built: bool = False,
    ) -> None:
        target_scope = (
            self._lambda_scopes.get(id(target)) if isinstance(target, cst.Lambda) else None
        )
        block = self._with_block(receiver)
        fresh = [self._fresh_arg(arg) for arg in extra]
        guard, arg_guards = self._start_guards(node, extra)
        slot = _slot(self._stmt, node) if built else ""
        self.m.entries.append(
            Entry(
                node=node,
                scope=self.scope,
                kind=kind,
                target=target,
                target_scope=target_scope,
                args=extra,
                label=func,
                keywords=keywords,
                executor_receiver=executor_receiver,
                receiver=receiver,
                in_loop=bool(self._comp_fors)
                or (
                    bool(self.scope.loops) and not self._once_per_slot(slot)
                    if self.scope is not None
                    else self._module_loops > 0
                ),
                built=built,
                slot=slot,
                local=_slot(self._stmt, node, local=True) if built and self.scope else "",
                seq=self._next_seq(),
                block=block,
                fresh=tuple(
                    i
                    for i, arg in enumerate(extra)
                    if fresh[i] is not None or (block >= 0 and self._loop_element(arg))
                ),
                factories=tuple((i, callee) for i, callee in enumerate(fresh) if callee),
                modes=tuple(self.scope.modes) if self.scope is not None else (),
                loop_keys=tuple(i for i, arg in enumerate(extra) if self._loop_counter(arg)),
                stays=self._loops_after(),
                guard=guard,
                arg_guards=arg_guards,
            )
        )

    def _loops_after(self) -> bool:
        """Is the statement being walked one of the function's own top-level statements,
        with a ``while`` loop among those after it? The function's thread then stays in
        that loop after what the statement starts (telnetlib's ``mt_interact`` reads
        ``stdin`` until it ends while its listener thread prints what the socket says)."""
        sc = self.scope
        where = self._top_statement(sc) if sc is not None else None
        if sc is None or where is None or not where[1] or not isinstance(sc.node, cst.FunctionDef):
            return False
        return any(isinstance(later, cst.While) for later in sc.node.body.body[where[0] + 1 :])

    def _loop_counter(self, arg: cst.BaseExpression) -> bool:
        """Is ``arg`` the counter of a ``for`` loop around the start (``for i in range(n)``,
        ``for i, client in enumerate(clients)``), not rebound in the function? Each start the
        loop makes then passes another value."""
        sc = self.scope
        if not isinstance(arg, cst.Name) or sc is None:
            return False
        for loop in [*sc.loops, *self._comp_fors]:
            if not isinstance(loop, cst.For | cst.CompFor) or not isinstance(loop.iter, cst.Call):
                continue
            func = dotted_name(loop.iter.func)
            target: cst.BaseExpression = loop.target
            if func == "enumerate" and isinstance(target, cst.Tuple | cst.List):
                target = target.elements[0].value if target.elements else target
            elif func != "range":
                continue
            if isinstance(target, cst.Name) and target.value == arg.value:
                return True
        return False

    def _loop_element(self, arg: cst.BaseExpression) -> bool:
        """Is ``arg`` the element the function's outermost loop binds (``for meeting in
        meetings: pool.submit(run_meeting, meeting)``, or a comprehension's), not rebound in
        it? Each start of the loop then gets another element of the collection. Not when the
        loop repeats one object (``range``, ``[x] * n``, ``itertools.repeat(x)``). The caller
        asks it only of starts on a ``with`` pool, whose tasks end with the block: a function
        that submits its collection's elements again on a later call cannot overlap two
        tasks of one element."""
        sc = self.scope
        if not isinstance(arg, cst.Name) or sc is None:
            return False
        loops = [*sc.loops, *self._comp_fors]
        outer = loops[0] if loops else None
        if not isinstance(outer, cst.For | cst.CompFor):
            return False
        name = arg.value
        if name not in _target_names(outer.target) or _repeats(outer.iter):
            return False
        inner = [loop for loop in loops[1:] if isinstance(loop, cst.For | cst.CompFor)]
        if any(name in _target_names(loop.target) for loop in inner):
            return False
        return not _rebinds(outer.body if isinstance(outer, cst.For) else outer, name)

    def _fresh_arg(self, arg: cst.BaseExpression) -> str | None:
        """``Acc()``, or ``acc`` bound to new objects (``acc = Acc()``, ``{}``) in the loop
        iteration that starts the thread: the start gets an object no other start gets ("").
        The value is the one the binding last walked gives when that binding sits in the
        start's block or a block around it (``file = cache.get(p)``, then ``if not file:
        file = File(p)`` and the start); otherwise every value the function binds. A value
        that is a call of a function or method (``file = self._path_to_file(p)``) is its
        name: the start's object is its own if that function builds a new object for each
        call, which the pipeline checks. None: no object of its own."""
        if isinstance(arg, cst.Call):
            return "" if all(new_object(v) for v in self.value_summary(arg)) else None
        sc = self.scope
        if not isinstance(arg, cst.Name) or sc is None or self._comp_fors:
            return None
        name = arg.value
        if name in sc.params or not sc.is_local(name) or sc.bound_in.get(name) != sc.loop_ids():
            return None
        values = sc.local_values.get(name) or []
        last = sc.last_bound.get(name)
        if last is not None and tuple(self._suites[: len(last[1])]) == last[1]:
            value = last[0]
            if value is None:
                return None
            values = self.value_summary(value)
            if isinstance(value, cst.Call) and not all(new_object(v) for v in values):
                return dotted_name(value.func)
        return "" if values and all(new_object(v) for v in values) else None

    def _once_per_slot(self, slot: str) -> bool:
        """A thread built into an attribute (``slot``) inside a loop, under an ``if`` in that
        loop that asks whether the attribute holds one (``for chunk in chunks: ... if
        self._thread is None: self._thread = Thread(...)``, bdownload's ``add_urls``): the loop
        starts one thread, not one per turn."""
        sc = self.scope
        if sc is None or not sc.loops or "." not in slot:
            return False
        loop = sc.loops[-1]
        return any(
            _mentions_slot(branch.test, slot) and _contains(loop, branch) for branch in sc.ifs
        )

    def _with_block(self, receiver: str) -> int:
        """The ``with`` block (its number) whose ``as`` name is ``receiver``, in this function:
        the pool is shut down, and its tasks waited for, when the block ends; -1 otherwise."""
        fid = self.scope.fid if self.scope is not None else -1
        for owner, name, block in reversed(self._with_names):
            if owner == fid and name == receiver:
                return block
        return -1

    def _is_thread_subclass(self, qual: str, bases: frozenset[str] = known.THREAD_BASES) -> bool:
        """Is ``qual`` a class of this module with one of ``bases`` among its ancestors (by
        default a ``Thread`` or ``Process`` subclass)?"""
        prefix = self.m.module + "."
        if not qual.startswith(prefix):
            return False
        seen: set[str] = set()
        todo = [qual[len(prefix) :]]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            info = self.m.classes.get(name)
            if info is None:
                continue
            for base in info.bases:
                if base in bases:
                    return True
                if base.startswith(prefix):
                    todo.append(base[len(prefix) :])
        return False


# -- helpers ---------------------------------------------------------------------------------


def _is_own_class(value: cst.BaseExpression | None, self_name: str) -> bool:
    """``type(self)`` or ``self.__class__``."""
    if isinstance(value, cst.Call) and dotted_name(value.func) == "type" and len(value.args) == 1:
        return dotted_name(value.args[0].value) == self_name
    return dotted_name(value) == f"{self_name}.__class__" if value is not None else False


def _remove_last(items: list[str], value: str) -> None:
    for i in range(len(items) - 1, -1, -1):
        if items[i] == value:
            del items[i]
            return


def _attr_text(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_attr_text(node.value)}.{node.attr.value}"
    return ""


def _locks_the_call(deco: cst.CSTNode | None) -> bool:
    """Does decorator ``deco`` call the function it wraps inside ``with self.<lock>:``,
    whatever the decorator is called?"""
    return isinstance(deco, cst.FunctionDef) and any(wrapper_locks(deco).values())


def _wrapper_withs(deco: cst.FunctionDef) -> Iterator[tuple[str, cst.With, bool]]:
    """The ``with`` statements of a decorator's wrappers: (the wrapper's first parameter, its
    ``self``; the ``with``; whether the wrapped function is called inside it)."""
    params = _param_names(deco.params)
    wrapped = params[0] if len(params) == 1 else None
    for wrapper in walk_nodes(deco.body):
        if not isinstance(wrapper, cst.FunctionDef) or not wrapper.params.params:
            continue
        first = wrapper.params.params[0].name.value
        for node in walk_nodes(wrapper.body):
            if isinstance(node, cst.With):
                calls = wrapped is not None and any(
                    isinstance(n, cst.Call) and dotted_name(n.func) == wrapped
                    for n in walk_nodes(node.body)
                )
                yield first, node, calls


def wrapper_locks(deco: cst.FunctionDef) -> dict[str, bool]:
    """The instance locks a decorator's wrappers hold: ``def locked(fn): def inner(self, ...):
    with self._pool_lock: return fn(self, ...)`` -> ``{"_pool_lock": True}``, each with
    whether the wrapped function is called inside that ``with`` (peewee's ``PooledDatabase``,
    eliot's ``@exclusively``)."""
    found: dict[str, bool] = {}
    for first, node, calls in _wrapper_withs(deco):
        for item in node.items:
            head, _, attr = (dotted_name(item.item) or "").partition(".")
            if head == first and attr and "." not in attr:
                found[attr] = found.get(attr, False) or calls
    return found


def wrapper_enters_self(deco: cst.FunctionDef) -> bool:
    """Does a decorator's wrapper call the wrapped function inside ``with self:``, entering
    the instance whole (pythreader's ``@synchronized``)? What the class's ``__enter__`` holds
    is then held for the whole method."""
    return any(
        calls and any(dotted_name(item.item) == first for item in node.items)
        for first, node, calls in _wrapper_withs(deco)
    )


def walk_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and everything under it (order unspecified)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _param_names(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    names.extend(p.name.value for p in params.kwonly_params)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


def _argument(
    args: Sequence[cst.Arg], position: int, keywords: tuple[str, ...]
) -> cst.BaseExpression | None:
    for arg in args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    positional = [a for a in args if a.keyword is None and not a.star]
    if position < len(positional):
        return positional[position].value
    return None


def _keyword_names(node: cst.BaseExpression | None) -> tuple[str, ...]:
    """The keys of ``kwargs={"a": x}`` / ``kwargs=dict(a=x)``."""
    if isinstance(node, cst.Dict):
        return tuple(
            e.key.raw_value
            for e in node.elements
            if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
        )
    if isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
        return tuple(a.keyword.value for a in node.args if a.keyword is not None)
    return ()


def _mode_test(test: cst.BaseExpression, self_name: str | None) -> tuple[str, bool] | None:
    """``if self.flag:`` -> ``("flag", True)``; ``if not self.flag:`` -> ``("flag", False)``;
    None for any other test, or outside a method (no ``self_name``)."""
    positive = True
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, positive = test.expression, False
    if not self_name or not isinstance(test, cst.Attribute):
        return None
    head, _, attr = (dotted_name(test) or "").partition(".")
    return (attr, positive) if head == self_name and attr and "." not in attr else None


def _optional_lock(node: cst.If) -> str | None:
    """``if L:`` (or ``if L is not None:``) whose body takes ``with L:``: the lock ``L``."""
    test = node.test
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        op = test.comparisons[0]
        if not isinstance(op.operator, cst.IsNot) or not _is_none(op.comparator):
            return None
        test = test.left
    lock = dotted_name(test)
    if lock is None:
        return None
    for stmt in node.body.body:
        if isinstance(stmt, cst.With) and any(dotted_name(i.item) == lock for i in stmt.items):
            return lock
    return None


def _acquire_outcome(stmt: cst.CSTNode) -> tuple[str, tuple[str, str]] | None:
    """``ok = lock.acquire(blocking=False)``: (``ok``, (``lock``, ``acquire``))."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    target = small.targets[0].target
    mc = _method_call(cst.Expr(small.value))
    if isinstance(target, cst.Name) and mc is not None and mc[0] and mc[1] in ACQUIRE_RELEASE:
        return target.value, mc
    return None


def _negated_name(test: cst.BaseExpression) -> str:
    """``not ok`` -> ``ok``; "" for anything else."""
    if (
        isinstance(test, cst.UnaryOperation)
        and isinstance(test.operator, cst.Not)
        and isinstance(test.expression, cst.Name)
    ):
        return test.expression.value
    return ""


def _negated_call(test: cst.BaseExpression) -> tuple[str, str] | None:
    """``not lock.acquire(...)``: the receiver and method of the negated call."""
    if (
        isinstance(test, cst.UnaryOperation)
        and isinstance(test.operator, cst.Not)
        and isinstance(test.expression, cst.Call)
    ):
        return _method_call(cst.Expr(test.expression))
    return None


def _breaks(body: cst.BaseSuite) -> bool:
    """Can the loop body leave the loop other than through its test (``break``, ``return``,
    ``raise``)? Nested functions and loops aside."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Break | cst.Return | cst.Raise):
            return True
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda | cst.For | cst.While):
            continue
        stack.extend(node.children)
    return False


def _acquire_in_test(test: cst.BaseExpression) -> str | None:
    if (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Attribute)
        and test.func.attr.value == "acquire"
    ):
        return dotted_name(test.func.value)
    return None


def _target_names(target: cst.BaseExpression) -> set[str]:
    """The names a ``for`` target binds (``k, (a, b)`` -> k, a, b)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, cst.Tuple | cst.List):
        return {name for e in target.elements for name in _target_names(e.value)}
    return set()


def _repeats(iterable: cst.BaseExpression) -> bool:
    """Does iterating ``iterable`` give one object again and again, or numbers: ``[x] * n``,
    ``itertools.repeat(x)``, ``cycle(xs)``, ``range(n)``?"""
    if isinstance(iterable, cst.BinaryOperation):
        return True
    if isinstance(iterable, cst.Call):
        func = (dotted_name(iterable.func) or "").rpartition(".")[2]
        return func in ("range", "repeat", "cycle")
    return False


_TARGETED = (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.For, cst.CompFor)


def _rebinds(node: cst.CSTNode, name: str) -> bool:
    """Does ``node`` bind ``name`` anywhere (an assignment, a walrus, a ``for``/``with``
    target, ``del``), outside nested functions and classes?"""
    for each in _own_nodes(node.children):
        bound: cst.BaseExpression | None = None
        if isinstance(each, _TARGETED):
            bound = each.target
        elif isinstance(each, cst.AsName):
            bound = each.name
        elif isinstance(each, cst.Del):
            bound = each.target
        if bound is not None and name in _target_names(bound):
            return True
    return False


def _own_nodes(nodes: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """``nodes`` and everything under them, except what nested functions, lambdas and
    classes hold (order unspecified)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        yield node
        stack.extend(node.children)


def _loop_key(loops: list[cst.For | cst.While], base: str, key: cst.BaseExpression | None) -> bool:
    """Is ``key`` the key variable of an enclosing loop over ``base`` itself (``for k in d``,
    ``for k in d.keys()``, ``for k, v in d.items()``)?"""
    if not isinstance(key, cst.Name):
        return False
    for loop in loops:
        if not isinstance(loop, cst.For):
            continue
        over = loop.iter
        while (  # ``for k in list(d)``: a snapshot of the keys there were
            isinstance(over, cst.Call)
            and isinstance(over.func, cst.Name)
            and over.func.value in ("list", "tuple", "sorted")
            and len(over.args) == 1
        ):
            over = over.args[0].value
        if _iterated_container(over) != base:
            continue
        method = (
            over.func.attr.value
            if isinstance(over, cst.Call) and isinstance(over.func, cst.Attribute)
            else ""
        )
        target: cst.BaseExpression = loop.target
        if method == "items" and isinstance(target, cst.Tuple | cst.List) and target.elements:
            target = target.elements[0].value
        elif method == "values":
            continue
        if isinstance(target, cst.Name) and target.value == key.value:
            return True
    return False


def _iterated_container(expr: cst.BaseExpression) -> str | None:
    dotted = dotted_name(expr)
    if dotted is not None:
        return dotted
    if (
        isinstance(expr, cst.Call)
        and not expr.args
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value in ("items", "keys", "values")
    ):
        return dotted_name(expr.func.value)
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _returned(stmt: cst.CSTNode | None, call: cst.Call) -> bool:
    """Is ``call`` the value of a ``return`` statement (``return cv.wait(timeout)``)?"""
    return isinstance(stmt, cst.Return) and stmt.value is call


def _returns_tested(stmt: cst.CSTNode, test: cst.BaseExpression) -> bool:
    """``return x`` (or ``return not x``) where ``x`` is a name the ``if`` test before it
    tested: the predicate is re-read and handed to the caller (``threading.Event.wait``)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    ret = stmt.body[0]
    if not isinstance(ret, cst.Return) or ret.value is None:
        return False
    value = ret.value
    while isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not):
        value = value.expression
    name = dotted_name(value)
    return name is not None and mentions(test, name)


def _branch_facts(
    test: cst.BaseExpression, truth: bool, atom: Callable[[cst.BaseExpression, bool], set[str]]
) -> set[str]:
    """What is known about refs when ``test`` evaluates to ``truth``, from what ``atom``
    knows about each operand: ``a and b`` true knows what either knows; false knows only
    what both know (``a or b`` the other way round); ``not`` flips."""
    if isinstance(test, cst.BooleanOperation):
        conjunction = isinstance(test.operator, cst.And)
        left = _branch_facts(test.left, truth, atom)
        right = _branch_facts(test.right, truth, atom)
        return left | right if conjunction == truth else left & right
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _branch_facts(test.expression, not truth, atom)
    return atom(test, truth)


def _unset_atom(test: cst.BaseExpression, truth: bool) -> set[str]:
    """Refs an operand shows to be unset, or not yet of the type the code wants: falsy, None,
    ``type(x) is not T``, ``not isinstance(x, T)``, ``not hasattr(o, "a")``."""
    name = dotted_name(test)
    if name is not None:
        return set() if truth or name in _NONE_NAMES else {name}
    if isinstance(test, cst.Call):
        func = dotted_name(test.func)
        if func in ("isinstance", "hasattr") and len(test.args) >= 2 and not truth:
            obj = dotted_name(test.args[0].value)
            if obj is None:
                return set()
            if func == "isinstance":
                return {obj}
            attr = test.args[1].value
            return {f"{obj}.{attr.raw_value}"} if isinstance(attr, cst.SimpleString) else set()
        return set()
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        op = test.comparisons[0].operator
        other = test.comparisons[0].comparator
        left = test.left
        if not isinstance(op, cst.Is | cst.IsNot | cst.Equal | cst.NotEqual):
            return set()
        # ``x is None`` true or ``x is not None`` false; ``type(x) != T`` true or ``== T`` false
        positive = isinstance(op, cst.Is | cst.Equal) == truth
        name = dotted_name(left)
        if name is not None and _is_none(other):
            return {name} if positive else set()
        if isinstance(left, cst.Call) and dotted_name(left.func) == "type" and left.args:
            obj = dotted_name(left.args[0].value)
            return {obj} if obj is not None and not positive else set()
    return set()


def _set_atom(test: cst.BaseExpression, truth: bool) -> set[str]:
    """Refs an operand shows to be set (truthy, or not None)."""
    name = dotted_name(test)
    if name is not None:
        return {name} if truth and name not in _NONE_NAMES else set()
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        op = test.comparisons[0].operator
        other = test.comparisons[0].comparator
        name = dotted_name(test.left)
        negated = isinstance(op, cst.IsNot) == truth  # ``x is not None`` true: set
        if name is not None and _is_none(other) and isinstance(op, cst.Is | cst.IsNot) and negated:
            return {name}
    return set()


def _initial_value(call: cst.Call) -> str | None:
    """The source of a factory call's first positional or ``value=`` argument, ``None`` when
    there is none: ``Semaphore(5)`` -> ``"5"``."""
    for arg in call.args:
        if (arg.keyword is None and arg.star == "") or (
            arg.keyword is not None and arg.keyword.value == "value"
        ):
            return _item_text(arg.value)
    return None


def _workers(call: cst.Call) -> str | None:
    """The source of a pool factory's worker count (first positional, ``max_workers=`` or
    ``processes=``), ``None`` when not given: ``ThreadPoolExecutor(max_workers=1)`` -> ``"1"``."""
    for arg in call.args:
        if (arg.keyword is None and arg.star == "") or (
            arg.keyword is not None and arg.keyword.value in ("max_workers", "processes")
        ):
            return _item_text(arg.value)
    return None


def _record(table: dict[str, list[str]], name: str, values: Iterable[str]) -> None:
    """Add value summaries bound to ``name``, each once: generated code that rebinds one name
    thousands of times (``node = ua.AddNodesItem()``) keeps a short list, so lookups stay
    cheap."""
    known_values = table.setdefault(name, [])
    for value in values:
        if value not in known_values:
            known_values.append(value)


def _collect_checks(test: cst.BaseExpression, out: list[Check]) -> None:
    """Which shared expressions an ``if`` test looks at, and how."""
    if isinstance(test, cst.BooleanOperation):
        _collect_checks(test.left, out)
        _collect_checks(test.right, out)
        return
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        _collect_checks(test.expression, out)
        return
    dotted = dotted_name(test)
    if dotted is not None:  # truthiness: ``if not _instance`` / ``if queue``
        out.append(Check("none", dotted))
        out.append(Check("len", dotted))
        return
    if isinstance(test, cst.Call):
        func = dotted_name(test.func)
        if func == "hasattr" and len(test.args) >= 2:
            obj = dotted_name(test.args[0].value)
            attr = test.args[1].value
            if obj is not None and isinstance(attr, cst.SimpleString):
                out.append(Check("hasattr", f"{obj}.{attr.raw_value}"))
        elif func == "len" and test.args:
            container = dotted_name(test.args[0].value)
            if container is not None:
                out.append(Check("len", container))
        elif func is not None and func.endswith(".get"):
            key = literal_key(test.args[0].value) if test.args else None
            name = dotted_name(test.args[0].value) if test.args else None
            out.append(Check("member", func[: -len(".get")], key, name))
        return
    if isinstance(test, cst.Comparison):
        left = test.left
        for comparison in test.comparisons:
            op = comparison.operator
            right = comparison.comparator
            if isinstance(op, cst.In | cst.NotIn):
                container = dotted_name(right)
                if container is None and isinstance(right, cst.Call):
                    # ``k in d.keys()``
                    keys = right.func
                    if isinstance(keys, cst.Attribute) and keys.attr.value == "keys":
                        container = dotted_name(keys.value)
                if container is not None:
                    out.append(Check("member", container, literal_key(left), dotted_name(left)))
            elif isinstance(op, cst.Is | cst.IsNot | cst.Equal | cst.NotEqual):
                for side, other in ((left, right), (right, left)):
                    name = dotted_name(side)
                    if name is not None and name not in _NONE_NAMES:
                        if _is_none(other) or isinstance(op, cst.Equal | cst.NotEqual | cst.Is):
                            out.append(Check("none", name))
                    elif isinstance(side, cst.Call):
                        _collect_checks(side, out)
            elif isinstance(op, cst.GreaterThan | cst.LessThan | cst.GreaterThanEqual):
                for side in (left, right):
                    if isinstance(side, cst.Call):
                        _collect_checks(side, out)
            left = right
