"""The rules: judge a collected ModuleModel and produce candidate findings.

Every rule is a method of ``Judge`` that reads the model; the shared semantic facts (what a dotted
name refers to, whether a ``with`` item is a lock, which locks a private helper inherits from
its callers) live on the Judge so that every rule answers those questions the same way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

import libcst as cst

from gilcheck.analysis import known
from gilcheck.analysis.collector import (
    ANY_KEY,
    class_like,
    dotted_name,
    ends_with,
    literal_key,
    mentions,
    qualify,
    subscript_index,
    subscript_key,
    walk_nodes,
    wrapper_enters_self,
    wrapper_locks,
)
from gilcheck.analysis.model import (
    CONST,
    CONTAINER,
    COUNTING,
    FIXED_KEYS,
    ITEM,
    KEY_SEP,
    LIST,
    ONE_WORKER,
    PARAM,
    SLICE,
    CallSite,
    CheckFrame,
    ClassInfo,
    CondCall,
    Entry,
    ModuleModel,
    Scope,
    Write,
    same_item,
)
from gilcheck.analysis.summary import BEFORE_INDEX, CAPPED_FALLBACK, OWN_THREAD
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


def _tail(dotted: str, ref: Ref) -> tuple[str, ...]:
    """The attributes of ``dotted`` below the state ``ref`` names: ``("index",)`` for
    ``self.boiler.index``, whose state is the instance's ``boiler``."""
    covered = 2 if ref.kind in ("instance", "class", "module_attr") else 1
    return tuple(dotted.split(".")[covered:])


def _one_container(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """May two ``_tail``s of one state name the same container? Not when they part ways
    (``index`` and ``registers`` of ``self.boiler``); one inside the other may."""
    return all(a == b for a, b in zip(first, second, strict=False))


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
    #: the state is written under a definite lock somewhere in the module
    guarded: bool = False
    #: the function that mutates what an iteration walks (kind "iter")
    writer: str = ""
    #: kind "iter": ``func >#index`` (``BEFORE_INDEX``) when the loop comes before a thread
    #: start in its function
    before_start: str = ""
    #: the code can only run on the main thread (signal handlers' setup, atexit, GUI modules)
    main_thread: bool = False
    #: kind "instance": the functions that write the same state (conflict analysis)
    writers: tuple[str, ...] = ()
    #: a read-modify-write (GIL001, GIL004): the part of ``writers`` that updates the state
    #: rather than only storing a whole new value (empty for other findings)
    updaters: tuple[str, ...] = ()
    #: why the finding stays ``low`` whatever the project pass learns (see ``_capped_by``)
    capped_by: str = ""
    #: why the finding is at most ``medium`` whatever the project pass learns (see
    #: ``_DUPLICATE_INSERT``)
    medium_at_most: str = ""
    #: low unless the code is reachable from a thread entry point
    needs_thread: bool = False
    #: GIL002 whose act stores (``if x is None: x = make()``, ``if k not in d: d[k] = v``):
    #: the functions that store to the state under a check of it (a double act needs two
    #: threads running those checks)
    actors: tuple[str, ...] = ()
    #: instance state: the functions that begin by storing a fresh value into it (see
    #: ``Judge.resets``)
    resets: tuple[str, ...] = ()
    #: the node whose end closes the reported range when it differs from ``node``
    end_node: cst.CSTNode | None = None
    #: another node whose line the message names ("{other}" placeholder)
    other: cst.CSTNode | None = None
    #: GIL004 on ``results[i]`` where ``i`` is the function's parameter of this index (-1:
    #: none): when every start hands the function another loop counter, each task updates
    #: its own item
    task_key: int = -1


#: List changes that leave an iteration in another thread correct: the item is seen or not.
_LIST_APPENDS = frozenset({"append", "extend", "assign"})

#: Why a wait on a function-local Condition is ``low`` (GIL003).
_OWN_CONDITION = "each call waits on its own function-local Condition"
#: A walk position after every other: a thread built but not started in its function.
_NEVER = 1 << 62
#: The ``capped_by`` reason of a lazy initialization (``_repeats_initialization``).
_REPEATS_INITIALIZATION = "losing the race only repeats the initialization"
#: The ``capped_by`` reason of ``if x != v: x = v`` (``_change_detector``).
_CHANGE_DETECTOR = "the test only detects a change to the value it stores"

#: The ``capped_by`` reason of a test of what the function itself has just stored.
_OWN_STORE = "the test reads what this function stored just before it"

#: The ``capped_by`` reason of a loop over a list that another thread removes items from.
_LIST_SKIPS = (
    "a list iterator never raises: a removal meanwhile makes the loop skip or repeat an item"
)

#: The ``capped_by`` reason of an update of a retry delay or back-off (``_timing_only``).
_TIMING_ONLY = "a lost update only changes how long the next retry waits"

#: The ``medium_at_most`` reason of a check-then-insert (GIL002) of a plain value: the race's
#: loser inserts the item again, over the winner's (a lock, pool or resource, or a container
#: to fill, keeps its confidence: two of them split). On the forty-three reviewed corpora the
#: visible inserts were a duplicate of work or of an equal value 19 times in 23; the 4 real
#: races used the test for more than the insert (a de-duplication, a duplicate-name error),
#: which the code does not tell apart from a guard against repeated work.
_DUPLICATE_INSERT = "losing the race inserts the item twice, which is mostly a harmless duplicate"

#: The ``capped_by`` reason of ``x = convert(x)`` (``_conversion``).
_CONVERSION = "a conversion of the value alone: racing threads store the same result"

_INDENT = "    "
_GENERIC_LOCK_NAMES = frozenset({"lock", "mutex", "rlock", "global_lock", "module_lock"})


def _indent(code: str) -> str:
    return "\n".join(_INDENT + line if line.strip() else line for line in code.splitlines())


_EMPTY = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node).strip()


class Judge:
    def __init__(self, model: ModuleModel, *, lock_types: frozenset[str] = frozenset()) -> None:
        self._lock_getters: dict[int, bool] = {}  # see _returns_lock
        self.m = model
        self.mod_prefix = model.module + "." if model.module else ""
        self.lock_types = lock_types
        self._scope_by_fid = {s.fid: s for s in model.scopes}
        # ``x.map(f)`` starts threads only when ``x`` is an executor or a pool.
        model.entries = [
            e
            for e in model.entries
            if not e.executor_receiver
            or any(
                self._strip(v) in known.EXECUTOR_FACTORIES
                for v in self.values_of(e.executor_receiver, e.scope)
            )
        ]
        for e in model.entries:
            e.process = e.kind == "Process" or self.made_by(
                e.receiver, e.scope, known.PROCESS_POOL_FACTORIES
            )
            e.serial = self._serial(e)
        self._awaited()
        self._mode_switches()
        self.construction: set[int] = set()
        self._find_construction()
        self.inherited = self._inherited_locks(methods=True)
        self.guarded_keys = self._guarded_keys()

    def made_by(self, receiver: str, scope: Scope | None, factories: frozenset[str]) -> bool:
        """Is every value ``receiver`` is known to hold (at least one) built by one of
        ``factories`` (``multiprocessing.dummy.Pool`` for ``p`` after ``p = Pool(8)``)?"""
        if not receiver:
            return False
        values = [self._strip(v) for v in self.values_of(receiver, scope)]
        return bool(values) and all(v in factories for v in values)

    def _awaited(self) -> None:
        """Keep one of the two records of each ``pool.submit(f, ...).result()``. On a
        one-worker pool the task runs on the pool's one thread, with the pool's other tasks
        (mycli's ``monitor.submit(self._close_control).result()``): keep the start. On any
        other pool the caller waits for the task, and the loop around it hands the next task
        over only once this one is done: what the task runs is what the caller's thread would
        run (deemix's conversion loop): keep the call, also for a one-worker pool the
        function builds for itself (camel's ``with ThreadPoolExecutor(max_workers=1) as
        executor:`` for a step timeout), which runs no other task. A process pool's task
        shares nothing with the caller: keep the start, which says so."""
        drop_calls: set[int] = set()
        kept: list[Entry] = []
        for e in self.m.entries:
            if e.awaited is None:
                kept.append(e)
            elif e.process or (e.serial and not _local_pool(e)):
                drop_calls.add(id(e.awaited))
                kept.append(e)
        if len(kept) != len(self.m.entries):
            self.m.entries = kept
        if drop_calls:
            self.m.calls = [c for c in self.m.calls if id(c) not in drop_calls]

    def _mode_switches(self) -> None:
        """Drop the calls that run only in a class's threadless mode. A class whose every
        thread start sits under ``if self.flag:``, with ``flag`` set only in ``__init__``,
        starts no thread when the flag is false: a call made where the flag is false (the
        ``else`` of ``if self.flag:``, or under ``if not self.flag:``) is never made by one
        of its threads. zuul's tree cache: with ``async_worker`` the event worker queues
        events for the playback worker; without it, ``_handleCacheEvent`` calls
        ``_handlePlayback`` itself, and neither worker exists (twenty-seventh held-out
        corpus)."""
        starts: dict[int, list[Entry]] = {}
        for e in self.m.entries:
            if e.scope is not None and e.scope.cls is not None and e.scope.self_name:
                starts.setdefault(id(e.scope.cls), []).append(e)
        if not starts:
            return
        flags: dict[int, set[str]] = {}  # class -> attributes true at every start
        for cls_id, entries in starts.items():
            common: set[str] | None = None
            for e in entries:
                on = {flag for flag, true in e.modes if true}
                common = on if common is None else common & on
            if common:
                flags[cls_id] = common
        if not flags:
            return
        for w in self.m.writes:  # a flag written after construction is not a mode
            cls = w.scope.cls
            if cls is None or id(cls) not in flags or w.scope.name == "__init__":
                continue
            head, _, attr = w.target.partition(".")
            if head == w.scope.self_name:
                flags[id(cls)].discard(attr.partition(".")[0])

        def threadless(site: CallSite) -> bool:
            scope = site.scope
            if scope is None or scope.cls is None:
                return False
            off = flags.get(id(scope.cls), ())
            return any(not true and flag in off for flag, true in site.modes)

        if any(flags.values()):
            self.m.calls = [c for c in self.m.calls if not threadless(c)]

    def _serial(self, entry: Entry) -> str:
        """Is ``entry`` a task handed to a one-worker pool (``self._pool.submit(f)`` with
        ``self._pool = ThreadPoolExecutor(max_workers=1)``)? Its tasks run one at a time: a
        single thread, not a pool. "instance" for a pool kept on the instance (one per
        object), "shared" for a module-level one or a local one not built in a loop; ""
        otherwise (python-swiftclient's ``error_print_pool``, on the seventeenth held-out
        corpus). A ``None`` the attribute holds before the pool is built or after it is shut
        down is not a second pool (pyoctopus's ``self._boss = None`` in ``__init__``)."""
        if entry.awaited_under and not entry.process:
            return self._serial_lock(entry)
        receiver = entry.receiver
        if not receiver or entry.process:
            return ""
        if not one_worker(self.values_of(receiver, entry.scope)):
            return ""
        head, dot, _ = receiver.partition(".")
        scope = entry.scope
        if dot and scope is not None and head == scope.self_name:
            return "instance"
        if entry.in_loop and not dot and scope is not None and scope.is_local(receiver):
            return ""  # a new pool each time round the loop: their tasks run side by side
        return "shared"

    def _serial_lock(self, entry: Entry) -> str:
        """``async with self._lock: await asyncio.to_thread(self._load)``: the task runs, and
        ends, while the caller holds the lock, so the tasks started there run one at a time,
        like a one-worker pool's (dhole-mcp's reranker load, forty-first held-out corpus).
        The lock must be one object for every call: an attribute of the instance ("instance",
        one per object) or of a class or module ("shared"), bound only to a lock (a
        ``threading`` or an ``asyncio``/``anyio``/``trio`` one) or at times ``None``; not a
        local, which each call makes anew, nor any other context manager."""
        scope = entry.scope
        if scope is None:
            return ""
        for lock in entry.awaited_under:
            head, dot, _ = lock.partition(".")
            if not dot and scope.is_local(head):
                continue
            values = self.values_of(lock, scope)
            if any(v.endswith("|" + COUNTING) for v in values):
                continue  # ``Semaphore(4)`` lets four in at once
            kinds = [self._strip(v) for v in values if v != CONST]
            if not kinds or not all(_excludes(v) for v in kinds):
                continue
            entry.serial_lock = lock
            return "instance" if dot and head == scope.self_name else "shared"
        return ""

    # -- names -------------------------------------------------------------------------------
    def qualname(self, scope: Scope | None) -> str:
        if scope is None:
            return ""
        return self.mod_prefix + scope.qualname

    def class_qualname(self, info: ClassInfo) -> str:
        return self.mod_prefix + info.qualname

    def qualify(self, dotted: str, scope: Scope | None) -> str:
        return qualify(self.m, dotted, scope)

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
        sc = scope
        while sc is not None:
            # ``self.x`` in a method, or in a function nested in one (a closure over ``self``)
            if sc.cls is not None and rest and head in (sc.self_name, sc.cls_name):
                values: list[str] = []
                for info in self.mro(sc.cls):
                    if head == sc.self_name:
                        values += info.inst_attrs.get(rest, []) + info.attrs.get(rest, [])
                    else:
                        values += info.attrs.get(rest, []) + info.inst_attrs.get(rest, [])
                return values
            if sc.is_local(head):
                if rest:
                    return []
                return sc.local_values.get(head, [PARAM] if head in sc.params else [])
            sc = sc.parent
        if rest:
            for value in self.m.module_values.get(head, []):
                if value.startswith("<class:"):
                    found = self.m.classes.get(value[7:-1])
                    if found is not None:
                        out: list[str] = []
                        for c in self.mro(found):
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
            if head in sc.nonlocal_names:  # an enclosing function's variable
                depth += 1
                sc = sc.parent
                continue
            if sc.is_local(head):
                if depth == 0:
                    if head in sc.params and len(parts) >= 1:
                        idx = sc.params.index(head)
                        owner = self.handed_self.get((sc.fid, idx))
                        if owner is not None and len(parts) > 1:
                            # ``Thread(target=watch, args=(self,))``: ``pool.n`` is the
                            # starting object's own state, judged as ``self.n`` is
                            return Ref("instance", f"{owner}.{parts[1]}", cls=owner)
                        return Ref("param", f"{self.qualname(sc)}:{head}", param=idx)
                    return Ref("local", head)
                if head == sc.self_name and sc.cls is not None and len(parts) > 1:
                    cq = self.class_qualname(sc.cls)  # a closure over ``self``
                    return Ref("instance", f"{cq}.{parts[1]}", cls=cq)
                return Ref("closure", f"{self.qualname(sc)}:{head}")
            depth += 1
            sc = sc.parent
        values = self.m.module_values.get(head)
        if head in self.m.imports:
            if len(parts) > 1:
                return Ref("module_attr", self.m.imports[head] + "." + parts[1])
            return Ref("unknown", head)
        if values is None:
            return Ref("unknown", head)
        for value in values:
            if value.startswith("<class:") and len(parts) > 1:
                cq = self.mod_prefix + value[7:-1]
                return Ref("class", f"{cq}.{parts[1]}", cls=cq)
            if value.startswith(("<def:", "<class:")):
                # a function, or a class used by its methods (``ThreadState.get()`` then
                # ``ThreadState.update()`` calls static methods; it is not a container)
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

    @functools.cached_property
    def handed_self(self) -> dict[tuple[int, int], str]:
        """Parameters of module functions that only ever receive a method's own ``self``.

        ``Thread(target=watch, args=(self,))`` in a method of ``Pool`` (or
        ``args=(weakref.proxy(self),)``, urllib3-future's idle-connection watcher): when every
        start of ``watch`` in this module passes the starting object at that position, and the
        module neither calls ``watch`` directly nor hands it on as a value, ``pool.n`` in
        ``watch`` is ``Pool``'s instance state, with ``Pool``'s other writers (the one-owner
        analysis sees a watcher per object). Keyed by (the function's ``fid``, parameter
        index); the value is the class's qualified name.
        """
        found: dict[tuple[str, int], str | None] = {}
        targets: set[int] = set()
        for e in self.m.entries:
            if not isinstance(e.target, cst.Name) or e.target.value not in self.m.functions:
                continue
            targets.add(id(e.target))
            name, sc = e.target.value, e.scope
            owner, self_name = None, ""
            if sc is not None and sc.cls is not None and sc.self_name and not e.process:
                owner = None if sc.is_local(name) else self.class_qualname(sc.cls)
                self_name = sc.self_name
            for i, arg in enumerate(e.args):
                mine = owner if owner and _is_self(arg, self_name) else None
                found[(name, i)] = mine if found.get((name, i), mine) == mine else None
        if not found:
            return {}
        elsewhere = {c.callee for c in self.m.calls}
        elsewhere |= {dotted for _, dotted, node in self.m.value_refs if id(node) not in targets}
        return {
            (self.m.functions[name].fid, i): owner
            for (name, i), owner in found.items()
            if owner is not None and name not in elsewhere
        }

    @functools.cached_property
    def confined_classes(self) -> set[str]:
        """Classes of this module whose every instance built here goes straight into
        per-thread storage: ``_tls.client = Client()``, or ``client = Client()`` then
        ``_tls.client = client`` or ``_client_var.set(client)`` (a ContextVar). Each thread
        gets its own instance, so their state is confined to it (gunicorn's
        ``get_dirty_client``)."""
        stores: list[tuple[Scope, cst.BaseExpression]] = []
        for w in self.m.writes:
            if w.op != "assign" or w.subscript or w.method or "." not in w.target:
                continue
            value = _assigned_value(w.node)
            if value is not None and self._is_thread_local(w.target.rpartition(".")[0], w.scope):
                stores.append((w.scope, value))
        for scope, holder, value in self.m.handoffs:
            if any(
                self._strip(v) in known.CONTEXT_VAR_FACTORIES for v in self.values_of(holder, scope)
            ):
                stores.append((scope, value))
        confined: dict[str, int] = {}
        for scope, value in stores:
            cls = self.instance_class(value, scope)
            if cls is not None:
                confined[cls] = confined.get(cls, 0) + 1
        if not confined:
            return set()
        built = dict.fromkeys(confined, 0)
        callees: list[tuple[str, Scope | None]] = [(c.callee, c.scope) for c in self.m.calls]
        callees += [(callee, None) for callee in self.m.import_calls]
        for callee, caller in callees:
            qual = self.qualify(callee, caller)
            if qual in built:
                built[qual] += 1
        return {cls for cls, n in confined.items() if 0 < built[cls] <= n}

    def _confined(self, scope: Scope, symbol: str) -> bool:
        """Is ``symbol`` (``self.x``) state of an instance confined to one thread?"""
        if scope.cls is None or not self.confined_classes or not scope.self_name:
            return False
        return symbol.startswith(scope.self_name + ".") and any(
            self.class_qualname(c) in self.confined_classes for c in self.mro(scope.cls)
        )

    def instance_class(self, expr: cst.BaseExpression, scope: Scope | None) -> str | None:
        """The module class of ``Accumulator()`` or of a name bound to one, if any."""
        if isinstance(expr, cst.Call):
            func = dotted_name(expr.func)
            values = [self.qualify(func, scope)] if func is not None else []
        else:
            name = dotted_name(expr)
            values = self.values_of(name, scope) if name is not None else []
        for value in values:
            info = self.class_named(self._strip(value))
            if info is not None:
                return self.class_qualname(info)
        return None

    # -- locks -------------------------------------------------------------------------------
    def lock_strength(self, expr: str, scope: Scope | None) -> int:
        if expr.startswith("@"):
            return DEFINITE  # ``@synchronized``
        if expr.endswith(".get_lock()"):
            return DEFINITE
        if expr.startswith("call:"):
            qual = self.qualify(expr[5:], scope)
            if qual in self.lock_types or self._locking_manager(qual):
                return DEFINITE
            callee = self._callee_scope(expr[5:], scope) if scope is not None else None
            if callee is not None and callee is not scope and self._returns_lock(callee):
                return DEFINITE  # ``with _get_lock(self):``, a getter that returns a lock
            if callee is None and self._lock_helper_by_name(expr[5:]):
                return DEFINITE  # ``with self.report.atomic():``
            return NOT_A_LOCK
        named = _named_item(expr)
        if expr.endswith(ITEM) or named:
            # ``with self.locks[key]:``: a lock when the container is built to hold locks
            # (``defaultdict(threading.Lock)``); anything else taken from a container is not
            # evidence of a lock, unless a constant key names one: ``with progress["lock"]:``
            # (yuvi's chunk downloader shares one lock among its pool's tasks in a dict of
            # progress data) is a lock as a bare name of unknown value is (``with lock:``)
            items = self.values_of(named or expr[: -len(ITEM)], scope)
            factories = (
                v.partition("|")[2] for v in items if v.startswith("collections.defaultdict|")
            )
            if any(map(self._is_lock_value, factories)):
                return DEFINITE
            return POSSIBLE if named else NOT_A_LOCK
        values = self.values_of(expr, scope)
        if values and all(v.endswith("|" + COUNTING) for v in values):
            return NOT_A_LOCK  # ``Semaphore(n)`` lets n threads in: it excludes nothing
        if expr in self.m.acquired:
            if expr.endswith("()") and scope is not None:
                # ``self._acquire_lock()``: when the helper is ours, it is a lock only if it
                # returns holding one (logging's ``_acquireLock``, not a Consul session lock)
                callee = self._callee_scope(expr[:-2], scope)
                if callee is not None and not callee.returns_holding:
                    return NOT_A_LOCK
            return DEFINITE
        if not values:
            return POSSIBLE
        strength = NOT_A_LOCK
        for value in values:
            if value.endswith("|" + COUNTING):
                continue
            value = self._strip(value)
            if self._is_lock_value(value):
                return DEFINITE
            if value in (CONST, CONTAINER) or value.startswith(_NON_LOCK_PREFIXES):
                continue
            if value.startswith("<class:") or value.startswith("<def:"):
                continue
            strength = POSSIBLE
        return strength

    def _lock_helper_by_name(self, callee: str) -> bool:
        """``with self.report.atomic():`` on another object, whose class gilcheck cannot
        name: a lock when the module has a method of that name and every one of them is a
        ``@contextmanager`` that yields holding its own object's lock (``with self._lock:
        yield``; datahub's ``TeradataReport.atomic``, twenty-second held-out corpus). Only a
        call through an attribute (``obj.m()``); a plain function is resolved or unknown."""
        head, _, name = callee.rpartition(".")
        if not head or name.startswith("__"):
            return False
        found = [info.methods[name] for info in self.m.classes.values() if name in info.methods]
        return bool(found) and all(
            method.generator
            and method.yield_locks
            and all(
                lk.partition(".")[0] == method.self_name
                and self.lock_strength(lk, method) == DEFINITE
                for lk in method.yield_locks
            )
            for method in found
        )

    def _locking_manager(self, qual: str) -> bool:
        """A class of this module whose ``__enter__`` returns holding a lock it acquired
        (``with _ModuleLockManager(name):``)."""
        info = self.class_named(qual)
        enter = self._method(info, "__enter__") if info is not None else None
        if enter is None or not enter.returns_holding:
            return False
        # the object's own lock or a module's, not one of a local made in ``__enter__``:
        # mo_threads' ``RegisterThread`` enters a fresh profiler (``cprofiler =
        # CProfiler()``, ``cprofiler.__enter__()``), which excludes no other thread
        heads = {key.partition(".")[0] for key in enter.returned_locks}
        return any(head == enter.self_name or not enter.is_local(head) for head in heads)

    def _returns_lock(self, func: Scope) -> bool:
        """Does every ``return`` of ``func`` return a lock that outlives the call: an
        attribute or a global (``return self._lock``), or a local that the function also
        stores on an object (a lazily built per-object lock's getter: ``lock =
        threading.RLock()``, ``recorder._lock = lock``, ``return lock``)? A local lock that
        stays local is a new lock per call, which excludes nobody. Memoized per function:
        every ``with getter():`` of the module asks."""
        known_answer = self._lock_getters.get(func.fid)
        if known_answer is not None:
            return known_answer
        returned = func.returns
        answer = bool(returned) and all(
            name and self.lock_strength(name, func) == DEFINITE for name in returned
        )
        if answer and any("." not in name and func.is_local(name) for name in returned):
            kept = {
                value.value
                for w in self.m.writes
                if w.scope is func and w.op == "assign" and "." in w.target and not w.subscript
                if isinstance(value := _assigned_value(w.node), cst.Name)
            }
            answer = all(
                "." in name or not func.is_local(name) or name in kept for name in returned
            )
        self._lock_getters[func.fid] = answer
        return answer

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

    def _fresh_condition(self, expr: str, scope: Scope) -> bool:
        """Is ``expr`` a local variable that this function binds only to new Conditions
        (``cond = threading.Condition()``)? Every call then waits on its own condition: no
        other waiter can take its wakeup, however many threads run the function."""
        if self.resolve_ref(expr, scope).kind != "local":
            return False
        values = self.values_of(expr, scope)
        return bool(values) and all(known.is_condition_factory(self._strip(v)) for v in values)

    def _process_condition(self, expr: str, scope: Scope) -> bool:
        """Is ``expr`` a multiprocessing Condition (``multiprocessing.Condition()``,
        ``ctx.Condition()`` on a multiprocessing context)? Its waiters and notifiers are other
        processes, which the GIL never serialized: a wait outside a loop there is not a
        mistake the GIL was hiding (GIL005 still applies: the RuntimeError is the same)."""
        for value in self.values_of(expr, scope):
            factory = value.partition("|")[0]
            head = factory.rpartition(".")[0]
            if factory.startswith("multiprocessing.") or head in _PROCESS_CONTEXTS:
                return True
        return False

    def held(self, locks: tuple[str, ...], scope: Scope, minimum: int = POSSIBLE) -> list[str]:
        """The held locks (including those inherited from callers) of at least ``minimum``."""
        all_locks = self.expand(list(locks), scope) + sorted(self.inherited.get(scope.fid, ()))
        return [lk for lk in all_locks if self.lock_strength(lk, scope) >= minimum]

    def expand(self, locks: list[str], scope: Scope) -> list[str]:
        """``with self._locked():`` where ``_locked`` is a ``@contextmanager`` that yields
        inside ``with self._lock:`` holds ``self._lock``."""
        out = list(locks)
        for lk in locks:
            if lk.startswith("call:"):
                callee = self._callee_scope(lk[5:], scope)
                if callee is not None:
                    out.extend(callee.yield_locks)
        return out

    @functools.cached_property
    def _call_sites(self) -> dict[int, list[_Site]]:
        """Callee fid -> its call sites in the module whose callee is known; overrides a
        ``self.m()`` call may reach count too, with ``by_name`` False."""
        sites: dict[int, list[_Site]] = {}
        for call in self.m.calls:
            if call.scope is None:
                continue
            for i, callee in enumerate(self._callee_scopes(call.callee, call.scope)):
                if callee is not call.scope:
                    site = _Site(
                        call.scope,
                        call.locks,
                        i == 0,
                        call.in_while,
                        call.in_loop,
                        call.ifs,
                        call.seq,
                    )
                    sites.setdefault(callee.fid, []).append(site)
        return sites

    def _find_construction(self) -> None:
        """Private helpers only ever called while the object is being built run
        single-threaded: add them to ``self.construction``."""
        construction = self.construction
        for _ in range(4):
            before = len(construction)
            for fid, callers in self._call_sites.items():
                scope = self._scope_by_fid[fid]
                if _private(scope.name) and all(
                    _constructing(caller, self.m.fork_hooks) or caller.fid in construction
                    for caller, *_ in callers
                ):
                    construction.add(fid)
            if len(construction) == before:
                break

    @functools.cached_property
    def _thread_targets(self) -> frozenset[int]:
        """Functions of this module handed to a thread or pool here (``Thread(target=
        self._add)``): besides their call sites, they run on a thread of their own."""
        found: set[int] = set()
        for entry in self.m.entries:
            if entry.target_scope is not None:
                found.add(entry.target_scope.fid)
            name = dotted_name(entry.target) if entry.target is not None else None
            if name and entry.scope is not None:
                found.update(s.fid for s in self._callee_scopes(name, entry.scope))
        return frozenset(found)

    def _inherited_locks(self, *, methods: bool) -> dict[int, frozenset[str]]:
        """Locks a private helper or a method holds because every caller in this module holds
        them. A method called by its own class only under the class's lock is part of the
        class's locking protocol (``get_connection`` holds ``self._lock`` around
        ``make_connection``); a public module-level function is not (other modules call it).

        Computed as a greatest fixed point, so that helpers which call each other keep their
        callers' locks: pymysqlpool's ``get_conn`` holds ``self.cond`` around
        ``__get_conn``, which calls ``__get_safe_conn``, which retries through
        ``__get_conn`` (fiftieth held-out corpus). Every helper starts as holding
        everything; a call from a helper not settled yet says nothing, and each round can
        only take locks away, down to what every way in from outside the cycle holds."""
        sites = self._call_sites
        construction = self.construction
        candidates: dict[int, list[tuple[int, frozenset[str]]]] = {}
        for fid, callers in sites.items():
            scope = self._scope_by_fid[fid]
            if not _private(scope.name) and scope.name.startswith("__"):
                continue  # a dunder: the language calls it from anywhere
            if fid in construction or fid in self._thread_targets:
                continue  # a thread target runs without its callers' locks too
            # a function nested in another is called only where it is defined (scalyr's
            # ``wait_block`` inside ``simulate_waiting``, between acquire and release);
            # a name-mangled ``__helper`` only by its class
            nested = scope.kind == "function" and scope.parent is not None
            public = (
                not scope.name.startswith("_") and not nested and any(c.by_name for c in callers)
            )
            if public and (scope.cls is None or not methods):
                continue  # a public function: callers elsewhere need not hold the lock
            building = [
                _constructing(caller, self.m.fork_hooks) or caller.fid in construction
                for caller, *_ in callers
            ]
            retired = [_deprecated(caller) for caller, *_ in callers]
            kept: list[tuple[int, frozenset[str]]] = []
            for (caller, locks, *_), constructing, old in zip(
                callers, building, retired, strict=True
            ):
                if constructing and not all(building):
                    continue  # nothing runs concurrently with __init__
                if old and not all(retired):
                    continue  # a deprecated way in does not define the protocol
                # a held Condition holds the lock it was built on: callers holding two
                # conditions on one lock (``_not_empty``, ``_all_tasks_done``) share it
                have = frozenset(
                    lk
                    for lk in self._with_cond_locks(list(locks), caller)
                    if self.lock_strength(lk, caller) > NOT_A_LOCK
                )
                kept.append((caller.fid, have))
            candidates[fid] = kept
        held: dict[int, frozenset[str] | None] = dict.fromkeys(candidates)  # None: not settled
        changed = True
        while changed:
            changed = False
            for fid, kept in candidates.items():
                common: frozenset[str] | None = None
                for caller_fid, have in kept:
                    if caller_fid in held:
                        theirs = held[caller_fid]
                        if theirs is None:
                            continue  # a helper not settled yet: no constraint this round
                        have = have | theirs
                    common = have if common is None else common & have
                if common is not None and common != held[fid]:
                    held[fid] = common
                    changed = True
        return {fid: locks for fid, locks in held.items() if locks}

    def _guarded_keys(self) -> dict[str, set[tuple[str, str]]]:
        """State that some code in this module writes while holding a definite lock: its key
        -> the attribute paths written (``_data`` for ``self._data = ...``, ``""`` for a
        global), each with the constant item written (``"db"`` for ``self.count["db"] +=
        1``, each item a narrowed key can name, see ``_item_keys``; ``""`` for the whole value,
        or an item it cannot name)."""
        keys: dict[str, set[tuple[str, str]]] = {}
        for w in self.m.writes:
            if w.op == "read" or not self.held(w.locks, w.scope, DEFINITE):
                continue
            if "." not in w.target and not w.subscript and not w.method:
                keys.setdefault(self.mod_prefix + w.target, set()).add(("", ""))
            else:
                key = self.resolve_ref(w.target, w.scope).key
                path = w.target.partition(".")[2]
                keys.setdefault(key, set()).update((path, i) for i in _item_keys(w))
        return keys

    def _guarded(self, ref: Ref | None, symbol: str, items: tuple[str, ...] = ("",)) -> bool:
        """Is ``symbol`` written under a lock elsewhere: it, or what holds it one attribute
        up (``self._stats`` locked, ``self._stats[k] += 1`` here)? A lock around rebinding
        ``self._data`` says nothing about ``self._data.stats.count`` two attributes down
        (OctoPrint's achievements, on the nineteenth held-out corpus), nor a lock around
        other constant items of a dict about this one (pgsync counts ``self.count["db"]``
        under its lock, because pollers share it, and ``self.count["xlog"]`` without:
        twenty-eighth held-out corpus)."""
        if ref is None or ref.key not in self.guarded_keys:
            return False
        path = symbol.partition("[")[0].partition(".")[2]
        for locked, locked_item in self.guarded_keys[ref.key]:
            if path == locked and not any(same_item(i, locked_item) for i in items):
                continue  # another item of the same container
            if not locked or not path or path == locked:
                return True
            if path.startswith(locked + ".") and "." not in path[len(locked) + 1 :]:
                return True
        return False

    @functools.cached_property
    def inherited_private(self) -> dict[int, frozenset[str]]:
        """For GIL005 a public method is not excused by its callers: an outside caller that
        skips the lock gets a RuntimeError, not a rare race."""
        return self._inherited_locks(methods=False)

    @functools.cached_property
    def looped_helpers(self) -> set[int]:
        """Private functions and methods that this module calls, and calls only inside a
        ``while`` loop: a wait in them is re-checked by the caller's loop (DBUtils'
        ``_wait_lock``, called by every ``connection()`` retry loop). One call level."""
        return {
            fid
            for fid, sites in self._call_sites.items()
            if _private(self._scope_by_fid[fid].name) and all(s.in_while for s in sites)
        }

    @functools.cached_property
    def writers(self) -> dict[str, tuple[str, ...]]:
        """Instance, class and module state -> the functions of this module that change it
        outside construction (RacerD's conflict check asks whether two threads can run two of
        them, or one of them twice)."""
        return self._writers_and_removers[0]

    def removers_of(self, ref: Ref, target: str) -> tuple[str, ...]:
        """The part of ``writers`` that can take an item out of ``target`` itself: a removal
        (``pop``, ``remove``, ``del x[k]``...) from it, or a rebinding of it or of what holds
        it (``x = {}``). Removals from the owner's other containers do not count:
        ``self.runner.result_queue`` and ``self.runner.event_queue`` share an owner but not
        their consumers (rally's result and event threads). A removal written through
        another name (an alias, ``cls._items`` for ``Registry._items``) is kept."""
        key = _owner_key(ref, target)
        labels = self._writers_and_removers[2].get(key, {})
        head = target.partition(".")[0]
        return tuple(
            labels[func]
            for func, written in self._writers_and_removers[1].get(key, {}).items()
            if any(
                w.partition(".")[0] != head or w == target or target.startswith(w + ".")
                for w in written
            )
        )

    def updaters_of(self, key: str) -> tuple[str, ...]:
        """The functions of this module that update ``key`` rather than only store over it:
        every writer but those whose writes are all blind stores of the whole value
        (``self.sent = 0``, a reset) and that do not store what they read (``total =
        self.size + n`` then ``self.size = total`` is a read-modify-write through a local,
        cherrypy's ``MemoryCache.put``; ``n = self.sent`` then ``self.sent = 0`` takes the
        count and can lose what comes in between). A store racing with another thread's
        ``+=`` loses the store, not an update. Asked only for read-modify-write findings:
        the test walks the storing functions."""
        found = self._updaters_cache.get(key)
        if found is None:
            stores = self._writers_and_removers[3].get(key, {})
            found = tuple(
                label
                for func, label in self._writers_and_removers[2].get(key, {}).items()
                if func not in stores or _stores_what_it_read(*stores[func])
            )
            self._updaters_cache[key] = found
        return found

    @functools.cached_property
    def _actors(self) -> dict[str, tuple[str, ...]]:
        """State -> the functions that store to it under a check of it (its check-then-acts,
        the double-checked ones included)."""
        found: dict[str, dict[str, None]] = {}
        for w in self.m.writes:
            if w.check is None or w.op == "read":
                continue
            ref = self.write_ref(w)
            if ref.kind not in _OWNED_KINDS or self._in_construction(w.scope, ref):
                continue
            found.setdefault(_owner_key(ref, w.target), {})[self.qualname(w.scope)] = None
        return {key: tuple(funcs) for key, funcs in found.items()}

    @functools.cached_property
    def _updaters_cache(self) -> dict[str, tuple[str, ...]]:
        return {}

    @functools.cached_property
    def _writers_and_removers(
        self,
    ) -> tuple[
        dict[str, tuple[str, ...]],
        dict[str, dict[str, set[str]]],
        dict[str, dict[str, str]],
        dict[str, dict[str, tuple[cst.CSTNode, str]]],
        dict[str, dict[str, set[str]]],
    ]:
        """Per piece of state: its writers, the targets (as written) that each function
        removes from or rebinds, its writers' labels by function,
        the functions whose writes to it are all blind stores (with the function's node
        and the target as written), and the items each function writes (``""`` for a write
        that is not to one constant item)."""
        found: dict[str, dict[str, str]] = {}
        items: dict[str, dict[str, set[str]]] = {}
        removing: dict[str, dict[str, set[str]]] = {}
        updating: set[tuple[str, str]] = set()
        stores: dict[str, dict[str, tuple[cst.CSTNode, str]]] = {}  # blind stores only
        for w in self.m.writes:
            if w.op == "read":
                continue
            ref = self.write_ref(w)
            if ref.kind not in _OWNED_KINDS or self._in_construction(w.scope, ref):
                continue
            func = self.qualname(w.scope)
            before = self._apart_from(w.scope, w.seq) or self._called_apart(w.scope)
            label = f"{func}{BEFORE_INDEX}{_indexes(before)}" if before else func
            key = _owner_key(ref, w.target)
            funcs = found.setdefault(key, {})
            # a function that writes both before and after its start is a plain writer
            funcs[func] = label if funcs.get(func, label) == label else func
            items.setdefault(key, {}).setdefault(func, set()).update(_item_keys(w))
            store = w.op == "assign" and not w.subscript and not w.method
            if w.op == "del" or w.method in known.REMOVING_METHODS or store:
                removing.setdefault(key, {}).setdefault(func, set()).add(w.target)
            if not store:
                updating.add((key, func))
            else:
                stores.setdefault(key, {})[func] = (w.scope.node, w.target)
        for key, funcs_storing in stores.items():
            for func in [f for f in funcs_storing if (key, f) in updating]:
                del funcs_storing[func]  # it updates the state elsewhere in its body anyway
        writers = {key: tuple(funcs.values()) for key, funcs in found.items()}
        return writers, removing, found, stores, items

    @functools.cached_property
    def resets(self) -> dict[str, tuple[str, ...]]:
        """Instance state -> the functions that store a fresh value into it (one that does
        not read it: ``self._n = 0``, ``self.loop = new_event_loop()``) in a statement that
        always runs: one of the function's own statements, or one inside a ``try:`` or
        ``with`` block among them, not under an ``if``, a loop or an ``except``. Two runs of
        such a function on one object at once would clobber each other's state with the GIL
        too: when it is the target of the only thread start that reaches every writer, its
        read-modify-writes race only with runs that are already broken (see
        ``Project.one_owner``)."""
        found: dict[str, dict[str, None]] = {}
        tops: dict[int, set[int]] = {}  # id(scope node) -> ids of its always-run statements
        for w in self.m.writes:
            if w.op != "assign" or w.subscript or w.method or w.locks:
                continue
            ref = self.write_ref(w)
            if ref.kind != "instance" or self._in_construction(w.scope, ref):
                continue
            node = w.scope.node
            if not isinstance(node, cst.FunctionDef):
                continue
            top = tops.get(id(node))
            if top is None:
                top = tops[id(node)] = {id(n) for n in _always_run(node.body)}
            if id(w.node) in top:
                found.setdefault(ref.key, {})[self.qualname(w.scope)] = None
        return {key: tuple(funcs) for key, funcs in found.items()}

    def for_item(
        self, labels: tuple[str, ...], key: str, items: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The writers among ``labels`` that can touch one of the items ``items`` of ``key``
        (see ``_item_keys``): those that write it, or write the container other than through
        named items (``stats.clear()``, ``stats[k]``, ``stats = {}``). A connector whose
        receiving thread alone counts ``statistics["MessagesReceived"]`` and whose sending
        thread alone counts ``statistics["MessagesSent"]`` has one writer per item
        (thingsboard-gateway); a dict changes one item at a time, so the two never lose each
        other's update."""
        if "" in items:
            return labels
        funcs = self._writers_and_removers[4].get(key, {})
        return tuple(
            label
            for label in labels
            if any(
                same_item(mine, theirs)
                for mine in items
                for theirs in funcs.get(label.partition(BEFORE_INDEX)[0], {""})
            )
        )

    @functools.cached_property
    def _thread_starts(self) -> dict[int, list[tuple[int, int]]]:
        """Function -> its thread starts: (index in ``m.entries``, position in the walk where
        the thread begins to run). A ``Thread``/``Timer`` runs from the first ``start()`` call
        after it is built in that function; one built and not started there (``self._thread =
        Thread(...)``, started by the caller) runs only after the function returns. Pools
        and other starts run their target at once. Starts in a loop, and process starts, are
        left out: those are several threads, or no thread.

        A call of a *starter* counts as a start where the call is: a function of this module
        that always starts one thread (built and started outside any ``if``, no ``return``
        in it but a last one: ``_start_reading_loop``, snakemake's ``_schedule``), called
        outside any loop and not under an ``if`` that asks whether the thread already runs
        (``_asks_if_running``). A function that always calls a starter (outside any loop or
        ``if``) is a starter too (amqpstorm's ``start_inbound`` -> ``_create_inbound_thread``;
        three levels). Helpers that start a thread only when none runs (``_ensure_worker``) are not
        starters: what their callers write beside them can meet the running thread."""
        found, starters = self._starts_and_starters
        starts = {fid: list(sites) for fid, sites in found.items()}
        for fid, index in starters.items():
            slot = self.m.entries[index].slot
            for site in self._call_sites.get(fid, ()):
                if site.by_name and not site.in_loop and not _asks_if_running(site.ifs, slot):
                    starts.setdefault(site.caller.fid, []).append((index, site.seq))
        return starts

    @functools.cached_property
    def looped_starts(self) -> frozenset[int]:
        """Thread starts (indexes in ``m.entries``) made by a starter (``_thread_starts``)
        that this module calls inside a ``for`` loop: ``for _ in range(n): self._launch()``
        starts ``n`` threads of one target, as a start written in the loop would. Not inside
        a ``while`` loop: that is mostly a retry (Reticulum's ``reconnect_port`` calls
        ``configure_device()`` until the port is back online), one thread at a time."""
        _, starters = self._starts_and_starters
        return frozenset(
            index
            for fid, index in starters.items()
            if any(
                site.by_name and site.in_loop and not site.in_while
                for site in self._call_sites.get(fid, ())
            )
        )

    @functools.cached_property
    def _starts_and_starters(self) -> tuple[dict[int, list[tuple[int, int]]], dict[int, int]]:
        """``_thread_starts`` without the starters' call sites, and the starters: function
        -> the entry (index) it always starts."""
        later: dict[int, list[tuple[int, bool]]] = {}
        for scope, seq, conditional in self.m.start_calls:
            later.setdefault(scope.fid, []).append((seq, conditional))
        starts: dict[int, list[tuple[int, int]]] = {}
        always: dict[int, list[tuple[int, bool]]] = {}  # fid -> (entry, started outside an if)
        for index, entry in enumerate(self.m.entries):
            if entry.scope is None or entry.process or entry.in_loop:
                continue
            runs, conditional = entry.seq, True
            if entry.built:
                after = [(seq, c) for seq, c in later.get(entry.scope.fid, ()) if seq > entry.seq]
                runs, conditional = min(after) if after else (_NEVER, True)
            starts.setdefault(entry.scope.fid, []).append((index, runs))
            always.setdefault(entry.scope.fid, []).append((index, not conditional))
        starters: dict[int, int] = {}  # fid -> the entry (index) it always starts
        for fid, found in always.items():
            if not all(ok for _, ok in found) or _returns(self._scope_by_fid[fid]):
                continue
            entries = [self.m.entries[index] for index, _ in found]
            if len({(e.slot, dotted_name(e.target) if e.target else None) for e in entries}) > 1:
                continue  # two different threads (``if``/``else`` may build either of one)
            starters[fid] = found[0][0]
        for _ in range(3):  # a function that always calls a starter is one too
            more = {
                site.caller.fid: index
                for fid, index in starters.items()
                for site in self._call_sites.get(fid, ())
                if site.by_name
                and not (site.in_loop or site.ifs)
                and site.caller.fid not in starters
                and site.caller.fid not in always
                and not _returns(site.caller)
            }
            if not more:
                break
            starters.update(more)
        return starts, starters

    def _called_apart(self, scope: Scope) -> tuple[int, ...]:
        """The threads (indexes in ``m.entries``) that every call of ``scope`` in this module
        comes before the start of, or after the join of (``_apart_from``): a helper that sets
        up state for the thread its caller is about to start (pylablib's ``reset()`` in
        ``start_loop``, ``_allocate_buffers`` before ``_start_reading_loop``), or tidies up
        after it (taskflow's ``reset()`` in ``stop()``, after ``self._helper.join()``): those
        every call is apart from. Empty when it has no such calls, or a call in a loop."""
        sites = self._call_sites.get(scope.fid, ())
        if not sites or any(site.in_loop for site in sites):
            return ()
        common = self._apart_from(sites[0].caller, sites[0].seq)
        for site in sites[1:]:
            apart = self._apart_from(site.caller, site.seq)
            common = tuple(index for index in common if index in apart)
        return common

    def _apart_from(self, scope: Scope, seq: int) -> tuple[int, ...]:
        """The threads (indexes in ``m.entries``) that an access at walk position ``seq`` of
        ``scope`` cannot overlap: those the function starts after it (``_starts_after``), or
        else one it has joined before it (``_joined_before``)."""
        before = self._starts_after(scope, seq)
        if before:
            return before
        return self._joined_before(scope, seq)

    def _starts_after(self, scope: Scope, seq: int) -> tuple[int, ...]:
        """The thread starts (indexes in ``m.entries``, the first to run first) that an
        access at walk position ``seq`` comes before, in the same function: the access
        happens before those threads run (RacerD's ownership: state set up for a thread
        before it starts is not a conflicting access). xArm's ``connect()`` calls ``_init()``
        and then starts the feedback thread and the report thread: ``_init`` sets up both."""
        found = sorted(
            (runs, index) for index, runs in self._thread_starts.get(scope.fid, ()) if seq < runs
        )
        return tuple(dict.fromkeys(index for _, index in found))

    def _joined_before(self, scope: Scope, seq: int) -> tuple[int, ...]:
        """The threads (indexes in ``m.entries``, in the order joined) that the function has
        joined before walk position ``seq``: once ``join()`` returns, the thread's code has
        finished, so what the function does next cannot overlap it (weave's ``stop()``
        closes the consumers after ``thread.join(timeout)``). Every such join counts, not
        only the latest: nodepool's ``NodePool.stop()`` joins its own thread, then its
        helper threads, then walks what its own thread's ``run()`` changed (twenty-seventh
        held-out corpus). A thread the function starts again after the join (a restart)
        runs again: that join no longer counts past the new start."""
        restarts = self._thread_starts.get(scope.fid, ())
        found = sorted(
            (at, index)
            for index, at in self._thread_joins.get(scope.fid, ())
            if at < seq
            and not any(
                at < runs < seq and self._same_thread(again, index) for again, runs in restarts
            )
        )
        return tuple(dict.fromkeys(index for _, index in found))

    def _same_thread(self, first: int, second: int) -> bool:
        """Are two thread starts (indexes in ``m.entries``) the same thread built again: the
        same start, or two starts kept in the same attribute (``self._thread = Thread(...)``
        in ``__init__`` and in ``restart()``)?"""
        if first == second:
            return True
        if first < 0 or second < 0:
            return False  # ``OWN_THREAD``: the instance's own ``run()``, started by its caller
        slot = self.m.entries[first].slot
        return bool(slot) and slot == self.m.entries[second].slot

    @functools.cached_property
    def _thread_joins(self) -> dict[int, list[tuple[int, int]]]:
        """Function -> the threads it joins: (index in ``m.entries``, position in the walk of
        the join). A join is ``x.join(...)`` where ``x`` holds one known thread: the
        attribute a ``Thread`` of this class (or a base or subclass) is stored in
        (``self._thread = Thread(target=self._run)``), a local variable the thread was
        built into, or a local alias of that attribute (``thread = self._thread``); or
        ``self.join()`` in a method, the instance's own thread when the class is a ``Thread``
        subclass (``OWN_THREAD``: its ``run()``, which the project pass checks; nodepool's
        ``NodePool.stop()`` joins its own thread before it walks the pools ``run()`` adds to,
        twenty-seventh held-out corpus). A join
        under an ``if`` counts only when every such test asks about the thread (``if
        self._thread is not None:``, ``if t.is_alive():``): when it is skipped, no thread
        is running either. A call of a *joiner* counts as a join where the call is: a
        function of this module that always joins one thread (``_stop_loop``), called
        outside any loop and under no other ``if``."""
        joins: dict[int, list[tuple[int, int]]] = {}
        unconditional: dict[int, set[int]] = {}  # fid -> entries it always joins
        conditional: set[int] = set()  # fids with a join that does not always run
        for call in self.m.calls:
            scope = call.scope
            receiver, dot, meth = call.callee.rpartition(".")
            if scope is None or not dot or meth != "join":
                continue
            names = {receiver}
            alias = _alias_of(scope, receiver) if "." not in receiver else None
            if alias is not None:
                names.add(alias)
            if _own_thread(scope, receiver):
                index: int | None = OWN_THREAD
            else:
                index = self._joined_entry(scope, names)
            if index is None:
                continue
            if call.ifs and not all(_asks_about(branch, names) for branch in call.ifs):
                conditional.add(scope.fid)  # skipped while the thread may run
                continue
            joins.setdefault(scope.fid, []).append((index, call.seq))
            unconditional.setdefault(scope.fid, set()).add(index)
        joiners = {
            fid: found.pop()
            for fid, found in unconditional.items()
            if len(found) == 1
            and OWN_THREAD not in found  # whose thread a caller's ``self`` is, is not known
            and fid not in conditional
            and not _returns(self._scope_by_fid[fid])
            and self._scope_by_fid[fid].kind != "lambda"
        }
        for fid, index in joiners.items():
            for site in self._call_sites.get(fid, ()):
                if site.by_name and not site.in_loop and not site.ifs:
                    joins.setdefault(site.caller.fid, []).append((index, site.seq))
        return joins

    def _joined_entry(self, scope: Scope, names: set[str]) -> int | None:
        """The thread start (index in ``m.entries``) that ``names`` hold in ``scope``; None
        when none or several threads with different targets may be there."""
        related: set[int] = set()
        if scope.cls is not None:
            related = {id(c) for c in self.mro(scope.cls)}
        found: dict[str, int] = {}
        for index, entry in enumerate(self.m.entries):
            if entry.scope is None or entry.process or entry.in_loop or not entry.built:
                continue
            slot = entry.slot
            if entry.local:
                if entry.local in names and entry.scope is scope:
                    slot = ""  # the local variable itself, in its own function
                else:
                    # ``thread = Thread(...)``, ``thread.start()``, then ``self._thread =
                    # thread`` (mqdm's ``QueueCommandDispatch.start``): the attribute holds it
                    held = self._local_stored_in.get(index, set()) & names
                    if not held:
                        continue
                    slot = min(held)
            elif not slot or slot not in names:
                continue
            if slot.startswith(("self.", "cls.")):
                owner = entry.scope.cls
                if owner is None or scope.cls is None:
                    continue
                if id(owner) not in related and id(scope.cls) not in {
                    id(c) for c in self.mro(owner)
                }:
                    continue
            target = dotted_name(entry.target) if entry.target is not None else None
            found.setdefault(target or f"#{index}", index)
        return next(iter(found.values())) if len(found) == 1 else None

    @functools.cached_property
    def _local_stored_in(self) -> dict[int, set[str]]:
        """Thread start (index in ``m.entries``) built into a local variable -> the
        attributes of ``self`` (or ``cls``) its function then stores that variable in."""
        built: dict[tuple[int, str], list[tuple[int, int]]] = {}  # (fid, local) -> starts
        for index, entry in enumerate(self.m.entries):
            if entry.local and entry.scope is not None:
                built.setdefault((entry.scope.fid, entry.local), []).append((index, entry.seq))
        stored: dict[int, set[str]] = {}
        if not built:
            return stored
        for w in self.m.writes:
            if (
                w.op == "assign"
                and not w.subscript
                and not w.method
                and w.target.startswith(("self.", "cls."))
                and w.target.count(".") == 1
                and isinstance(value := _assigned_value(w.node), cst.Name)
            ):
                for index, seq in built.get((w.scope.fid, value.value), ()):
                    if w.seq > seq:
                        stored.setdefault(index, set()).add(w.target)
        return stored

    def write_ref(self, w: Write) -> Ref:
        """What a write changes: ``x = ...`` after ``global x`` is the module's ``x``; a
        parameter after the function rebound it to a new object is the function's own (pyro's
        ``logger_thread``: ``num_samples = [0] * num_chains``, then ``num_samples[pos] += 1``);
        anything else as ``resolve_ref`` classifies it."""
        if "." not in w.target and not w.subscript and w.target in w.scope.global_names:
            return Ref("global", self.mod_prefix + w.target)
        ref = self.resolve_ref(w.target, w.scope)
        head = w.target.partition(".")[0]
        if ref.kind == "param" and w.seq > w.scope.rebound.get(head, w.seq):
            return Ref("local", head)
        return ref

    def _callee_scopes(self, callee: str, scope: Scope) -> list[Scope]:
        """The called function, plus its overrides in subclasses for ``self.m()`` calls (a
        base class calling a hook under its lock: ``Handler.handle`` -> ``emit``)."""
        found = self._callee_scope(callee, scope)
        if found is None:
            return []
        out = [found]
        head, _, rest = callee.partition(".")
        if rest and scope.cls is not None and head == scope.self_name:
            for info in self.m.classes.values():
                if (
                    info is not scope.cls
                    and rest in info.methods
                    and any(c is scope.cls for c in self.mro(info))
                ):
                    out.append(info.methods[rest])
        return out

    def _stored_closure(self, cls: ClassInfo, head: str, attr: str) -> Scope | None:
        """``self._event = self._create_dispatcher()`` where the method returns a nested
        function: ``self._event(e)`` calls that function (celery's ``State``)."""
        found: set[int] = set()
        for info in self.mro(cls):
            for value in info.inst_attrs.get(attr, ()):
                factory_name = self._strip(value)
                if factory_name.startswith(head + "."):
                    found |= self._built_closures(cls, factory_name[len(head) + 1 :])
        if len(found) != 1:
            return None
        return self._scope_by_fid.get(found.pop())

    def _built_closures(self, cls: ClassInfo, factory_name: str) -> set[int]:
        """The nested functions the method ``factory_name`` returns."""
        factory = self._method(cls, factory_name)
        if factory is None:
            return set()
        return {
            int(local[7:-1])
            for name in factory.returns
            for local in factory.local_values.get(name, ())
            if local.startswith("<scope:")
        }

    def _property_closure(self, cls: ClassInfo, prop: Scope) -> Scope | None:
        """``@cached_property def _event(self): return self._create_dispatcher()``: calling
        ``self._event(e)`` calls the closure the factory builds (celery's ``State``)."""
        node = prop.node
        if not isinstance(node, cst.FunctionDef) or not is_property(node):
            return None
        body = node.body.body
        last = body[-1] if body else None
        if not (isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1):
            return None
        ret = last.body[0]
        if not (isinstance(ret, cst.Return) and isinstance(ret.value, cst.Call)):
            return None
        func = dotted_name(ret.value.func)
        head, _, rest = (func or "").partition(".")
        if head != prop.self_name or not rest or "." in rest:
            return None
        found = self._built_closures(cls, rest)
        return self._scope_by_fid.get(found.pop()) if len(found) == 1 else None

    def _method(self, cls: ClassInfo, name: str) -> Scope | None:
        for info in self.mro(cls):
            if name in info.methods:
                return info.methods[name]
        return None

    def _callee_scope(self, callee: str, scope: Scope) -> Scope | None:
        head, _, rest = callee.partition(".")
        if "." in rest:
            return None
        if rest and scope.cls is not None and head in (scope.self_name, scope.cls_name):
            method = self._method(scope.cls, rest)
            if method is not None:
                return self._property_closure(scope.cls, method) or method
            return self._stored_closure(scope.cls, head, rest)
        if rest:
            return self._singleton_method(head, rest, scope)
        sc: Scope | None = scope
        while sc is not None:
            for value in sc.local_values.get(head, []):
                if value.startswith("<scope:"):
                    return self._scope_by_fid.get(int(value[7:-1]))
            if sc.is_local(head):
                return None
            sc = sc.parent
        return self.m.functions.get(head)

    def _singleton_method(self, head: str, name: str, scope: Scope) -> Scope | None:
        """``_wn.run()`` where the module binds ``_wn`` only to an instance of one of its
        own classes (``_wn = _WrapNumbers()``, psutil's ``wrap_numbers``): that class's
        method. Not when ``head`` is a local or parameter of the calling function or of a
        function around it."""
        sc: Scope | None = scope
        while sc is not None:
            if head in sc.global_names:
                break
            if sc.is_local(head):
                return None
            sc = sc.parent
        values = self.m.module_values.get(head, [])
        infos = {id(info): info for v in values if (info := self.class_named(self._strip(v)))}
        if not values or len(infos) != 1 or len(infos) != len({self._strip(v) for v in values}):
            return None
        return self._method(next(iter(infos.values())), name)

    # -- lock suggestion ------------------------------------------------------------------------
    @functools.cached_property
    def module_locks(self) -> list[str]:
        """Module-level names bound to a lock (computed once: a module can have many findings)."""
        return [
            name
            for name, values in self.m.module_values.items()
            if any(self._is_lock_value(self._strip(v)) for v in values)
        ]

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
        stem = re.sub(r"\W+", "_", symbol.split(".")[-1]).strip("_") or "state"
        if ref.kind == "closure":
            lock = f"{stem}_lock"
            where = f"create `{lock} = threading.Lock()` beside `{stem}` in the enclosing function"
            return lock, f" ({where})"
        module_locks = self.module_locks
        # Reuse a lock only when it is plainly this state's or the module's one generic lock:
        # guarding unrelated state with ``_settings_lock`` would confuse the next reader.
        for name in module_locks:
            if stem.lower() in name.lower():
                return name, ""
        generic = [n for n in module_locks if n.strip("_").lower() in _GENERIC_LOCK_NAMES]
        if len(module_locks) == 1 and generic:
            return generic[0], ""
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
        if ref.kind in ("global", "class", "module_attr"):
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
        confidence: Confidence | None = None,
        items: tuple[str, ...] = ("",),
        **extra: object,
    ) -> Raw:
        """``items``: the items a read-modify-write can update (``stats["sent"]``, see
        ``_item_keys``): only the writers that can touch them are the state's writers."""
        kind = "fixed" if ref is None else ref.kind
        capped_by = self._capped_by(code, node, symbol, scope, ref)
        if confidence is None:
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
            guarded=self._guarded(ref, symbol, items),
            main_thread=self.on_main_thread(scope),
            writers=self.for_item(
                self.writers.get(_owner_key(ref, symbol), ()), _owner_key(ref, symbol), items
            )
            if ref is not None and ref.kind in _OWNED_KINDS
            else (),
            resets=self.resets.get(ref.key, ())
            if ref is not None and ref.kind == "instance"
            else (),
            capped_by=capped_by,
            **extra,  # type: ignore[arg-type]
        )

    def _capped_by(
        self, code: str, node: cst.CSTNode, symbol: str, scope: Scope, ref: Ref | None
    ) -> str:
        """Why this finding stays ``low`` whatever the project pass learns ("" when nothing
        caps it). The reason is shown in the message of a capped finding."""
        if self._fallback(scope):
            return CAPPED_FALLBACK
        if self._confined(scope, symbol):
            return "the state is confined to one thread"
        if code == "GIL005" and _documented_held(scope):
            return "documented: the caller holds the lock"
        if code not in _DATA_RULES:
            return ""
        if self._on_event_loop(scope):
            return "runs on an event loop's thread"
        if _documented_unsafe(scope):
            return "the function documents its threading contract"
        if _instance_state(ref, symbol, scope) and (contract := self._class_contract(scope)):
            return contract
        if _benign_note(scope, node):
            return "a comment calls the race benign"
        timed = isinstance(node, cst.AugAssign | cst.Assign) and _timing_only(symbol)
        if timed and code in ("GIL001", "GIL004", "GIL006"):
            return _TIMING_ONLY
        if code in ("GIL001", "GIL004") and self._conversion(node, symbol, scope):
            return _CONVERSION
        return ""

    def _conversion(self, node: cst.CSTNode, target: str, scope: Scope) -> bool:
        """``self.path = os.path.realpath(self.path)``, ``self.f = self.f.unwrap()``,
        ``run.run = self._ensure_completed(run.run)``: the new value is a call on the old value
        alone (with constants at most), a conversion of the value in place. Two threads that
        race both convert the same value and store the same result: there is no update of
        one thread for the other to lose, unlike ``n = n + 1`` (each thread means its own
        increment) or ``data = data.append(row)`` (each thread brings its own ``row``).

        On the twenty-six reviewed corpora the conversions were never real races (mavproxy's
        ``unwrap()`` of a log's file, mkdocs-material's ``realpath``, promptflow's and
        mlflow's conversions of a task's own value; ``benchmarks/review.md``, twentieth pass).
        """
        if not isinstance(node, cst.Assign) or len(node.targets) != 1:
            return False
        if dotted_name(node.targets[0].target) != target or not isinstance(node.value, cst.Call):
            return False
        found: list[bool] = []
        if not (self._from_alone(node.value, target, scope, found) and found):
            return False
        # ``cls.settings = cls.settings.copy()``, then ``cls.settings[key] = value``: a copy
        # the function goes on to change; the racing threads' changes are the updates lost
        return not any(
            w.scope is scope and w.target == target and (w.subscript or w.method)
            for w in self.m.writes
        )

    def _from_alone(
        self, expr: cst.BaseExpression, target: str, scope: Scope, found: list[bool]
    ) -> bool:
        """Is ``expr`` computed from ``target`` and constants only, through calls of named
        functions (``found`` records that ``target`` was read)?"""
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute):
                receiver = dotted_name(func.value)
                head = (receiver or "").partition(".")[0]
                if receiver is None:
                    if not self._from_alone(func.value, target, scope, found):
                        return False
                elif receiver == target or receiver.startswith(target + "."):
                    found.append(True)
                elif not (receiver in (scope.self_name, scope.cls_name) or head in self.m.imports):
                    return False  # ``callback.hook(x)``: the callee is an input of its own
            elif not isinstance(func, cst.Name) or scope.is_local(func.value):
                return False
            return all(
                arg.star == "" and self._from_alone(arg.value, target, scope, found)
                for arg in expr.args
            )
        if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float | cst.ConcatenatedString):
            return True
        if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
            return True
        dotted = dotted_name(expr)
        if dotted is not None and (dotted == target or dotted.startswith(target + ".")):
            found.append(True)
            return True
        return False

    def _class_contract(self, scope: Scope) -> str:
        """Why the method's class is documented as needing serialized callers ("" when it is
        not): its docstring, or a base class's in this module, states a threading contract
        for its instances ("Not thread safe", "Only one thread ..."), or the docstring of the
        module that defines it does. maskflow's session module opens with "Not thread-safe:
        ... the same not-shared-across-concurrent-callers caveat applies to [AsyncSession]
        too" (forty-seventh held-out corpus)."""
        scope = _named(scope)
        if scope.cls is None:
            return ""
        if any(
            c.doc is not None and known.unsafe_doc().search(c.doc) is not None
            for c in self.mro(scope.cls)
        ):
            return "the class documents its threading contract"
        if self.m.doc and known.unsafe_module_doc().search(self.m.doc) is not None:
            return "the module documents its threading contract"
        return ""

    def _on_event_loop(self, scope: Scope | None) -> bool:
        """Code of an ``async def`` (lambdas included), or a private helper only coroutines
        call: it runs on an event loop's thread. Coroutines interleave only at ``await``; a
        race with OS threads needs thread evidence a coroutine cannot carry (low)."""
        while scope is not None and scope.kind == "lambda":
            scope = scope.parent
        return scope is not None and (scope.is_async or scope.fid in self.loop_helpers)

    @functools.cached_property
    def loop_helpers(self) -> set[int]:
        """Private functions that only coroutines (or such helpers) call: they run on the
        event loop's thread too (kafka-python's ``_maybe_start_heartbeat_loop``)."""
        callers: dict[int, list[Scope]] = {}
        for fid, calls in self._call_sites.items():
            named = [c.caller for c in calls if c.by_name]
            if named:
                callers[fid] = named
        found: set[int] = set()
        changed = True
        while changed:
            changed = False
            for fid, sites in callers.items():
                scope = self._scope_by_fid[fid]
                if fid in found or scope.is_async or not _private(scope.name):
                    continue
                if all(c.is_async or c.fid in found for c in sites):
                    found.add(fid)
                    changed = True
        return found

    def _fallback(self, scope: Scope | None) -> bool:
        """Is this code inside a pure-Python fallback that a module-level import replaces
        (``def _filters_mutated(): ...`` then ``from _warnings import _filters_mutated``)?
        The accelerated twin is what runs; the Python body is dead where the twin exists."""
        while scope is not None and scope.parent is not None:
            scope = scope.parent
        if scope is None:
            return False
        if scope.cls is not None:
            info = scope.cls
            return info.qualname == info.name and info.name in self.m.imports
        return scope.qualname == scope.name and scope.name in self.m.imports

    def _in_construction(self, scope: Scope, ref: Ref) -> bool:
        """Single-threaded phases: ``__init__`` (and private helpers only it calls) for the
        instance, class creation hooks for the class."""
        sc: Scope | None = scope
        while sc is not None and sc.kind == "lambda":
            sc = sc.parent
        if sc is None:
            return False
        if ref.kind == "instance":
            if sc.cls is not None and self._implements_lock(sc.cls):
                return True  # a lock implementation: its own protocol guards its fields
            return _constructing(sc, self.m.fork_hooks) or sc.fid in self.construction
        if ref.kind == "class":
            return sc.name in known.CLASS_CREATION_METHODS
        return False

    def gil001_gil004(self, out: list[Raw]) -> None:
        for w in self.m.writes:
            if w.method in known.COUNTER_METHODS and "collections.Counter" in map(
                self._strip, self.values_of(w.target, w.scope)
            ):
                pass  # ``Counter.update()`` is a Python-level loop of item read-modify-writes
            elif w.op != "rmw" or w.method or w.initializing:
                continue  # an initializing update is the check-then-act's race (GIL002)
            scope = w.scope
            bare = "." not in w.target and not w.subscript and not w.method
            if bare and w.target not in scope.global_names:
                if w.target not in scope.nonlocal_names:
                    continue
            elif bare:
                if self.held(w.locks, scope):
                    continue
                ref = Ref("global", self.mod_prefix + w.target)
                if self._in_place(w) and not self._rebound(w.target, scope, ref):
                    continue  # ``_items += more`` extends the one list: nothing is lost
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
                        needs_thread=True,
                        updaters=self.updaters_of(_owner_key(ref, w.target)),
                    )
                )
                continue
            ref = self.write_ref(w)
            if not ref.shared or self._in_construction(scope, ref):
                continue
            if self.held(w.locks, scope):
                continue
            if ref.kind == "param" and not w.subscript and "." not in w.target:
                continue
            if self._in_place(w) and not self._rebound(w.target, scope, ref):
                continue  # ``self.items += more`` extends the one list: nothing is lost
            if ref.kind == "module_attr" and not isinstance(w.node, cst.AugAssign):
                continue  # patching another module's state: its threading story is not ours
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
                    # process-wide state: low unless a thread is seen running the update
                    needs_thread=ref.kind in _PROCESS_WIDE,
                    items=_item_keys(w),
                    task_key=_task_key(w),
                    updaters=self.for_item(
                        self.updaters_of(_owner_key(ref, w.target)),
                        _owner_key(ref, w.target),
                        _item_keys(w),
                    )
                    if ref.kind in _OWNED_KINDS
                    else (),
                )
            )

    def gil002(self, out: list[Raw]) -> None:
        done: set[int] = set()
        for w in self.m.writes:
            frame = w.check
            if frame is None or id(frame.node) in done:
                continue
            scope = w.scope
            if w.op == "read" and (
                w.target not in self.m.removal_kinds
                or "collections.defaultdict" in map(self._strip, self.values_of(w.target, scope))
            ):
                continue  # nothing removes items (or a defaultdict read cannot fail)
            if w.op == "read" and self._removers_excused(w.target, scope):
                continue  # only documented-unsafe or set-up code removes items
            if _other_key(frame, w):
                continue  # ``if d.get("a") is x: ... d["b"]``: the act does not rely on it
            if w.op == "read" and self._key_never_removed(w):
                continue  # removals take other items: ``d.pop("flag", None)``, then ``d["end"]``
            if w.op == "rmw" and not w.subscript and not w.method:
                # ``if x == 0: x = base`` / ``else: x = min(limit, x * 2)``: the update of the
                # tested variable is a read-modify-write (GIL001/GIL004), not a second act
                continue
            if w.op == "assign" and "." not in w.target and not w.subscript:
                if w.target not in scope.global_names:
                    continue
                ref = Ref("global", self.mod_prefix + w.target)
            else:
                ref = self.resolve_ref(w.target, scope)
            if not ref.shared or self._in_construction(scope, ref):
                continue
            if ref.kind in ("param", "module_attr"):
                continue
            if self.held(frame.locks, scope):
                continue
            if w.op == "assign" and not w.method and not self._creates_identity(w, frame, scope):
                continue
            if self._set_by_init(frame, w, scope):
                continue  # ``if not hasattr(self, "x"): self.x = {}`` never runs its act
            if w.method == "pop" and isinstance(w.node, cst.Call) and len(w.node.args) >= 2:
                continue  # ``d.pop(k, None)`` cannot fail, whoever removed the item first
            if (w.op in ("read", "del") or w.method in known.REMOVING_METHODS) and (
                w.caught & _LOOKUP_ERRORS
            ):
                continue  # the failure the race can cause is caught right there
            done.add(id(frame.node))
            raw = self._gil002_raw(frame, w, ref, scope)
            if w.op == "assign" and not w.method and ref.kind in _OWNED_KINDS:
                raw = replace(raw, actors=self._actors.get(_owner_key(ref, w.target), ()))
            if self._benign_act(w, frame) or (w.op == "read" and self._only_wiped(w.target, scope)):
                raw = replace(
                    raw, capped_by=raw.capped_by or "losing the race only repeats a harmless act"
                )
            elif _tests_own_store(frame.node, w):
                raw = replace(raw, capped_by=raw.capped_by or _OWN_STORE)
            elif (built := self._act_builds(w, scope)) == _LOCK:
                pass
            elif built:
                # not capped as a repeated initialization; a global needs a thread seen
                # running it, instance state the project pass weighs as usual (a lock on it
                # elsewhere makes it ``medium``)
                raw = replace(raw, needs_thread=ref.kind in _PROCESS_WIDE)
            elif self._change_detector(frame, w):
                raw = replace(raw, capped_by=raw.capped_by or _CHANGE_DETECTOR)
            elif self._repeats_initialization(w):
                raw = replace(raw, capped_by=raw.capped_by or _REPEATS_INITIALIZATION)
            else:
                raw = replace(raw, needs_thread=True)
            out.append(raw)

    def _removers_excused(self, target: str, scope: Scope) -> bool:
        """Is every function that removes items from ``target`` documented as not
        thread-safe (or for tests only), or set-up code (``unregister_converter``, which a
        program calls while it configures itself)? Then a read after a membership check
        cannot race with a removal in correct use."""
        key = self._state_key(target, scope)
        removers = [
            w.scope
            for w in self.m.writes
            if (w.op == "del" or w.method in known.REMOVING_METHODS)
            and self._state_key(w.target, w.scope) == key
        ]
        return bool(removers) and all(
            _documented_unsafe(sc) or known.sets_up(_named(sc).name) for sc in removers
        )

    def _set_by_init(self, frame: CheckFrame, w: Write, scope: Scope) -> bool:
        """Is the check ``hasattr(self, "x")`` on an attribute that the class's ``__init__``
        always sets (a statement of its body, not under an ``if``)? Then every object has
        it before any thread can see the object, and the act never runs (litellm's
        ``if not hasattr(self, "model_call_details"): self.model_call_details = {}``)."""
        checks = [c for c in frame.checks if c.ref == w.target]
        if not checks or any(c.kind != "hasattr" for c in checks):
            return False
        head, _, attr = w.target.partition(".")
        if scope.cls is None or head != scope.self_name or not attr or "." in attr:
            return False
        inits = [c.methods["__init__"] for c in self.mro(scope.cls) if "__init__" in c.methods]
        if not inits:
            return False
        init = inits[0]
        body = getattr(init.node, "body", None)
        if not isinstance(body, cst.IndentedBlock):
            return False
        for stmt in body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                targets: list[cst.BaseExpression] = []
                if isinstance(small, cst.Assign):
                    targets = [t.target for t in small.targets]
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets = [small.target]
                if any(dotted_name(t) == f"{init.self_name}.{attr}" for t in targets):
                    return True
        return False

    def _key_never_removed(self, w: Write) -> bool:
        """Is ``w`` a read of a constant key (``d["end_time"]``) that no removal can take:
        every removal from the container names another constant key (litellm's
        ``model_call_details.pop("has_logged_async_success", None)``, on the twenty-first
        held-out corpus)? The item may be missing anyway, but not because a thread removed
        it after the check."""
        if not isinstance(w.node, cst.Subscript):
            return False
        key = subscript_key(w.node)
        removed = self.m.removed_keys.get(w.target, set())
        return key is not None and bool(removed) and not removed & {key, ANY_KEY}

    def _only_wiped(self, target: str, scope: Scope) -> bool:
        """Is ``target`` only ever emptied whole (``clear()``), never item by item? A read
        after a membership check then races only with a full reset (joblib's
        ``Memory.clear``, SQLAlchemy's test-time ``_EventsHold._clear``)."""
        return self.m.removal_kinds.get(target) == {"clear"}

    def _in_place(self, w: Write) -> bool:
        """``x += more`` on a list, ``x |= other`` on a set or dict (and a set's ``-=``, ``&=``,
        ``^=``): the container changes itself in one operation (under its own lock on
        free-threaded CPython) and the name is stored back bound to the same object, so no
        update is lost. Only when every binding of ``x`` in the module is such a container."""
        node = w.node
        if w.subscript or w.method or not isinstance(node, cst.AugAssign):
            return False
        values = self.values_of(w.target, w.scope)
        if not values:
            return False
        operator = node.operator
        if isinstance(operator, cst.AddAssign):
            return all(v in (LIST, "list", "collections.deque") for v in values)
        # ``{}`` and ``{1}`` are both a CONTAINER: either supports ``|=``, and only a set
        # supports the others (code that runs them holds a set)
        if isinstance(operator, cst.BitOrAssign):
            kinds = {CONTAINER, "set", "dict", "collections.OrderedDict", "collections.defaultdict"}
        elif isinstance(operator, (cst.SubtractAssign, cst.BitAndAssign, cst.BitXorAssign)):
            kinds = {CONTAINER, "set"}
        else:
            return False
        return all(v != LIST and self._strip(v) in kinds for v in values)

    def _rebound(self, target: str, scope: Scope, ref: Ref) -> bool:
        """Is ``target`` bound to a new object outside construction and set-up code? Then an
        in-place update racing with it can store the old object back over the new one."""
        key = self._state_key(target, scope)
        for w in self.m.writes:
            if w.op != "assign" or w.subscript or w.method:
                continue
            if self._state_key(w.target, w.scope) != key:
                continue
            if self._in_construction(w.scope, ref) or known.sets_up(_named(w.scope).name):
                continue
            return True
        return False

    def _state_key(self, target: str, scope: Scope) -> str:
        if "." not in target and target in scope.global_names:
            return self.mod_prefix + target
        ref = self.resolve_ref(target, scope)
        if ref.kind == "unknown" and "." not in target:
            return self.mod_prefix + target  # read without ``global``: the module global
        return ref.key

    @staticmethod
    def _benign_act(w: Write, frame: CheckFrame) -> bool:
        """Acts whose lost race leaves no wrong state behind, only a repeat: an item added
        twice to a set (or appended twice after a membership test), a flag stored twice with
        the same constant; and the block does nothing else but report (a warn-once flag
        warns twice). A block that does other work (``init()``) would run it twice, and a
        check that returns early (``if x in seen: return False``) tells its caller "first
        time" twice: those stay."""
        if w.op == "read" and w.in_raise:
            return True  # the lost race turns one error into another on an error path
        if _takes_under_lock(frame, w):
            return True  # the act takes the buffer under a lock; the loser takes an empty one
        keyless = w.method in _KEYLESS_REMOVALS or (
            w.method == "pop" and isinstance(w.node, cst.Call) and not w.node.args
        )
        if keyless and _size_floor(frame.node.test, w.target) >= 2:
            return True  # ``if len(d) > 10: d.popitem()``: two removals cannot empty it
        if frame.early_exit:
            if w.op == "read" and ends_with(frame.node.body, (cst.Raise,)):
                # ``if k not in d: raise NotFound(k)`` then ``d[k]``: losing the race raises
                # KeyError instead of NotFound; an error either way
                return True
            if _switches_off(w, frame.node, early_exit=True):
                return True
            return _idempotent(w) and (
                _skips_to_report(frame.node, w) or _same_answer(frame.node, w)
            )
        if _switches_off(w, frame.node):
            return True
        return _idempotent(w) and _only_reports(frame.node, w.node, w.scope)

    def _creates_identity(self, w: Write, frame: CheckFrame, scope: Scope) -> bool:
        """Is losing the race observable? Two threads both pass the check and both store.

        It is when the stored value has identity (an instance, a container, a lock: the threads
        end up holding different objects and one's updates vanish), or when the guarded block
        does other work (an initialize-once flag: the work runs twice). It is not for an
        idempotent cache of a computed value (``re.compile(...)``, a string, a number).
        """
        value = _assigned_value(w.node)
        if value is None:
            return True
        if _is_container(value):
            # A lazily created registry loses registrations; a memo table entry does not.
            return not w.subscript and w.target in self.m.mutated_containers
        if _has_identity(value, self, scope):
            return True
        return _does_other_work(frame.node, w.node)

    def _act_builds(self, w: Write, scope: Scope) -> str:
        """What the act builds, when losing the race matters whatever else is known:
        ``_LOCK``, ``_POOL`` or ``_RESOURCE``; "" for anything else.

        A lock (``_lock = Lock()``, ``locks[key] = Lock()``, a class named ``...Lock``)
        breaks by itself, without thread evidence: two threads hold two different locks, so
        the lock excludes nothing; and building a lock is itself the author's word that
        several threads call this code. A worker pool, another synchronization object, a
        thread or a resource (``ThreadPoolExecutor()``, an ``Event``, a ``Queue``,
        ``Thread()``, ``connect()``, ``open()``) is never capped as a repeated initialization
        (reached from a thread, the loser's copy is leaked or waited on in vain), but on a
        global or class attribute it needs a thread seen running the code, like every other
        check-then-act (a lazily built singleton, an initialize-once flag, a cache entry, a
        read or removal after a membership test). On the twenty-five reviewed corpora, the
        lazily built locks without thread evidence were real races 3 times in 7; the lazily
        built pools 2 times in 15 (pytango's global executors, built by the main thread or
        harmlessly twice; ``benchmarks/review.md``, eighteenth pass); the events, queues,
        threads, connections and servers 0 times in 7 (twelfth pass).
        """
        if w.op != "assign" or w.method:
            return ""
        value = _assigned_value(w.node)
        return _builds(value, self, scope) if value is not None else ""

    def _repeats_initialization(self, w: Write) -> bool:
        """Does losing this race only run a lazy initialization twice?

        Two threads both see ``_client`` unset (or ``clients[key]`` missing) and both build
        it: the second store replaces the first, and the first thread goes on with an object
        nobody else holds; or both run the block's set-up call (``if not _ready: _ready =
        True; configure()``). Nothing raises, and no lock, executor or connection is split
        (``_act_builds`` keeps those). The lost object can lose state only when it is a
        container the code goes on to fill (registrations into the dropped dict): those stay.
        On the ten corpora reviewed before it, the cap took 7 visible findings (all reached from
        a thread) to ``low``, none of them a race a maintainer would fix (clients, sessions,
        once-only patches and set-up calls that one thread runs in practice;
        ``benchmarks/review.md``, ninth pass).
        """
        if w.op != "assign" or w.method:
            return False
        value = _assigned_value(w.node)
        if value is None or _is_container(value):
            return False
        # built by a call, a flag switched on, or a value read from shared state (both threads
        # store the same ``self._base_delay``); not a teardown that switches it off
        # (``if x is not None: x.close(); x = None`` can use the other thread's ``None``)
        return (
            any(True for _ in _branch_calls(value))
            or _truthy_constant(value)
            or self._shared_value(value, w.scope)
        )

    def _shared_value(self, value: cst.BaseExpression, scope: Scope) -> bool:
        """``self._base_delay``, ``cls.DEFAULT``, a module global: what every thread reads
        alike, unlike a local variable or a parameter (``_pool_pid = my_pid``)."""
        dotted = dotted_name(value)
        if dotted is None:
            return False
        head, dot, _ = dotted.partition(".")
        if dot and head in (scope.self_name, scope.cls_name, "cls"):
            return True
        local = head in scope.assigned or head in scope.params
        return not local and head in self.m.module_values

    @staticmethod
    def _change_detector(frame: CheckFrame, w: Write) -> bool:
        """``if self._uri != uri: self._uri = uri; reset()``: the test compares the state with
        the value the act stores, so it only detects a change. Threads that race through it
        store what unconditional assignments would, in some order; there is no "unset" state
        for two of them to initialize (pysyncobj's commit index, mlflow's tracking URI)."""
        test = frame.node.test
        value = _assigned_value(w.node)
        if w.op != "assign" or w.method or w.subscript or value is None:
            return False
        if dotted_name(value) in (None, "None", "True", "False"):
            return False  # ``if x is not None: x = None`` is a teardown, not a change
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return False
        comparison = test.comparisons[0]
        # ``if x != v: x = v``, or ``if x == v: return`` then ``x = v``
        detects = cst.Equal | cst.Is if frame.early_exit else cst.NotEqual | cst.IsNot
        if not isinstance(comparison.operator, detects):
            return False
        sides = {code_of(test.left), code_of(comparison.comparator)}
        return sides == {w.target, code_of(value)}

    def _gil002_raw(self, frame: CheckFrame, w: Write, ref: Ref, scope: Scope) -> Raw:
        target = w.target
        lock, where = self.suggest_lock(scope, ref, target)
        if_code = code_of(frame.node)
        replacement: str | None = f"with {lock}:\n{_indent(if_code)}"
        medium_at_most = ""
        relock = _takes_lock(frame.node, lock)
        if frame.early_exit or relock:
            # ``if x is not None: return x`` then ``x = ...``: the lock must span both, which
            # is not one statement; say it in words. And wrapping a block that takes the
            # same lock inside would deadlock on a ``Lock``: the fix is a re-check there.
            replacement = None
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
            value = _assigned_value(w.node) if w.op == "assign" and not w.method else None
            if value is None or not (_is_container(value) or self._act_builds(w, scope)):
                # not a lock, pool or resource (two of them split), nor a container the
                # code goes on to fill (the loser's items go with it)
                medium_at_most = _DUPLICATE_INSERT
        elif _clears(w):
            # ``if self._pool is not None: self._pool.close(); self._pool = None``: a
            # tear-down, not an initialization (streamdeck-ui's dimmer timer, waymore's
            # ``linkMimes``: real races, whose message told the wrong one)
            act = f"clearing of `{target}`"
            why = (
                "another thread can change it in between: two threads can both see it set "
                "and both tear it down, or one clears it while the other still uses it"
            )
            suggestion = (
                f"Hold a lock around check and act{where}, or take the value and clear it in "
                f"one step under the lock (`old, {target} = {target}, None`) and tear `old` "
                "down after."
            )
        else:
            act = f"assignment to `{target}`"
            why = "two threads can both see it unset and both initialize it"
            suggestion = (
                f"Hold a lock around check and act{where}; for lazy initialization use "
                f"double-checked locking (re-check `{target}` inside `with {lock}:`)."
            )
        if relock:
            suggestion = (
                f"The block already takes `{lock}`: do the act inside that `with {lock}:` "
                f"block and repeat the test of `{target}` there (double-checked locking)."
            )
        elif frame.early_exit:
            suggestion += " The check returns early: the lock must cover it and the later act."
        message = f"check-then-act on `{target}`: the test and the {act} are not atomic; {why}"
        raw = self._raw(
            "GIL002",
            frame.node,
            message,
            suggestion,
            replacement,
            target,
            scope,
            ref,
            medium_at_most=medium_at_most,
        )
        if (w.op == "read" or w.op == "del" or w.method in known.REMOVING_METHODS) and raw.writers:
            # What breaks the check is another removal, not another insertion: when one
            # thread does all the removing (pychromecast's worker closes its own channels,
            # callers only open them), the item it saw is still there. Removals from this
            # container, not from its owner's others (rally's result and event queues).
            raw.writers = self.removers_of(ref, target)
        return raw

    def gil003_gil005(self, out: list[Raw]) -> None:
        for call in self.m.cond_calls:
            scope = call.scope
            if call.receiver in self.m.async_conditions:
                continue  # awaited or ``async with``: an asyncio/trio condition
            is_cond, cond_lock = self.is_condition(call.receiver, scope)
            if not is_cond:
                continue
            recv = call.receiver
            owner = recv.rpartition(".")[0]
            # ``_cond = Condition(_lock)`` in a class body names the class's own ``_lock``
            own = f"{owner}.{cond_lock}" if cond_lock and "." not in cond_lock and owner else ""
            built_on = cond_lock
            if own and self.values_of(own, scope):
                cond_lock = own
            timed = any(
                not (isinstance(a.value, cst.Name) and a.value.value == "None")
                for a in call.node.args
            )
            # A timed wait outside any ``if`` is a bounded sleep or a "wait, re-check, give up"
            # (``Future.result(timeout)``); only an untimed wait, or one guarded by a
            # predicate test, assumes the predicate holds once it returns.
            tests_shared = call.if_test is not None and self._tests_shared_state(
                call.if_test, scope
            )
            # ``wait(t); return``: a bounded sleep, then give up. An untimed wait that is not
            # guarded by a shared predicate and is followed by ``return`` waits for a poke and
            # leaves (waitress: wake the main thread, wait for its decision, return).
            pause = call.then_leaves and (timed or not tests_shared)
            if (
                call.method == "wait"
                and not call.in_while
                and scope.fid not in self.looped_helpers
                and not call.reported
                and not pause
                and (not timed or tests_shared)
                and not self._process_condition(recv, scope)
            ):
                replacement = _wait_for_fix(call)
                raw = self._raw(
                    "GIL003",
                    call.node,
                    f"`{recv}.wait()` is not inside a `while` loop re-checking its "
                    "predicate: another thread can take what this one was woken for (a "
                    "stolen wakeup), and it goes on with the predicate false",
                    f"Re-check in a loop (`while not <predicate>: {recv}.wait()`) or use "
                    f"`{recv}.wait_for(<predicate>)`.",
                    replacement,
                    recv,
                    scope,
                    None,
                )
                # High only when several threads can wait here (settled by the project pass).
                raw = replace(raw, kind="waiter")
                if self._fresh_condition(recv, scope):
                    raw = replace(raw, capped_by=_OWN_CONDITION)
                out.append(raw)
            inherited = self.inherited_private.get(scope.fid, ())
            held = self._with_cond_locks([*call.locks, *inherited], scope)
            owners = {recv}
            if cond_lock:
                # the lock as named where the condition was built, too: ``self.mutex = mutex
                # = RLock()``, then ``Condition(mutex)`` twice (culsans's queues): ``with
                # self.not_full:`` holds the ``mutex`` that ``self.not_empty`` was built on
                owners.add(cond_lock)
                if built_on:
                    owners.add(built_on)
            if self._same_lock(held, owners, scope):
                continue
            if call.caught & _EXPECTED_RUNTIME_ERROR:
                continue  # ``except RuntimeError:`` or a test's ``pytest.raises(RuntimeError)``
            if cond_lock is None and any(self.lock_strength(lk, scope) == POSSIBLE for lk in held):
                continue
            method = call.method
            # ``high`` when the function takes this condition itself elsewhere (``with cv:``
            # then ``cv.notify()`` after the block; ``acquire()``, ``release()``, then the
            # call): it shows the lock is not held on entry. Otherwise whether its callers
            # hold it is a contract one file rarely shows (a caller, a decorator, ``with
            # self:``, a dispatch table): of every such finding reviewed on real code
            # (benchmarks/review.md) none was a real hazard, so it is ``medium``.
            taken = self._with_cond_locks(sorted(scope.entered), scope)
            takes_it = self._same_lock(taken, owners, scope)
            out.append(
                self._raw(
                    "GIL005",
                    call.node,
                    f"`{recv}.{method}()` without holding the condition's lock: raises "
                    "RuntimeError('cannot ... un-acquired lock') when this path runs",
                    f"Call it inside `with {recv}:`"
                    + (
                        f" (or `with {cond_lock}:`, the lock it was built on)."
                        if cond_lock
                        else "."
                    ),
                    f"with {recv}:\n{_indent(code_of(call.node))}",
                    recv,
                    scope,
                    None,
                    confidence=Confidence.HIGH if takes_it else Confidence.MEDIUM,
                )
            )

    def gil006(self, out: list[Raw]) -> None:
        """Writes under a lock in some places and without any in others (IS2_INCONSISTENT_SYNC).

        Like SpotBugs, it speaks only where locking is a real policy for that state (at least
        a third of its writes are locked: one locked ``close()`` among four unlocked writes is
        incidental), and it leaves alone classes that implement a lock themselves (their fields
        are guarded by their own protocol). Writes that each hold a lock, but not a common one,
        are reported too.
        """
        first = len(out)
        self._gil006(out)
        # confidence follows thread evidence, like every data rule (settled in project.py)
        out[first:] = [replace(raw, kind="inconsistent") for raw in out[first:]]

    def _gil006(self, out: list[Raw]) -> None:
        locked: dict[str, list[tuple[Write, list[str]]]] = {}
        unlocked: dict[str, list[Write]] = {}
        for w in self.m.writes:
            if w.method or w.op == "read":
                continue
            if w.subscript and w.op != "rmw":
                continue
            scope = w.scope
            if w.target.count(".") > 1:
                continue  # ``self.a.b = x`` writes another object's state
            ref = self.write_ref(w)  # a bare name that is not global is local: left below
            if ref.kind not in ("global", "class", "instance") or self._in_construction(scope, ref):
                continue
            if _constructing(scope, self.m.fork_hooks) or scope.fid in self.construction:
                continue
            if scope.cls is not None and self._implements_lock(scope.cls):
                continue
            definite = self.held(w.locks, scope, DEFINITE)
            if definite:
                locked.setdefault(ref.key, []).append((w, definite))
            elif not self.held(w.locks, scope):
                unlocked.setdefault(ref.key, []).append(w)
        for entries in locked.values():
            self._two_locks(entries, out)
        for key, writes in unlocked.items():
            if 2 * len(locked.get(key, ())) < len(writes):
                continue  # mostly unlocked: the lock elsewhere is incidental, not the rule
            for w in writes:
                # a lock around other constant items of a dict says nothing of this one
                # (pgsync's ``count["db"]`` under the lock, ``count["xlog"]`` without; a
                # conditional key names its constants: sparkcache's ``counters["store_evicted"
                # if evicted else "store_failed"]`` under the lock, ``counters["capacity_
                # retries"]`` without, forty-seventh held-out corpus)
                mine = [
                    (other, held)
                    for other, held in locked[key]
                    if any(same_item(a, b) for a in _item_keys(w) for b in _item_keys(other))
                ]
                if not mine:
                    continue
                lw, held = mine[0]
                ref = self.write_ref(lw)
                lock = held[-1]
                if lock.startswith("call:"):
                    lock = f"{lock[5:]}(...)"
                shown = f"{w.target}[...]" if w.subscript else w.target
                if w.op == "rmw":
                    what = "read-modify-written"
                    why = "concurrent updates can be lost"
                    confidence = Confidence.HIGH
                else:
                    # A plain store races only in ways the class's protocol decides (a flag
                    # set at shutdown, a field handed over before an Event): worth a look,
                    # not a default alarm.
                    what = "written"
                    why = "the lock does not protect it"
                    confidence = Confidence.LOW
                raw = self._raw(
                    "GIL006",
                    w.node,
                    f"`{shown}` is written under `{lock}` in `{lw.scope.shown}` "
                    f"(line {{other}}) but {what} without it here: {why}",
                    f"Take `{lock}` here too, as the other writes do.",
                    f"with {lock}:\n{_indent(code_of(w.node))}",
                    w.target,
                    w.scope,
                    None,
                    confidence,
                    other=lw.node,
                )
                # Every writer of the state, for the one-owner check: a lock taken in code
                # that runs on the same single thread as the unlocked write excludes nothing
                # (OctoPrint's virtual printer resets under a lock from its own reader thread).
                out.append(
                    replace(
                        raw,
                        writers=self.writers.get(_owner_key(ref, w.target), ()),
                        cls=ref.cls if ref.kind == "instance" else "",
                    )
                )

    def _two_locks(self, entries: list[tuple[Write, list[str]]], out: list[Raw]) -> None:
        """Every write holds a lock, but no one lock is held by all of them."""
        entries = [(w, held) for w, held in entries if not w.subscript]  # items differ by key
        if len(entries) < 2:
            return
        keyed = [
            (w, held, self._keys(self._with_cond_locks(held, w.scope), w.scope))
            for w, held in entries
        ]
        if set.intersection(*(k for _, _, k in keyed)):
            return
        for w, held, keys in keyed:
            other = next(
                (
                    (w2, h2)
                    for w2, h2, k2 in keyed
                    if not keys & k2 and not self._sets_up_for(w2, w)
                ),
                None,
            )
            if other is None:
                continue
            w2, h2 = other
            out.append(
                self._raw(
                    "GIL006",
                    w.node,
                    f"`{w.target}` is written under `{held[-1]}` here but under `{h2[-1]}` in "
                    f"`{w2.scope.shown}` (line {{other}}): two different locks do not "
                    "exclude each other",
                    f"Guard `{w.target}` with one lock everywhere (`{h2[-1]}` or `{held[-1]}`).",
                    None,
                    w.target,
                    w.scope,
                    None,
                    # two plain stores race only as the class's protocol decides, like an
                    # unlocked plain store (a flag only ever set to True, a setting written
                    # once at start-up and then by one reader thread)
                    Confidence.HIGH if "rmw" in (w.op, w2.op) else Confidence.LOW,
                    other=w2.node,
                )
            )

    def _sets_up_for(self, before: Write, w: Write) -> bool:
        """Does ``before`` come, in its function, before the start of a thread that runs
        ``w``'s method (``Thread(target=self._loop)``, ``w`` in ``_loop``)? Then it sets the
        state up for that thread, whatever lock it holds: alaska2's ``start_live`` clears
        ``_raw`` under the camera lock and then starts the receiving and converting loops,
        which hand ``_raw`` over under their own lock (thirty-second held-out corpus)."""
        sc = w.scope
        if sc.cls is None or not sc.self_name:
            return False
        for index in self._starts_after(before.scope, before.seq):
            entry = self.m.entries[index]
            starter = entry.scope
            target = dotted_name(entry.target) if entry.target is not None else None
            if starter is None or starter.cls is not sc.cls or target is None:
                continue
            if target == f"{starter.self_name}.{sc.name}":
                return True
        return False

    def _with_cond_locks(self, locks: list[str], scope: Scope) -> set[str]:
        """Held locks, plus the lock each held Condition was built on."""
        locks = self.expand(locks, scope)
        held = set(locks)
        for lk in list(locks):
            for entered in self._entered_locks(lk, scope):  # ``with self:``: its ``__enter__``
                locks.append(f"{lk}.{entered}")
                held.add(f"{lk}.{entered}")
            for taken in self._helper_locks(lk, scope):  # ``self.lock()``: what it acquires
                locks.append(taken)
                held.add(taken)
        for lk in list(locks):
            if not lk.startswith("@") or not scope.self_name:
                continue
            if self._decorator_enters_self(lk[1:], scope):
                for entered in self._entered_locks(scope.self_name, scope):
                    locks.append(f"{scope.self_name}.{entered}")
                    held.add(f"{scope.self_name}.{entered}")
        for lk in locks:
            if lk.startswith("@") and scope.self_name:
                attr = self._decorator_lock(lk[1:], scope)
                if attr is not None:
                    held.add(f"{scope.self_name}.{attr}")
                    lk = f"{scope.self_name}.{attr}"
            is_cond, built_on = self.is_condition(lk, scope)
            if is_cond and built_on:
                held.add(built_on)
        return held

    def _entered_locks(self, expr: str, scope: Scope) -> list[str]:
        """``with self:`` (or ``with obj:``) where the class's ``__enter__`` returns holding
        ``self._lock``: the attributes it holds (``["_lock"]``), so a Condition built on
        ``self._lock`` is held (debugpy's ``JsonMessageChannel``)."""
        if not expr.isidentifier():
            return []  # ``self._lock``, ``@locked``, ``lock()``: not an object entered whole
        if expr == scope.self_name and scope.cls is not None:
            info: ClassInfo | None = scope.cls
        else:
            name = self.instance_class(cst.Name(expr), scope)
            info = self.class_named(name) if name is not None else None
        enter = self._method(info, "__enter__") if info is not None else None
        if enter is None or not enter.self_name:
            return []
        prefix = enter.self_name + "."
        return [
            key[len(prefix) :]
            for key in enter.returned_locks
            if key.startswith(prefix) and "." not in key[len(prefix) :]
        ]

    def _helper_locks(self, lk: str, scope: Scope) -> list[str]:
        """``self.lock()`` held (an ``ACQUIRE_RELEASE`` helper call) where the helper is a
        method or function of this module that returns holding what it acquired: those locks,
        in the caller's terms. taurus's ``EventGenerator.lock()`` is ``self.cond.acquire()``,
        so ``try: self.lock() ... self.cond.notifyAll()`` holds the Condition."""
        if not lk.endswith("()"):
            return []
        callee = self._callee_scope(lk[:-2], scope)
        if callee is None or not callee.returns_holding:
            return []
        taken: list[str] = []
        for key in callee.returned_locks:
            head, dot, rest = key.partition(".")
            if callee.self_name and head == callee.self_name:
                if dot and scope.self_name and lk.startswith(scope.self_name + "."):
                    taken.append(f"{scope.self_name}.{rest}")
            elif not callee.is_local(head) and not scope.is_local(head):
                taken.append(key)  # a module-level lock, the same name in both functions
        return taken

    def _decorator_def(self, name: str, scope: Scope) -> cst.FunctionDef | None:
        """The definition of a decorator that this module writes: a module function
        (``def locked(fn): ...``) or a function of the decorated method's class body
        (manticore's ``ManticoreBase.sync``, used as ``@sync`` inside the class)."""
        deco = self.m.functions.get(name) or self.m.functions.get("_" + name)
        if deco is None and scope.cls is not None:
            deco = scope.cls.methods.get(name)
        return deco.node if deco is not None and isinstance(deco.node, cst.FunctionDef) else None

    def _decorator_lock(self, name: str, scope: Scope) -> str | None:
        """The instance attribute a locking decorator of this module holds: ``def
        locked(fn): def inner(self, ...): with self._pool_lock: ...`` -> ``_pool_lock``
        (peewee's ``PooledDatabase``)."""
        deco = self._decorator_def(name, scope)
        if deco is None:
            return None
        found = wrapper_locks(deco)
        return next(iter(found)) if len(found) == 1 else None

    def _decorator_enters_self(self, name: str, scope: Scope) -> bool:
        """A locking decorator of this module whose wrapper runs the method inside ``with
        self:`` (pythreader's ``@synchronized``)."""
        deco = self._decorator_def(name, scope)
        return deco is not None and wrapper_enters_self(deco)

    @functools.cached_property
    def gui_module(self) -> bool:
        module_parts = set(self.m.module.split("."))
        imported = {q.partition(".")[0] for q in [*self.m.imports.values(), *self.m.star_imports]}
        return bool((module_parts | imported) & known.GUI_MODULES)

    def on_main_thread(self, scope: Scope) -> bool:
        """Code that Python runs only on the main thread, or a GUI toolkit's own thread."""
        if self.gui_module:
            return True
        sc: Scope | None = scope
        while sc is not None:
            if sc.fid in self.m.main_thread_scopes or sc.name in self.m.main_thread_names:
                return True
            sc = sc.parent
        return False

    def _same_lock(self, locks: set[str], owners: set[str], scope: Scope) -> bool:
        """Does one of ``locks`` name one of ``owners``, as written or as state?"""
        return bool(locks & owners or self._keys(locks, scope) & self._keys(owners, scope))

    def _keys(self, exprs: set[str], scope: Scope) -> set[str]:
        """State identities of lock expressions: ``Channel._cv`` and ``self._cv`` are one, and
        so are ``self`` (``self.acquire()``) in two methods of one class."""
        keys: set[str] = set()
        for e in exprs:
            if e.startswith("call:"):
                continue
            if e == scope.self_name and scope.cls is not None:
                keys.add(f"{self.class_qualname(scope.cls)}.<self>")
            else:
                keys.add(self.resolve_ref(e, scope).key)
        return keys

    def _tests_shared_state(self, test: cst.BaseExpression, scope: Scope) -> bool:
        """Does an ``if`` test read anything but locals (a predicate other threads change)?"""
        stack: list[cst.CSTNode] = [test]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name | cst.Attribute):
                name = dotted_name(node)
                if name is not None:
                    if self.resolve_ref(name, scope).kind not in ("local", "unknown"):
                        return True
                    if isinstance(node, cst.Name):
                        continue
            if isinstance(node, cst.Attribute):
                stack.append(node.value)
                continue
            stack.extend(node.children)
        return False

    def _implements_lock(self, info: ClassInfo) -> bool:
        methods: set[str] = set()
        for c in self.mro(info):
            methods |= c.methods.keys()
        return {"acquire", "release"} <= methods

    def gil004_iteration(self, out: list[Raw]) -> None:
        """Iterating over a shared container that thread-reachable code mutates.

        Judged per module here (mutated anywhere in a function, iterated without a lock); the
        finding is a ``global``/``class``/``instance`` candidate, so its confidence follows
        the same sharing evidence as the other GIL004 findings.
        """
        mutated: dict[str, list[Write]] = {}
        tails: dict[int, tuple[str, ...]] = {}  # id(write) -> its ``_tail``
        for w in self.m.writes:
            if (w.method and w.method not in ("pop", "popleft")) or (
                w.subscript and w.op in ("assign", "del")
            ):
                ref = self.resolve_ref(w.target, w.scope)
                if ref.shared and not self._in_construction(w.scope, ref):
                    mutated.setdefault(ref.key, []).append(w)
                    tails[id(w)] = _tail(w.target, ref)
        if not mutated:
            return
        for it in self.m.iterations:
            scope = it.scope
            ref = self.resolve_ref(it.target, scope)
            if ref.key not in mutated or ref.kind not in ("global", "class", "instance"):
                continue
            if self.held(it.locks, scope) or self._in_construction(scope, ref):
                continue  # locked, or ``__init__`` before the object escapes
            # ``self.tasks = self.tasks[-200:]`` (or ``= self.tasks``) stores what it held,
            # trimmed: no new kind of container
            itself = (f"{SLICE}{it.target}>", f"<ref:{it.target}>")
            values = [v for v in self.values_of(it.target, scope) if v not in itself]
            # a list, or nothing at times (``None``, a number: no container to iterate then)
            is_list = any(v in (LIST, "list") for v in values) and all(
                v in (LIST, "list", CONST) for v in values
            )
            # ``self.boiler.registers.extend(...)`` changes another container of the same
            # object than ``for r in self.boiler.index`` walks (diematic-server, thirty-seventh
            # held-out corpus)
            tail = _tail(it.target, ref)
            writes = [w for w in mutated[ref.key] if _one_container(tail, tails[id(w)])]
            # ``{"sent": 0, "failed": 0}`` whose items are only stored again, or a store under
            # a key the writer's own loop over the container found: a value replaced under an
            # iterator is seen old or new, and the size never changes
            fixed = _fixed_keys(values)
            writes = [
                w
                for w in writes
                if not (w.op == "assign" and (w.existing_key or (fixed and w.item in fixed)))
            ]
            if is_list:
                writes = [w for w in writes if (w.method or w.op) not in _LIST_APPENDS]
            if not values:
                # Never bound in this module (a base class's or a framework's object): only a
                # change a container alone makes says it is one. ``update()`` is also the name
                # of every other "set these values" API (panel's ``self.param.update(...)``).
                writes = [w for w in writes if w.method not in _GENERIC_CHANGES]
            if not writes:
                # A list's iterator never raises: an item appended (or replaced) meanwhile is
                # seen or not, like any read. Dicts, sets and deques raise "changed size" or
                # "mutated during iteration"; a list that loses or gains items in the middle
                # makes the loop skip or repeat some.
                continue
            writer = writes[0]
            if writer.scope is scope:
                continue  # a loop that mutates what it iterates is a different bug
            lock, where = self.suggest_lock(scope, ref, it.target)
            raw = self._raw(
                "GIL004",
                it.node,
                f"iteration over shared `{it.target}` without a lock while "
                f"`{writer.scope.shown}` (line {{other}}) changes it: "
                + (
                    "items are skipped or seen twice when another thread removes or inserts"
                    if is_list
                    else "RuntimeError 'changed size during iteration' or a torn view"
                ),
                f"Iterate over a snapshot taken under a lock{where}: "
                f"`with {lock}: items = list({it.target})`.",
                None,
                it.target,
                scope,
                ref,
                other=writer.node,
                end_node=_for_header_end(it.node),
            )
            raw.kind = "iter"
            raw.cls = ref.cls if ref.kind == "instance" else ""  # judged like instance state
            if is_list:
                # Reviewed: 5 of 21 such loops were real races (status queries and
                # best-effort broadcasts tolerate a skipped item; a dict raises instead)
                raw.capped_by = _LIST_SKIPS
            raw.writer = self.qualname(writer.scope)
            before = self._apart_from(scope, it.seq)
            if before:  # before the start of threads, or after a join
                raw.before_start = f"{self.qualname(scope)}{BEFORE_INDEX}{_indexes(before)}"
            out.append(raw)


class _Site(NamedTuple):
    """A call of a known function: who calls it, holding which locks, how, and where."""

    caller: Scope
    locks: tuple[str, ...]
    by_name: bool  # False: an override a ``self.m()`` call may reach
    in_while: bool  # inside a ``while`` loop of the caller
    in_loop: bool  # inside any loop of the caller
    ifs: tuple[cst.If, ...]  # the caller's ``if`` statements around it
    seq: int  # position in the walk, as ``Write.seq``


#: A handler (or a test's ``pytest.raises``) of these around a GIL005 call expects the error:
#: the call is deliberate (a test of the RuntimeError, a "notify if we can" fallback)
_EXPECTED_RUNTIME_ERROR = frozenset({"RuntimeError"})

#: What a read or a removal of a missing item raises (a set's ``remove``: KeyError, a list's:
#: ValueError), and handlers that catch them all ("" is a bare ``except:``).
_LOOKUP_ERRORS = frozenset(
    {"KeyError", "IndexError", "LookupError", "ValueError", "Exception", "BaseException", ""}
)

#: Process-wide state: a lost update on it counts when a thread is seen running the update.
_PROCESS_WIDE = frozenset({"global", "class", "module_attr"})

#: State whose writers the project pass weighs (one owning thread, or a conflicting pair).
_OWNED_KINDS = frozenset({"instance", "global", "class", "closure"})


#: Rules about data races (not about misusing a ``threading.Condition``).
def _item_keys(w: Write) -> tuple[str, ...]:
    """The items a write can touch, as ``same_item`` compares them (``stats["sent"]``, the
    constants of ``d["a" if x else "b"]``, the pattern of ``d[f"miss_{why}"]``); ``("",)``,
    any item, for an attribute or a computed key."""
    return (w.item,) if w.item else w.item_choices or ("",)


_DATA_RULES = frozenset({"GIL001", "GIL002", "GIL004", "GIL006"})


#: Decorators that turn a method into an attribute computed on access.
_PROPERTIES = frozenset({"property", "cached_property", "cachedproperty", "lazy_property"})
#: ``@x.setter`` and the like: more functions an attribute access runs
_ACCESSORS = frozenset({"setter", "getter", "deleter"})


def is_property(node: cst.FunctionDef, *, accessors: bool = False) -> bool:
    """Is the function run by an attribute access: ``@property``, ``@cached_property``...
    and, with ``accessors``, ``@x.setter``, ``@x.getter``, ``@x.deleter``?"""
    names = _PROPERTIES | _ACCESSORS if accessors else _PROPERTIES
    return any(
        (dotted_name(d.decorator) or "").rpartition(".")[2] in names for d in node.decorators
    )


#: A docstring that retires the function: "Deprecated, use :meth:`event`." or ``..
#: deprecated::``.
_DEPRECATED_DOC = re.compile(r"^\s*deprecated\b|\.\.\s+deprecated::", re.IGNORECASE)


def _deprecated(scope: Scope) -> bool:
    """Is this function documented as deprecated? Its unlocked call of a helper that every
    current caller calls under a lock is the old way in, kept for compatibility (celery's
    ``State.task_event``: "Deprecated, use :meth:`event`", which takes the lock)."""
    node = scope.node
    if not isinstance(node, cst.FunctionDef):
        return False
    doc = node.get_docstring(clean=False)
    return doc is not None and _DEPRECATED_DOC.search(doc) is not None


def _documented_unsafe(scope: Scope | None) -> bool:
    """The function's docstring says it is not thread-safe, or for tests only (``unregister``
    in Django: "This is not a thread-safe operation"; ``copyreg.remove_extension``: "For
    testing only"). The author has stated the contract; callers must serialize."""
    while scope is not None:
        node = scope.node
        if isinstance(node, cst.FunctionDef):
            doc = node.get_docstring(clean=False)
            if doc and known.unsafe_doc().search(doc):
                return True
            func = _function_of(scope)
            if func is not None and any(
                known.unsafe_doc().search(text) for text in _comments(func, [])
            ):
                return True  # "# Caller already holds self._lock", "# not thread-safe"
        scope = scope.parent
    return False


def _documented_held(scope: Scope) -> bool:
    """Does the function's docstring or opening comment say its caller holds the lock?"""
    func = _function_of(scope)
    if func is None:
        return False
    texts = [func.get_docstring(clean=False) or "", *_comments(func, [])]
    return any(known.held_doc().search(text) for text in texts)


def _instance_state(ref: Ref | None, symbol: str, scope: Scope) -> bool:
    """Is the reported state the instance's own (``self.x``)? GIL006 reports carry no ref."""
    if ref is not None:
        return ref.kind == "instance"
    return scope.self_name is not None and symbol.split(".", 1)[0] == scope.self_name


def _benign_note(scope: Scope, node: cst.CSTNode) -> bool:
    """Does a comment call this race benign? Read are the comments that open the function
    (what it is for) and the ones on or just above the reported statement (filelock's
    "Two threads sweeping at once only both try the same removals"). The author weighed the
    race and kept it; a fix would not be accepted."""
    func = _function_of(scope)
    if func is None:
        return False
    stmt = _statement_of(func.body, node)
    blocks = _comments(func, [stmt] if stmt is not None else [])
    return any(known.benign_race_note().search(b) for b in blocks)


def _named(scope: Scope) -> Scope:
    """The ``def`` a lambda sits in (the scope itself for a function)."""
    while scope.kind == "lambda" and scope.parent is not None:
        scope = scope.parent
    return scope


def _function_of(scope: Scope) -> cst.FunctionDef | None:
    func = _named(scope).node
    if not isinstance(func, cst.FunctionDef) or not isinstance(func.body, cst.IndentedBlock):
        return None
    return func


def _comments(func: cst.FunctionDef, more: list[cst.CSTNode]) -> list[str]:
    """The comment blocks that open ``func`` (above ``def``, after ``def ...:``, above and
    beside its first statement, or the one after its docstring), then those on and above
    ``more``; the lines of one block joined by spaces."""
    body = func.body
    assert isinstance(body, cst.IndentedBlock)
    blocks: list[str] = []
    # the block right above ``def`` (apache-beam's "# Should hold _cv lock when calling")
    above = [*func.leading_lines, *func.lines_after_decorators]
    text = " ".join(line.comment.value for line in above if line.comment is not None)
    if text:
        blocks.append(text)
    if body.header.comment is not None:
        blocks.append(body.header.comment.value)
    opening = list(body.body[:2])
    if len(opening) == 2 and func.get_docstring(clean=False) is None:
        opening = opening[:1]  # the statement after a docstring opens the code too
    for statement in (*opening, *more):
        lines = getattr(statement, "leading_lines", ())
        text = " ".join(line.comment.value for line in lines if line.comment is not None)
        if text:
            blocks.append(text)
        trailing = getattr(statement, "trailing_whitespace", None)
        if trailing is not None and trailing.comment is not None:
            blocks.append(trailing.comment.value)
    # "# TODO: not thread-safe" asks for the fix: it is no contract
    return [b for b in blocks if not _TODO.search(b)]


_TODO = re.compile(r"\b(?:TODO|FIXME|XXX)\b")


def _statement_of(root: cst.CSTNode, node: cst.CSTNode) -> cst.CSTNode | None:
    """The innermost statement (simple line or compound) under ``root`` that contains
    ``node``, or None."""
    found: cst.CSTNode | None = None
    todo: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(root, None)]
    while todo:
        current, stmt = todo.pop()
        if isinstance(current, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            stmt = current
        if current is node:
            found = stmt
            break
        todo.extend((child, stmt) for child in current.children)
    return found


#: Names in an ``if`` test that ask whether a thread already runs (``if not self._running:``)
_RUNNING_WORDS = re.compile(r"thread|worker|alive|running|started|active", re.IGNORECASE)


def _indexes(entries: tuple[int, ...]) -> str:
    """``(3, 7)`` -> ``"3,7"``: the thread starts of a ``func >#3,7`` label."""
    return ",".join(map(str, entries))


def _asks_if_running(ifs: tuple[cst.If, ...], slot: str) -> bool:
    """Do the ``if`` tests around a call of a starter ask whether the thread already runs
    (``if self._worker is None:``, ``if not self._thread.is_alive():``)? Then the thread may
    be running when the call is skipped, and what the caller wrote before it meets that
    thread. A test of something else (``if self._is_pco_edge():``, a branch that picks how to
    start) leaves the call a start."""
    names = {slot} if slot else set()
    return any(_asks_about(branch, names) for branch in ifs)


def _act_key(w: Write) -> str | None:
    """The constant key an act on a container addresses (``d["k"]``, ``d["k"] = v``,
    ``del d["k"]``, ``d.setdefault("k", v)``, ``d.pop("k")``); None when computed or none."""
    node = _act_key_node(w)
    return literal_key(node) if node is not None else None


def _act_key_name(w: Write) -> str | None:
    """The variable that holds the key an act addresses (``d[k] = v``, ``s.add(k)``,
    ``d.pop(k)``), by its dotted name; None for any other key."""
    node = _act_key_node(w)
    return dotted_name(node) if node is not None else None


def _act_key_node(w: Write) -> cst.BaseExpression | None:
    """The key expression of an act on a container: ``k`` of ``d[k]``, ``d[k] = v``, ``del
    d[k]``, ``d.pop(k)``, ``s.add(k)``."""
    node = w.node
    if isinstance(node, cst.Call):
        return node.args[0].value if w.method and node.args else None
    if isinstance(node, cst.Assign | cst.AugAssign | cst.AnnAssign):
        targets = (
            [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        )
        node = next((t for t in targets if isinstance(t, cst.Subscript)), node)
    elif isinstance(node, cst.Del):
        node = node.target
    if isinstance(node, cst.Subscript) and dotted_name(node.value) == w.target:
        return subscript_index(node)
    return None


def _other_key(frame: CheckFrame, w: Write) -> bool:
    """Does every check of ``frame`` on the act's container test a key other than the one
    the act addresses: another constant (``if d.get("exception") is e: return
    d["end_time"]``), or another variable (``if src in self._read: self._read.add(dst)``,
    agno's ``move_file``)? The act does not rely on the check then: no check-then-act."""
    if not w.subscript and w.method not in ("setdefault", "pop", "remove", "discard", "add"):
        return False
    checks = [c for c in frame.checks if c.ref == w.target]
    if not checks or any(c.kind != "member" for c in checks):
        return False
    key = _act_key(w)
    if key is not None and all(c.key is not None and c.key != key for c in checks):
        return True
    name = _act_key_name(w)
    return name is not None and all(
        c.key_name is not None and not _overlaps(c.key_name, name) for c in checks
    )


def _overlaps(first: str, second: str) -> bool:
    """Can the dotted names ``first`` and ``second`` hold the same value: the same name, or
    one an attribute of the other (``req``, ``req.key``)?"""
    return first == second or first.startswith(second + ".") or second.startswith(first + ".")


#: What ``async with`` can hold that also makes threads take turns, when the task that holds
#: it waits for them: the asynchronous libraries' mutexes
_ASYNC_LOCKS = frozenset(
    {"asyncio.Lock", "asyncio.locks.Lock", "anyio.Lock", "trio.Lock", "trio.StrictFIFOLock"}
)


def _excludes(factory: str) -> bool:
    """Is ``factory`` a mutex: a thread lock or an asynchronous library's lock?"""
    return factory in _ASYNC_LOCKS or known.is_lock_factory(factory)


def _local_pool(entry: Entry) -> bool:
    """Is the pool ``entry`` hands its task to a local variable of the starting function?"""
    scope = entry.scope
    return scope is not None and "." not in entry.receiver and scope.is_local(entry.receiver)


def _own_thread(scope: Scope, receiver: str) -> bool:
    """Is ``receiver.join()`` in ``scope`` a method joining its own instance (``self.join()``
    in a ``Thread`` subclass)? Only in the class's own methods, not in functions nested in
    them, so that the class is the one the method's qualified name names."""
    return (
        scope.cls is not None
        and scope.kind == "method"
        and receiver == scope.self_name
        and scope.qualname == f"{scope.cls.qualname}.{scope.qualname.rpartition('.')[2]}"
    )


def _asks_about(branch: cst.If, names: set[str]) -> bool:
    """Does the test of ``branch`` ask about the thread that ``names`` hold (``if thread is
    not None:``, ``if self._thread.is_alive():``), or whether a thread runs at all (a name
    with ``thread``, ``worker``, ``alive``, ``running``...: ``if self._running:``)?"""
    for node in walk_nodes(branch.test):
        if isinstance(node, cst.Name) and (
            node.value in names or _RUNNING_WORDS.search(node.value)
        ):
            return True
        if isinstance(node, cst.Attribute) and dotted_name(node) in names:
            return True
    return False


def _alias_of(scope: Scope, name: str) -> str | None:
    """``self._thread`` when the function's only binding of the local ``name`` is ``name =
    self._thread`` (an alias taken to join it)."""
    found: set[str] = set()
    todo: list[cst.CSTNode] = list(scope.node.children)
    while todo:
        node = todo.pop()
        if isinstance(node, cst.FunctionDef | cst.Lambda | cst.ClassDef):
            continue
        if isinstance(node, cst.Assign):
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                value = dotted_name(node.value) if len(node.targets) == 1 else None
                found.add(value if value is not None and "." in value else "")
        else:
            bound: cst.CSTNode | None = None
            if isinstance(node, cst.AugAssign | cst.AnnAssign | cst.NamedExpr | cst.For):
                bound = node.target
            elif isinstance(node, cst.AsName):
                bound = node.name
            if bound is not None and any(
                isinstance(n, cst.Name) and n.value == name for n in walk_nodes(bound)
            ):
                found.add("")  # another binding: no alias
        todo.extend(node.children)
    return (found.pop() or None) if len(found) == 1 else None


def _returns(scope: Scope) -> bool:
    """Does the function have a ``return`` statement of its own (not a nested function's)
    before its end? A ``return`` that is the body's last statement (``t.start(); return t``)
    does not count: nothing is skipped."""
    body = getattr(scope.node, "body", None)
    last = body.body[-1] if isinstance(body, cst.IndentedBlock) and body.body else None
    todo: list[cst.CSTNode] = [scope.node]
    while todo:
        node = todo.pop()
        if node is last and isinstance(node, cst.SimpleStatementLine):
            todo.extend(node.body[:-1])
            continue
        if isinstance(node, cst.Return):
            return True
        if node is scope.node or not isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            todo.extend(node.children)
    return False


def _stores_what_it_read(func: cst.CSTNode, target: str) -> bool:
    """Does ``func`` store into ``target`` a value computed from it through a local
    (``total = self.size + n`` ... ``self.size = total``), or copy it to a local before it
    stores over it (``taken = self.count`` ... ``self.count = 0``: what comes in between is
    lost)? A read in a test or a log message (``if self.tries == 1:``) is neither."""
    derived: set[str] = set()
    stored: list[cst.BaseExpression] = []
    for node in walk_nodes(func):
        if not isinstance(node, cst.Assign):
            continue
        for t in node.targets:
            name = t.target
            if isinstance(name, cst.Name) and mentions(node.value, target):
                if dotted_name(node.value) == target:
                    return True  # a copy of the value it is about to store over
                derived.add(name.value)
            elif dotted_name(name) == target:
                stored.append(node.value)
    return any(mentions(value, local) for value in stored for local in derived)


def _private(name: str) -> bool:
    """``_helper`` or a name-mangled ``__helper``; not a dunder (``__enter__``), which the
    language calls from anywhere."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _constructing(scope: Scope, fork_hooks: frozenset[str] | set[str] = frozenset()) -> bool:
    """``__init__`` and friends, and at-fork hooks (they run in the child before any thread)."""
    name = scope.name
    if name in known.CONSTRUCTION_METHODS or name in fork_hooks:
        return True
    return scope.cls is not None and "fork" in name


def _assigned_value(node: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(node, cst.Assign | cst.AnnAssign):
        return node.value
    if isinstance(node, cst.Call) and len(node.args) >= 3:  # setattr(obj, "x", value)
        return node.args[2].value
    return None


_IDENTITY_CALLS = frozenset({"object", "type", "cls", "super().__new__"})


#: Conventional names of a ``multiprocessing`` context (``ctx = mp.get_context("spawn")``,
#: ``Queue(ctx=...)``): ``ctx.Condition()`` is a cross-process condition.
_PROCESS_CONTEXTS = frozenset({"ctx", "mp_context", "mp_ctx", "context", "mp", "multiprocessing"})


#: Removals that take whatever item is there (they fail only on an empty container).
_KEYLESS_REMOVALS = frozenset({"popitem", "popleft"})


def _task_key(w: Write) -> int:
    """The index of the parameter that keys the item ``w`` updates (``results[i] += x`` in
    ``def work(client, i)`` -> 1), when the function never rebinds it; -1 otherwise."""
    scope = w.scope
    if not w.key_param or w.key_param in scope.assigned or w.key_param in scope.nonlocal_names:
        return -1
    return scope.params.index(w.key_param)


def _fixed_keys(values: list[str]) -> frozenset[str]:
    """The keys every dict bound to the state starts with, when each binding is a dict display
    with constant keys (``FIXED_KEYS``) or a constant; empty otherwise."""
    keys: frozenset[str] | None = None
    for value in values:
        if value == CONST:
            continue
        if not value.startswith(FIXED_KEYS):
            return frozenset()
        mine = frozenset(value[len(FIXED_KEYS) :].split(KEY_SEP))
        keys = mine if keys is None else keys & mine
    return keys or frozenset()


def _size_floor(test: cst.BaseExpression, target: str) -> int:
    """The size the test guarantees for ``target``: 11 for ``len(target) > 10``, else 0."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return max(_size_floor(test.left, target), _size_floor(test.right, target))
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return 0
    left = test.left
    target_node = test.comparisons[0]
    if not (
        isinstance(left, cst.Call)
        and dotted_name(left.func) == "len"
        and len(left.args) == 1
        and dotted_name(left.args[0].value) == target
        and isinstance(target_node.comparator, cst.Integer)
    ):
        return 0
    bound = int(target_node.comparator.value, 0)
    if isinstance(target_node.operator, cst.GreaterThan):
        return bound + 1
    if isinstance(target_node.operator, cst.GreaterThanEqual):
        return bound
    return 0


def _idempotent(w: Write) -> bool:
    """An act that leaves the same state when done twice: an add to a set (or an append
    after a membership test), a store of a constant."""
    if w.method in known.ADDING_METHODS:
        return True
    value = _assigned_value(w.node)
    return w.op == "assign" and not w.method and value is not None and _is_constant(value)


def _skips_to_report(check: cst.If, w: Write) -> bool:
    """``for name in noisy: if name in self.hushed: continue`` ... ``log.info(...)``;
    ``self.hushed.setdefault(name, 0)``: a check that skips to the next turn of its loop, with
    nothing after it in the loop's body but the act and reporting. Two threads that both miss
    the item report it twice and store it twice; nothing else runs twice (hutch-python's
    noisy-logger filter, thirty-seventh held-out corpus)."""
    if not ends_with(check.body, (cst.Continue,)):
        return False
    for node in walk_nodes(w.scope.node):
        if isinstance(node, cst.For | cst.While) and isinstance(node.body, cst.IndentedBlock):
            body = node.body.body
            if check in body:
                after = body[body.index(check) + 1 :]
                return bool(_path_to(cst.IndentedBlock(body=after), w.node)) and all(
                    _harmless(stmt, w.node, w.scope) for stmt in after
                )
    return False


def _same_answer(check: cst.If, w: Write) -> bool:
    """``if type(obj) in cache: return True`` ... ``cache.add(type(obj)); return True``: the
    early exit and the path through the act give the caller the same constant answer, so
    the caller cannot tell "first time" from "seen before" (``asyncio.iscoroutine``). A bare
    ``return`` matches falling off the end of the function after the act and reporting
    statements only (``if key in warned: return`` ... ``warned.add(key); log.warning(...)``:
    a warn-once helper warns twice)."""
    exit_value = _return_constant(check.body.body[-1])
    if exit_value is None:
        return False
    func = w.scope.node
    path = _path_to(func.body, w.node) if isinstance(func, cst.FunctionDef) else []
    if not path:
        return False
    for level, (stmts, index) in enumerate(reversed(path)):
        for stmt in stmts[index + 1 :]:
            answer = _return_constant(stmt)
            if answer is not None:
                return answer == exit_value
            if exit_value == "None" and _harmless(stmt, w.node, w.scope):
                continue
            return False  # more work before the answer: not only a repeat
        if level == len(path) - 1:
            return exit_value == "None"  # fell off the end of the function
        if not isinstance(stmts, _IfBody):
            return False
    return False


class _IfBody(tuple[cst.CSTNode, ...]):
    """The statements of an ``if`` body (falling off its end continues after the ``if``)."""


def _tests_own_store(check: cst.If, w: Write) -> bool:
    """``self._record = self._get_record()`` then ``if self._record is None: self._record =
    {...}`` (esdk-obs-python's ``uploadOperation._load``): the function stores the value
    itself, unconditionally, before it tests it. The test sees this function's own store, not
    an unset state that two threads could both find; another thread's store in between is a
    plain write-write race, not a check-then-act."""
    if w.op != "assign" or w.method or w.subscript:
        return False
    func = w.scope.node
    if not isinstance(func, cst.FunctionDef):
        return False

    def before(block: cst.BaseSuite) -> bool | None:
        """True: stored before ``check``; False: ``check`` found, no store; None: not here."""
        stored = False
        for stmt in block.body:
            if stmt is check:
                return stored
            if isinstance(stmt, cst.SimpleStatementLine):
                stored = stored or any(
                    isinstance(small, cst.Assign)
                    and any(code_of(t.target) == w.target for t in small.targets)
                    for small in stmt.body
                )
                continue
            for suite in _suites(stmt):
                found = before(suite)
                if found is not None:
                    return stored or found
        return None

    return bool(before(func.body))


def _suites(stmt: cst.CSTNode) -> Iterator[cst.IndentedBlock]:
    """The blocks directly under a compound statement (its body, ``else``, handlers,
    ``finally``), not the blocks nested inside them."""
    stack = list(stmt.children)
    while stack:
        node = stack.pop()
        if isinstance(node, cst.IndentedBlock):
            yield node
        elif not isinstance(node, cst.BaseSmallStatement | cst.BaseExpression):
            stack.extend(node.children)


def _path_to(
    block: cst.BaseSuite, act: cst.CSTNode, *, branch: bool = False
) -> list[tuple[tuple[cst.CSTNode, ...], int]]:
    """The statement lists from ``block`` down to the line holding ``act`` through ``if``
    branches, with the index of the statement taken at each level."""
    stmts: tuple[cst.CSTNode, ...] = tuple(block.body)
    if branch:
        stmts = _IfBody(stmts)
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(small is act or getattr(small, "value", None) is act for small in stmt.body):
                return [(stmts, i)] if len(stmt.body) == 1 else []
        elif isinstance(stmt, cst.If):
            branches: list[cst.BaseSuite] = [stmt.body]
            orelse = stmt.orelse
            while orelse is not None:
                branches.append(orelse.body)
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            for suite in branches:
                inner = _path_to(suite, act, branch=True)
                if inner:
                    return [(stmts, i), *inner]
    return []


def _return_constant(stmt: cst.CSTNode) -> str | None:
    """``return True``: the constant's code (``"None"`` for a bare ``return``); otherwise
    None."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        ret = stmt.body[0]
        if isinstance(ret, cst.Return):
            if ret.value is None:
                return "None"
            if _is_constant(ret.value):
                return code_of(ret.value)
    return None


_EMPTY_FACTORIES = frozenset(
    {"list", "dict", "set", "deque", "collections.deque", "collections.OrderedDict"}
)


def _is_empty_container(value: cst.BaseExpression) -> bool:
    """``[]``, ``{}``, ``set()``, ``deque()``: what a thread that takes a buffer leaves."""
    if isinstance(value, cst.List | cst.Dict | cst.Set):
        return not value.elements
    if isinstance(value, cst.Call) and not value.args:
        return dotted_name(value.func) in _EMPTY_FACTORIES
    return False


def _takes_under_lock(frame: CheckFrame, w: Write) -> bool:
    """``if self._buffer:`` then ``with self._lock: batch = self._buffer; self._buffer = []``.

    The test is only a fast path: the act takes whatever the buffer holds under a lock taken
    after the test, and leaves an empty one. A thread that loses the race takes the empty
    buffer the winner left and has nothing to send (CMRESHandler's ``flush``). Not for a
    teardown that leaves ``None`` (the loser would take ``None`` and use it), and not when the
    take itself is unlocked (two threads would take the same buffer)."""
    if w.op != "assign" or w.method or w.subscript or len(w.locks) <= len(frame.locks):
        return False
    value = _assigned_value(w.node)
    if value is None or not _is_empty_container(value):
        return False
    for node in walk_nodes(w.scope.node):
        if not isinstance(node, cst.With):
            continue
        stmts = node.body.body
        act = next(
            (i for i, stmt in enumerate(stmts) if any(n is w.node for n in walk_nodes(stmt))),
            None,
        )
        if act is not None and any(_takes(stmt, w.target) for stmt in stmts[:act]):
            return True
    return False


def one_worker(values: Iterable[str]) -> bool:
    """Do ``values`` (an attribute's or a name's) hold only one-worker pools
    (``ThreadPoolExecutor(max_workers=1)``), beside a ``None`` before the pool is built or
    after it is shut down?"""
    pools = [v for v in values if v != CONST]
    return bool(pools) and all(v.endswith("|" + ONE_WORKER) for v in pools)


def _named_item(expr: str) -> str:
    """The container of a ``with`` item taken from it by a constant key that names a lock
    (``progress['lock']`` -> ``progress``; see ``collector._lock_expr``), else ""."""
    head, bracket, rest = expr.partition("['")
    if not bracket or not rest.endswith("']") or not rest[:-2].isidentifier():
        return ""
    return head


def _clears(w: Write) -> bool:
    """Does the act store ``None`` or ``False`` (a tear-down: ``self._timer = None``)?"""
    value = _assigned_value(w.node) if w.op == "assign" else None
    return isinstance(value, cst.Name) and value.value in ("None", "False")


@functools.cache
def _timing_name() -> re.Pattern[str]:
    """Compiled on first use (import time counts toward one-file latency)."""
    return re.compile(r"delay|back_?off", re.IGNORECASE)


def _timing_only(target: str) -> bool:
    """``self.retry_delay *= 2``, ``self._currentBackoffTimeSecond = min(...)``: a retry delay
    or back-off. Losing one of two concurrent updates changes how long the next wait lasts
    (a back-off is jittered and capped anyway), not what the program does."""
    return _timing_name().search(target.rpartition(".")[2]) is not None


def _takes_lock(node: cst.CSTNode, lock: str) -> bool:
    """Does ``node`` hold a ``with lock:`` block inside?"""
    return any(
        isinstance(n, cst.With) and any(dotted_name(item.item) == lock for item in n.items)
        for n in walk_nodes(node)
    )


def _takes(stmt: cst.CSTNode, target: str) -> bool:
    """``batch = self._buffer``: the statement reads the whole of ``target`` into a name."""
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Assign) and code_of(small.value) == target for small in stmt.body
    )


def _switches_off(w: Write, if_node: cst.If, *, early_exit: bool = False) -> bool:
    """``if self.enabled: self.enabled = False; self.close()``: a run-once teardown. Two
    threads that both pass the check both tear down, and teardown is idempotent by
    convention (``close()`` twice closes once). It is not when the block uses the object it
    is switching off (``if self.thread is not None: self.thread.join(); self.thread =
    None``): the other thread's ``None`` can land between the check and the use.

    With ``early_exit`` the check returns (``if not self._running: return``) and the
    teardown follows it (splitio's ``PushManager.stop``). Only a flag switched off with
    ``False`` or ``0`` counts then: what follows is not inspected, and a ``None`` teardown
    may go on to use the object."""
    if w.op != "assign" or w.method or w.subscript:
        return False
    value = _assigned_value(w.node)
    offs = ("False",) if early_exit else ("False", "None")
    if not (isinstance(value, cst.Name) and value.value in offs) and not (
        isinstance(value, cst.Integer) and value.value == "0"
    ):
        return False
    if not mentions(if_node.test, w.target):
        return False
    if early_exit:
        return True
    for stmt in if_node.body.body:
        if stmt is w.node or (
            isinstance(stmt, cst.SimpleStatementLine) and list(stmt.body) == [w.node]
        ):
            continue
        if mentions(stmt, w.target):
            return False
    return True


def _is_constant(value: cst.BaseExpression) -> bool:
    """``True``, ``None``, ``0``, ``"x"``, ``-1``: the same value whichever thread stores it."""
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    if isinstance(value, cst.UnaryOperation):
        return _is_constant(value.expression)
    return isinstance(value, cst.BaseNumber | cst.SimpleString)


def _is_container(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Dict | cst.List | cst.Set | cst.DictComp | cst.ListComp | cst.SetComp):
        return True
    if isinstance(value, cst.Call) and not value.args:
        return dotted_name(value.func) in ("dict", "list", "set")
    return False


def _has_identity(value: cst.BaseExpression, judge: Judge, scope: Scope) -> bool:
    return any(_call_has_identity(call, judge, scope) for call in _branch_calls(value))


def _call_has_identity(call: cst.Call, judge: Judge, scope: Scope) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "__new__":
        return True
    name = dotted_name(func)
    if name is None:
        return False
    if name in _IDENTITY_CALLS or name == scope.cls_name:
        return True
    if _sync_object(judge.qualify(name, scope), judge):
        return True
    last = name.rpartition(".")[2].lstrip("_")
    if last.startswith(_FACTORY_PREFIXES):
        return True  # ``sqlite3.connect()``, ``create_engine()``, ``load_settings()``
    return class_like(last)  # ``Client(...)``, not ``CONSTANT(...)``


def _is_self(arg: cst.BaseExpression, self_name: str) -> bool:
    """``self``, or ``weakref.proxy(self)``: the object itself, handed on."""
    if isinstance(arg, cst.Call) and len(arg.args) == 1 and not arg.args[0].keyword:
        name = dotted_name(arg.func) or ""
        if name.rpartition(".")[2] == "proxy":
            arg = arg.args[0].value
    return bool(self_name) and isinstance(arg, cst.Name) and arg.value == self_name


def _always_run(suite: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement]:
    """The small statements of ``suite`` that run whenever it does: its own, and those of a
    ``try:`` body or a ``with`` body among them (not under an ``if``, a loop, an ``except``
    or a ``finally``; a ``return`` or ``raise`` ends them)."""
    if not isinstance(suite, cst.IndentedBlock):
        return
    for stmt in suite.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                yield small
                if isinstance(small, cst.Return | cst.Raise):
                    return
        elif isinstance(stmt, cst.Try | cst.With):
            yield from _always_run(stmt.body)
        elif isinstance(stmt, cst.If | cst.For | cst.While):
            continue
        # a nested def or class runs nothing here


def _owner_key(ref: Ref, target: str) -> str:
    """The state whose writers the one-owner analysis compares. A module-level object's
    attributes are told apart: ``shared_state.output`` (one daemon thread writes it) and
    ``shared_state.httpd`` (set by the server thread) have different writers (SCons's ninja
    daemon). Everything else is keyed as ``resolve_ref`` keys it."""
    if ref.kind == "global" and "." in target:
        head, _, rest = target.partition(".")
        if ref.key == head or ref.key.endswith("." + head):
            return f"{ref.key}.{rest}"
    return ref.key


def _truthy_constant(value: cst.BaseExpression) -> bool:
    """``True``, a non-empty string, a non-zero number: a flag switched on."""
    if isinstance(value, cst.Name):
        return value.value == "True"
    if isinstance(value, cst.SimpleString):
        return len(value.evaluated_value or "") > 0
    if isinstance(value, cst.Integer | cst.Float):
        return value.value.strip("0._") != ""
    return False


def _branch_calls(value: cst.BaseExpression) -> Iterator[cst.Call]:
    """The calls whose result ``value`` can be: both sides of ``a or B()``, of ``x if c else
    Y()``."""
    if isinstance(value, cst.BooleanOperation):
        yield from _branch_calls(value.left)
        yield from _branch_calls(value.right)
    elif isinstance(value, cst.IfExp):
        yield from _branch_calls(value.body)
        yield from _branch_calls(value.orelse)
    elif isinstance(value, cst.Call):
        yield value


def _sync_object(qual: str, judge: Judge) -> bool:
    """A lock, condition, semaphore, executor or thread factory."""
    return (
        qual in known.EXECUTOR_FACTORIES
        or qual in known.THREAD_CLASSES
        or judge._is_lock_value(qual)
    )


#: What an act builds (``_builds``): a lock or a worker pool; another synchronization object,
#: a thread or a resource.
_LOCK = "lock"
_POOL = "pool"
_RESOURCE = "resource"


def _builds(value: cst.BaseExpression, judge: Judge, scope: Scope) -> str:
    """``_LOCK`` when a branch of ``value`` builds a lock (condition, semaphore); else
    ``_POOL`` when one builds an executor or worker pool; else ``_RESOURCE`` when one builds
    another synchronization object, a thread or a resource; else ""."""
    found = ""
    for call in _branch_calls(value):
        name = dotted_name(call.func)
        if name is None:
            continue
        qual = judge.qualify(name, scope)
        if qual.startswith(_ASYNC_MODULES):
            # ``asyncio.Lock()``: a coroutine lock bound to one event loop, whose thread runs
            # the check and the act without an ``await`` between them (crawl4ai's
            # ``_get_global_lock``); it is no evidence of threads, and no thread can use it
            continue
        last = name.rpartition(".")[2].lstrip("_")
        if judge._is_lock_value(qual) or last.endswith(_LOCK_SUFFIXES):
            return _LOCK
        if qual in known.EXECUTOR_FACTORIES or last.endswith(_POOL_SUFFIXES):
            found = _POOL
            continue
        if found == _POOL:
            continue
        if (
            qual in known.THREAD_CLASSES
            or last.startswith(_RESOURCE_PREFIXES)
            or last.endswith(_OTHER_SYNC_SUFFIXES)
        ):
            found = _RESOURCE
    return found


#: Async frameworks: their locks, events and queues serve coroutines on one event loop.
_ASYNC_MODULES = ("asyncio.", "anyio.", "trio.")
#: Names of lock classes (``TqdmDefaultWriteLock``).
_LOCK_SUFFIXES = ("Lock", "Condition", "Semaphore")
#: Names of worker-pool classes (``DaemonExecutor``).
_POOL_SUFFIXES = ("Executor", "Pool")
#: Names of other synchronization classes (``JobQueue``, ``StopEvent``).
_OTHER_SYNC_SUFFIXES = ("Event", "Queue")
#: Factories of resources: a second one is leaked, or both are used at once.
_RESOURCE_PREFIXES = ("connect", "open", "socket", "spawn", "start")

#: Function names that, by convention, build a new stateful object or resource.
_FACTORY_PREFIXES = (
    "connect",
    "create",
    "make",
    "new",
    "build",
    "open",
    "load",
    "init",
    "start",
    "spawn",
    "socket",
)


def _does_other_work(if_node: cst.If, act: cst.CSTNode) -> bool:
    """Does the if-body call something for its effect (``init()``), besides storing a value?

    Only the body's own simple statements count: an initialize-once flag guards work written
    right there; nested blocks mostly compute the value being cached.
    """
    for stmt in if_node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if (
                small is not act
                and isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
            ):
                return True
    return False


#: Calls that only report: a warn-once block that runs twice warns twice.
_REPORTING = frozenset(
    {"warn", "warning", "info", "debug", "error", "exception", "critical", "log", "print"}
)
#: Calls that are harmless when repeated, by convention: ``close()`` twice closes once.
_IDEMPOTENT_CALLS = frozenset({"close", "shutdown", "cancel", "stop", "set", "clear", "flush"})


def _setter(name: str) -> bool:
    """``pa.set_cpu_count(n)``: a setter stores a value; storing it twice stores it once."""
    return name.startswith("set_") and not name.startswith("set_up")


def _only_reports(if_node: cst.If, act: cst.CSTNode, scope: Scope) -> bool:
    """Does the if-body hold nothing but ``act``, reporting or idempotent calls, constant
    stores and local computations (the message a warn-once block builds)?"""
    return all(_harmless(stmt, act, scope) for stmt in if_node.body.body)


def _harmless(stmt: cst.CSTNode, act: cst.CSTNode, scope: Scope) -> bool:
    if isinstance(stmt, cst.If):
        blocks = [stmt.body]
        orelse = stmt.orelse
        while isinstance(orelse, cst.If):
            blocks.append(orelse.body)
            orelse = orelse.orelse
        if orelse is not None:
            blocks.append(orelse.body)
        return all(_harmless(s, act, scope) for b in blocks for s in b.body)
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if small is act or isinstance(small, cst.Pass | cst.Import | cst.ImportFrom):
            continue
        if isinstance(small, cst.Expr):
            if small.value is act:
                continue
            if isinstance(small.value, cst.Call):
                func = small.value.func
                last = (
                    func.attr.value
                    if isinstance(func, cst.Attribute)
                    else func.value
                    if isinstance(func, cst.Name)
                    else ""
                )
                if last in _REPORTING or last in _IDEMPOTENT_CALLS or _setter(last):
                    continue
            return False
        if isinstance(small, cst.Assign | cst.AugAssign | cst.AnnAssign):
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            local = all(
                isinstance(t, cst.Name) and t.value not in scope.global_names for t in targets
            )
            if local or (small.value is not None and _is_constant(small.value)):
                continue
        return False
    return True


#: Changes whose method name many non-containers share: on an object of unknown type they do
#: not say that it is a dict or a set.
_GENERIC_CHANGES = frozenset({"update"})


def _for_header_end(node: cst.CSTNode) -> cst.CSTNode | None:
    if isinstance(node, cst.For | cst.CompFor):
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
