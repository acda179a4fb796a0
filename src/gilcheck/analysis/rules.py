"""The rules: judge a collected ModuleModel and produce candidate findings.

Every rule is a method of ``Judge`` that reads the model; the shared semantic facts (what a dotted
name refers to, whether a ``with`` item is a lock, which locks a private helper inherits from
its callers) live on the Judge so that every rule answers those questions the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from gilcheck.analysis import known
from gilcheck.analysis.collector import dotted_name
from gilcheck.analysis.model import (
    CONST,
    CONTAINER,
    PARAM,
    CheckFrame,
    ClassInfo,
    CondCall,
    ModuleModel,
    Scope,
    Write,
)
from gilcheck.findings import Confidence

DEFINITE = 2
POSSIBLE = 1
NOT_A_LOCK = 0

#: Call results that are never thread locks (``with open(...)`` and friends).
_NON_LOCK_PREFIXES = (
    "open",
    "io.",
    "os.",
    "contextlib.",
    "tempfile.",
    "pathlib.",
    "unittest.",
    "warnings.",
    "socket.",
    "sqlite3.",
    "zipfile.",
    "tarfile.",
    "subprocess.",
    "decimal.",
)


@dataclass
class Ref:
    """What a dotted expression in a function refers to, as far as sharing goes."""

    kind: str  # global, class, instance, closure, param, value, threadlocal, local, unknown
    key: str  # the state's identity ("mod.counter", "mod.Class.attr", "mod.f:param")
    cls: str = ""  # module-qualified class for instance/class kinds
    param: int = -1

    @property
    def shared(self) -> bool:
        return self.kind not in ("local", "unknown", "threadlocal")


@dataclass
class Raw:
    """A candidate before positions are known."""

    code: str
    node: cst.CSTNode
    message: str
    suggestion: str
    replacement: str | None
    symbol: str
    scope: Scope | None
    kind: str
    confidence: Confidence
    cls: str = ""
    param: int = -1
    #: the node whose end closes the reported range when it differs from ``node``
    end_node: cst.CSTNode | None = None
    #: another node whose line the message names ("{other}" placeholder)
    other: cst.CSTNode | None = None


_INDENT = "    "


def _indent(code: str) -> str:
    return "\n".join(_INDENT + line if line.strip() else line for line in code.splitlines())


_EMPTY = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node).strip()


class Judge:
    def __init__(self, model: ModuleModel, *, lock_types: frozenset[str] = frozenset()) -> None:
        self.m = model
        self.mod_prefix = model.module + "." if model.module else ""
        self.lock_types = lock_types
        self._scope_by_fid = {s.fid: s for s in model.scopes}
        self.inherited = self._inherited_locks()

    # -- names -------------------------------------------------------------------------------
    def qualname(self, scope: Scope | None) -> str:
        if scope is None:
            return ""
        return self.mod_prefix + scope.qualname

    def class_qualname(self, info: ClassInfo) -> str:
        return self.mod_prefix + info.qualname

    def qualify(self, dotted: str, scope: Scope | None) -> str:
        head, dot, rest = dotted.partition(".")
        sc = scope
        while sc is not None:
            if sc.is_local(head):
                return dotted
            sc = sc.parent
        target = self.m.imports.get(head)
        if target is not None:
            return target + dot + rest
        if head in self.m.module_values:
            return self.mod_prefix + dotted
        return dotted

    def class_named(self, qual: str) -> ClassInfo | None:
        if self.mod_prefix and qual.startswith(self.mod_prefix):
            return self.m.classes.get(qual[len(self.mod_prefix) :])
        return self.m.classes.get(qual)

    def mro(self, info: ClassInfo) -> Iterator[ClassInfo]:
        seen: set[str] = set()
        todo = [info]
        while todo:
            current = todo.pop(0)
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            yield current
            for base in current.bases:
                found = self.class_named(base)
                if found is not None:
                    todo.append(found)

    def values_of(self, dotted: str, scope: Scope | None) -> list[str]:
        """Value summaries bound to ``dotted`` (``x``, ``self.x``, ``cls.x``, ``Class.x``)."""
        head, _, rest = dotted.partition(".")
        if "." in rest:
            return []
        if scope is not None and scope.cls is not None and rest:
            if head == scope.self_name:
                values: list[str] = []
                for info in self.mro(scope.cls):
                    values += info.inst_attrs.get(rest, []) + info.attrs.get(rest, [])
                return values
            if head == scope.cls_name:
                values = []
                for info in self.mro(scope.cls):
                    values += info.attrs.get(rest, []) + info.inst_attrs.get(rest, [])
                return values
        sc = scope
        while sc is not None:
            if sc.is_local(head):
                if rest:
                    return []
                return sc.local_values.get(head, [PARAM] if head in sc.params else [])
            sc = sc.parent
        if rest:
            for value in self.m.module_values.get(head, []):
                if value.startswith("<class:"):
                    info = self.m.classes.get(value[7:-1])
                    if info is not None:
                        out: list[str] = []
                        for c in self.mro(info):
                            out += c.attrs.get(rest, [])
                        return out
            return []
        return self.m.module_values.get(head, [])

    def resolve_ref(self, dotted: str, scope: Scope) -> Ref:
        """Classify the state a dotted expression in ``scope`` refers to."""
        parts = dotted.split(".")
        head = parts[0]
        # Thread-local anywhere along the chain: not shared.
        for i in range(1, len(parts)):
            prefix = ".".join(parts[:i])
            if self._is_thread_local(prefix, scope):
                return Ref("threadlocal", prefix)
        cls = scope.cls
        if cls is not None and len(parts) > 1:
            cq = self.class_qualname(cls)
            if head == scope.self_name:
                if any(known.THREAD_LOCAL_FACTORIES & set(c.bases) for c in self.mro(cls)):
                    return Ref("threadlocal", cq)
                return Ref("instance", f"{cq}.{parts[1]}", cls=cq)
            if head == scope.cls_name:
                return Ref("class", f"{cq}.{parts[1]}", cls=cq)
        # Local, parameter or closure variable?
        sc: Scope | None = scope
        depth = 0
        while sc is not None:
            if head in sc.global_names:
                break
            if sc.is_local(head) or head in sc.nonlocal_names:
                if depth == 0:
                    if head in sc.params and len(parts) >= 1:
                        idx = sc.params.index(head)
                        return Ref("param", f"{self.qualname(sc)}:{head}", param=idx)
                    return Ref("local", head)
                if head in sc.nonlocal_names:
                    depth += 1
                    sc = sc.parent
                    continue
                return Ref("closure", f"{self.qualname(sc)}:{head}")
            depth += 1
            sc = sc.parent
        values = self.m.module_values.get(head)
        if head in self.m.imports:
            if len(parts) > 1:
                return Ref("global", self.m.imports[head] + "." + parts[1])
            return Ref("unknown", head)
        if values is None:
            return Ref("unknown", head)
        for value in values:
            if value.startswith("<class:") and len(parts) > 1:
                cq = self.mod_prefix + value[7:-1]
                return Ref("class", f"{cq}.{parts[1]}", cls=cq)
            if value.startswith("<def:"):
                return Ref("unknown", head)
        if len(parts) > 1 and any(self._strip(v) in known.VALUE_FACTORIES for v in values):
            return Ref("value", self.mod_prefix + head)
        return Ref("global", self.mod_prefix + head)

    @staticmethod
    def _strip(value: str) -> str:
        return value.partition("|")[0]

    def _is_thread_local(self, dotted: str, scope: Scope) -> bool:
        for value in self.values_of(dotted, scope):
            value = self._strip(value)
            if value in known.THREAD_LOCAL_FACTORIES:
                return True
            if value.startswith(self.mod_prefix) and self.mod_prefix:
                info = self.class_named(value)
                if info is not None and any(
                    known.THREAD_LOCAL_FACTORIES & set(c.bases) for c in self.mro(info)
                ):
                    return True
        return False

    # -- locks -------------------------------------------------------------------------------
    def lock_strength(self, expr: str, scope: Scope | None) -> int:
        if expr.endswith(".get_lock()"):
            return DEFINITE
        if expr.startswith("call:"):
            qual = self.qualify(expr[5:], scope)
            return DEFINITE if qual in self.lock_types else NOT_A_LOCK
        if expr in self.m.acquired:
            return DEFINITE
        values = self.values_of(expr, scope)
        if not values:
            return POSSIBLE
        strength = NOT_A_LOCK
        for value in values:
            value = self._strip(value)
            if self._is_lock_value(value):
                return DEFINITE
            if value in (CONST, CONTAINER) or value.startswith(_NON_LOCK_PREFIXES):
                continue
            if value.startswith("<class:") or value.startswith("<def:"):
                continue
            strength = POSSIBLE
        return strength

    def _is_lock_value(self, value: str) -> bool:
        if value in self.lock_types:
            return True
        if self.mod_prefix and value.startswith(self.mod_prefix):
            return False  # a class or function of this module named "Lock" is not threading's
        return known.is_lock_factory(value, self.lock_types)

    def is_condition(self, expr: str, scope: Scope) -> tuple[bool, str | None]:
        """Is ``expr`` a threading Condition? Also returns the lock it was built on, if named."""
        for value in self.values_of(expr, scope):
            factory, _, lock = value.partition("|")
            if self.mod_prefix and factory.startswith(self.mod_prefix):
                continue
            if known.is_condition_factory(factory):
                return True, lock or None
        return False, None

    def held(self, locks: tuple[str, ...], scope: Scope, minimum: int = POSSIBLE) -> list[str]:
        """The held locks (including those inherited from callers) of at least ``minimum``."""
        all_locks = list(locks) + sorted(self.inherited.get(scope.fid, ()))
        return [lk for lk in all_locks if self.lock_strength(lk, scope) >= minimum]

    def _inherited_locks(self) -> dict[int, frozenset[str]]:
        """Locks a private helper holds because every caller in this module holds them."""
        sites: dict[int, list[tuple[Scope, tuple[str, ...]]]] = {}
        for call in self.m.calls:
            if call.scope is None:
                continue
            callee = self._callee_scope(call.callee, call.scope)
            if callee is not None and callee is not call.scope:
                sites.setdefault(callee.fid, []).append((call.scope, call.locks))
        result: dict[int, frozenset[str]] = {}
        for _ in range(4):
            changed = False
            for fid, callers in sites.items():
                scope = self._scope_by_fid[fid]
                if not scope.name.startswith("_") or scope.name.startswith("__"):
                    continue
                common: set[str] | None = None
                for caller, locks in callers:
                    have = {lk for lk in locks if self.lock_strength(lk, caller) > NOT_A_LOCK}
                    have |= result.get(caller.fid, frozenset())
                    common = have if common is None else common & have
                new = frozenset(common or ())
                if new != result.get(fid, frozenset()):
                    result[fid] = new
                    changed = True
            if not changed:
                break
        return result

    def _callee_scope(self, callee: str, scope: Scope) -> Scope | None:
        head, _, rest = callee.partition(".")
        if "." in rest:
            return None
        if rest and scope.cls is not None and head in (scope.self_name, scope.cls_name):
            for info in self.mro(scope.cls):
                if rest in info.methods:
                    return info.methods[rest]
            return None
        if rest:
            return None
        sc: Scope | None = scope
        while sc is not None:
            for value in sc.local_values.get(head, []):
                if value.startswith("<scope:"):
                    return self._scope_by_fid.get(int(value[7:-1]))
            if sc.is_local(head):
                return None
            sc = sc.parent
        return self.m.functions.get(head)

    # -- lock suggestion ------------------------------------------------------------------------
    def suggest_lock(self, scope: Scope, ref: Ref, symbol: str) -> tuple[str, str]:
        """A lock expression to suggest, and a sentence saying where it comes from."""
        if ref.kind == "value":
            base = symbol.rpartition(".")[0] or symbol
            return f"{base}.get_lock()", ""
        if ref.kind == "instance" and scope.cls is not None and scope.self_name:
            for info in self.mro(scope.cls):
                for attr, values in {**info.attrs, **info.inst_attrs}.items():
                    if any(self._is_lock_value(self._strip(v)) for v in values):
                        return f"{scope.self_name}.{attr}", ""
            lock = f"{scope.self_name}._lock"
            return lock, f" (create `{lock} = threading.Lock()` in `__init__`)"
        for name, values in self.m.module_values.items():
            if any(self._is_lock_value(self._strip(v)) for v in values):
                return name, ""
        stem = re.sub(r"\W+", "_", symbol.split(".")[-1]).strip("_") or "state"
        lock = f"_{stem}_lock"
        return lock, f" (define `{lock} = threading.Lock()` at module level)"

    # -- the rules ------------------------------------------------------------------------------
    def run(self) -> list[Raw]:
        out: list[Raw] = []
        self.gil001_gil004(out)
        self.gil002(out)
        self.gil003_gil005(out)
        self.gil006(out)
        self.gil004_iteration(out)
        return out

    def _confidence(self, ref: Ref) -> Confidence:
        if ref.kind in ("global", "class"):
            return Confidence.MEDIUM
        if ref.kind == "value":
            return Confidence.HIGH
        return Confidence.LOW

    def _raw(
        self,
        code: str,
        node: cst.CSTNode,
        message: str,
        suggestion: str,
        replacement: str | None,
        symbol: str,
        scope: Scope,
        ref: Ref | None,
        **extra: object,
    ) -> Raw:
        kind = "fixed" if ref is None else ref.kind
        confidence = Confidence.HIGH if ref is None else self._confidence(ref)
        return Raw(
            code=code,
            node=node,
            message=message,
            suggestion=suggestion,
            replacement=replacement,
            symbol=symbol,
            scope=scope,
            kind=kind,
            confidence=confidence,
            cls=ref.cls if ref else "",
            param=ref.param if ref else -1,
            **extra,  # type: ignore[arg-type]
        )

    @staticmethod
    def _in_construction(scope: Scope, ref: Ref) -> bool:
        if ref.kind != "instance":
            return False
        sc: Scope | None = scope
        while sc is not None and sc.kind == "lambda":
            sc = sc.parent
        return sc is not None and sc.name in known.CONSTRUCTION_METHODS

    def gil001_gil004(self, out: list[Raw]) -> None:
        for w in self.m.writes:
            if w.op != "rmw" or w.method:
                continue
            scope = w.scope
            if "." not in w.target and not w.subscript:
                if w.target not in scope.global_names:
                    continue
                if self.held(w.locks, scope):
                    continue
                ref = Ref("global", self.mod_prefix + w.target)
                stmt = code_of(w.node)
                lock, where = self.suggest_lock(scope, ref, w.target)
                out.append(
                    self._raw(
                        "GIL001",
                        w.node,
                        f"read-modify-write of global `{w.target}` without a lock: two threads "
                        "can read the same value and one update is lost",
                        f"Hold a lock around the update{where}; for a counter, "
                        "`next(itertools.count())` is atomic.",
                        f"with {lock}:\n{_indent(stmt)}",
                        w.target,
                        scope,
                        ref,
                    )
                )
                continue
            ref = self.resolve_ref(w.target, scope)
            if not ref.shared or self._in_construction(scope, ref):
                continue
            if self.held(w.locks, scope):
                continue
            if ref.kind == "param" and not w.subscript and "." not in w.target:
                continue
            stmt = code_of(w.node)
            lock, where = self.suggest_lock(scope, ref, w.target)
            if ref.kind == "value":
                what = f"`{w.target}` is a multiprocessing.Value: `+=` on it"
                message = (
                    f"{what} is a read, an add and a write; other processes can interleave "
                    "(its own lock is not taken)"
                )
                suggestion = f"Hold the value's lock: `with {lock}:`."
            else:
                shown = f"{w.target}[...]" if w.subscript else w.target
                message = (
                    f"read-modify-write of shared `{shown}` without a lock: concurrent "
                    "updates can be lost"
                )
                suggestion = f"Hold a lock around the update{where}."
            out.append(
                self._raw(
                    "GIL004",
                    w.node,
                    message,
                    suggestion,
                    f"with {lock}:\n{_indent(stmt)}",
                    w.target,
                    scope,
                    ref,
                )
            )

    def gil002(self, out: list[Raw]) -> None:
        done: set[int] = set()
        for w in self.m.writes:
            frame = w.check
            if frame is None or id(frame.node) in done:
                continue
            scope = w.scope
            if w.op == "read" and w.target not in self.m.removed_from:
                continue
            if w.op == "assign" and "." not in w.target and not w.subscript:
                if w.target not in scope.global_names:
                    continue
                ref = Ref("global", self.mod_prefix + w.target)
            else:
                ref = self.resolve_ref(w.target, scope)
            if not ref.shared or self._in_construction(scope, ref):
                continue
            if ref.kind == "param":
                continue
            if self.held(frame.locks, scope):
                continue
            done.add(id(frame.node))
            out.append(self._gil002_raw(frame, w, ref, scope))

    def _gil002_raw(self, frame: CheckFrame, w: Write, ref: Ref, scope: Scope) -> Raw:
        target = w.target
        lock, where = self.suggest_lock(scope, ref, target)
        if_code = code_of(frame.node)
        replacement: str | None = f"with {lock}:\n{_indent(if_code)}"
        if w.op == "read":
            act = f"read of `{target}[...]`"
            why = "another thread can remove the item between the check and the read"
            suggestion = f"Use one operation: `{target}.get(key)`, or hold a lock{where}."
        elif w.method in known.REMOVING_METHODS or w.op == "del":
            act = f"`{target}.{w.method}()`" if w.method else f"`del {target}[...]`"
            why = "two threads can both pass the check and the second removal fails"
            suggestion = (
                f"Use one operation (`{target}.pop(key, None)`, or try/except "
                f"KeyError/IndexError), or hold a lock around check and act{where}."
            )
        elif w.subscript or w.method:
            act = f"`{target}[...] = ...`" if w.subscript else f"`{target}.{w.method}()`"
            why = "two threads can both miss the item and both insert it"
            suggestion = f"Hold a lock around check and act{where}"
            setdefault = _setdefault_fix(frame.node, target)
            if setdefault is not None:
                replacement = setdefault
                suggestion += f", or use `{target}.setdefault(key, value)`"
            suggestion += "."
        else:
            act = f"assignment to `{target}`"
            why = "two threads can both see it unset and both initialize it"
            suggestion = (
                f"Hold a lock around check and act{where}; for lazy initialization use "
                f"double-checked locking (re-check `{target}` inside `with {lock}:`)."
            )
        message = f"check-then-act on `{target}`: the test and the {act} are not atomic; {why}"
        return self._raw(
            "GIL002", frame.node, message, suggestion, replacement, target, scope, ref
        )

    def gil003_gil005(self, out: list[Raw]) -> None:
        for call in self.m.cond_calls:
            scope = call.scope
            is_cond, cond_lock = self.is_condition(call.receiver, scope)
            if not is_cond:
                continue
            recv = call.receiver
            if call.method == "wait" and not call.in_while:
                replacement = _wait_for_fix(call)
                out.append(
                    self._raw(
                        "GIL003",
                        call.node,
                        f"`{recv}.wait()` is not inside a `while` loop re-checking its "
                        "predicate: a spurious or stolen wakeup returns with the predicate "
                        "still false",
                        f"Re-check in a loop (`while not <predicate>: {recv}.wait()`) or use "
                        f"`{recv}.wait_for(<predicate>)`.",
                        replacement,
                        recv,
                        scope,
                        None,
                    )
                )
            held = set(call.locks) | set(self.inherited.get(scope.fid, ()))
            owners = {recv}
            if cond_lock:
                owners.add(cond_lock)
            if held & owners:
                continue
            if cond_lock is None and any(
                self.lock_strength(lk, scope) == POSSIBLE for lk in held
            ):
                continue
            method = call.method
            out.append(
                self._raw(
                    "GIL005",
                    call.node,
                    f"`{recv}.{method}()` without holding the condition's lock: raises "
                    "RuntimeError('cannot ... un-acquired lock') when this path runs",
                    f"Call it inside `with {recv}:`"
                    + (f" (or `with {cond_lock}:`, the lock it was built on)." if cond_lock else "."),
                    f"with {recv}:\n{_indent(code_of(call.node))}",
                    recv,
                    scope,
                    None,
                )
            )

    def gil006(self, out: list[Raw]) -> None:
        locked: dict[str, tuple[Write, str]] = {}
        unlocked: dict[str, list[tuple[Write, Ref]]] = {}
        for w in self.m.writes:
            if w.method or w.op == "read":
                continue
            if w.subscript and w.op != "rmw":
                continue
            scope = w.scope
            if "." not in w.target and not w.subscript:
                if w.target not in scope.global_names:
                    continue
                ref = Ref("global", self.mod_prefix + w.target)
            else:
                ref = self.resolve_ref(w.target, scope)
            if ref.kind not in ("global", "class", "instance") or self._in_construction(
                scope, ref
            ):
                continue
            if scope.name in known.CONSTRUCTION_METHODS:
                continue
            definite = self.held(w.locks, scope, DEFINITE)
            if definite:
                locked.setdefault(ref.key, (w, definite[-1]))
            elif not self.held(w.locks, scope):
                unlocked.setdefault(ref.key, []).append((w, ref))
        for key, writes in unlocked.items():
            if key not in locked:
                continue
            lw, lock = locked[key]
            for w, ref in writes:
                scope = w.scope
                target = w.target
                shown = f"{target}[...]" if w.subscript else target
                out.append(
                    self._raw(
                        "GIL006",
                        w.node,
                        f"`{shown}` is written under `{lock}` in `{lw.scope.qualname}` "
                        "(line {other}) but without it here: the lock does not protect it",
                        f"Take `{lock}` here too, as the other writes do.",
                        f"with {lock}:\n{_indent(code_of(w.node))}",
                        target,
                        scope,
                        None,
                        other=lw.node,
                    )
                )

    def gil004_iteration(self, out: list[Raw]) -> None:
        """Iterating over a shared container that thread-reachable code mutates.

        Judged per module here (mutated anywhere in a function, iterated without a lock); the
        finding is a ``global``/``class``/``instance`` candidate, so its confidence follows
        the same sharing evidence as the other GIL004 findings.
        """
        mutated: dict[str, Write] = {}
        for w in self.m.writes:
            if (w.method and w.method not in ("pop", "popleft")) or (w.subscript and w.op in (
                "assign",
                "del",
            )):
                ref = self.resolve_ref(w.target, w.scope)
                if ref.shared and not self._in_construction(w.scope, ref):
                    mutated.setdefault(ref.key, w)
        if not mutated:
            return
        for it in self.m.iterations:
            scope = it.scope
            ref = self.resolve_ref(it.target, scope)
            if ref.key not in mutated or ref.kind not in ("global", "class", "instance"):
                continue
            if self.held(it.locks, scope):
                continue
            writer = mutated[ref.key]
            if writer.scope is scope:
                continue  # a loop that mutates what it iterates is a different bug
            lock, where = self.suggest_lock(scope, ref, it.target)
            out.append(
                self._raw(
                    "GIL004",
                    it.node,
                    f"iteration over shared `{it.target}` without a lock while "
                    f"`{writer.scope.qualname}` (line {{other}}) changes it: RuntimeError "
                    "'changed size during iteration' or a torn view",
                    f"Iterate over a snapshot taken under a lock{where}: "
                    f"`with {lock}: items = list({it.target})`.",
                    None,
                    it.target,
                    scope,
                    ref,
                    other=writer.node,
                    end_node=_for_header_end(it.node),
                )
            )


def _for_header_end(node: cst.CSTNode) -> cst.CSTNode | None:
    if isinstance(node, cst.For):
        return node.iter
    return None


def _setdefault_fix(node: cst.If, target: str) -> str | None:
    """``if k not in d: d[k] = v`` -> ``d.setdefault(k, v)`` when that is all the if does."""
    test = node.test
    if node.orelse is not None or not isinstance(test, cst.Comparison):
        return None
    if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, cst.NotIn):
        return None
    if dotted_name(test.comparisons[0].comparator) != target:
        return None
    body = node.body.body
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine):
        return None
    small = body[0].body
    if len(small) != 1 or not isinstance(small[0], cst.Assign):
        return None
    assign = small[0]
    if len(assign.targets) != 1:
        return None
    sub = assign.targets[0].target
    if not isinstance(sub, cst.Subscript) or dotted_name(sub.value) != target:
        return None
    if len(sub.slice) != 1 or not isinstance(sub.slice[0].slice, cst.Index):
        return None
    key = code_of(sub.slice[0].slice.value)
    if key != code_of(test.left):
        return None
    return f"{target}.setdefault({key}, {code_of(assign.value)})"


def _wait_for_fix(call: CondCall) -> str | None:
    """``cv.wait()`` -> ``cv.wait_for(lambda: <predicate>)`` when the enclosing if says it."""
    test = call.if_test
    if test is None:
        return None
    predicate = _negate(test)
    args = [code_of(a) for a in call.node.args]
    return f"{call.receiver}.wait_for(lambda: {predicate}{''.join(', ' + a for a in args)})"


def _negate(test: cst.BaseExpression) -> str:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return code_of(test.expression)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        op = test.comparisons[0].operator
        left = code_of(test.left)
        right = code_of(test.comparisons[0].comparator)
        flipped = {
            cst.Is: "is not",
            cst.IsNot: "is",
            cst.Equal: "!=",
            cst.NotEqual: "==",
            cst.In: "not in",
            cst.NotIn: "in",
        }.get(type(op))
        if flipped is not None:
            return f"{left} {flipped} {right}"
    return f"not ({code_of(test)})"
