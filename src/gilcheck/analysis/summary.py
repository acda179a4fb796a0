"""Plain, picklable per-module results: candidate findings and the facts the project pass joins."""

from __future__ import annotations

from dataclasses import dataclass, field

from gilcheck.findings import Finding

#: Joins a writer to the threads it writes before: ``func > target|other`` (project-wide) and
#: ``func >#i,j`` (per module, ``ModuleModel.entries[i]``...). Spaces, because a qualname
#: has none but may have ``>``: ``f.<locals>.g``.
BEFORE_START = " > "
BEFORE_INDEX = " >#"
#: the index that stands, in a ``func >#i`` label, for the thread of the method's own instance
#: (``self.join()`` in a ``Thread`` subclass): its ``run()``
OWN_THREAD = -1
#: The ``capped_by`` reason of code in a pure-Python fallback of an accelerated twin.
CAPPED_FALLBACK = "a pure-Python fallback that an accelerated twin replaces"


@dataclass(frozen=True)
class Candidate:
    """A finding whose final confidence depends on project-wide facts.

    ``kind`` says how the confidence is settled by the project pass:
    ``fixed`` (keep it); ``global``/``class`` (high when thread-reachable, else medium);
    ``instance`` (high when reachable and the class is concurrent: it owns a lock, is a
    Thread, or its instances or bound methods are handed to threads; medium when the class
    is concurrent and the same state is written under a lock elsewhere; else low);
    ``closure`` (high when reachable, else low); ``param`` (high when the parameter receives
    an object passed to a thread, else low); ``iter`` (high when the function that mutates
    the iterated container is thread-reachable, else low); ``waiter`` (a Condition wait
    outside a loop: high when several threads can run it, from a pool, a thread started in a
    loop or two different starts; else low); ``inconsistent`` (GIL006: high when the unlocked
    write is thread-reachable and its writers are not all on one thread, else low).
    """

    finding: Finding
    kind: str
    func: str = ""  # module-qualified qualname of the enclosing function
    cls: str = ""  # module-qualified class (instance kind)
    param: int = -1  # parameter index (param kind)
    guarded: bool = False  # the state is written under a lock elsewhere in the module
    writer: str = ""  # kind "iter": the function that mutates the iterated container
    main_thread: bool = False  # main-thread-only code: low unless thread-reachable
    #: kind "iter": ``func > target`` when the loop comes before ``func`` starts ``target``
    #: (``target|other`` when it starts several there)
    before_start: str = ""
    #: every function of the module that writes the same state (one-owner analysis);
    #: ``func > target`` for one whose writes all come before it starts ``target``
    writers: tuple[str, ...] = ()
    #: a read-modify-write: the part of ``writers`` that updates the state (not only stores)
    updaters: tuple[str, ...] = ()
    #: why the finding stays ``low`` whatever the project pass learns (a documented contract,
    #: a benign outcome of the race...); shown in the message when it caps the finding
    capped_by: str = ""
    #: why the finding is at most ``medium`` (a check-then-insert: the race's loser inserts
    #: again); shown in the message when it takes a ``high`` finding down
    medium_at_most: str = ""
    #: low unless the code is reachable from a thread entry point
    needs_thread: bool = False
    #: GIL002 whose act stores: the functions that store to the state under a check of it
    #: (one thread running them all cannot act twice)
    actors: tuple[str, ...] = ()
    #: GIL004 on an item keyed by the function's parameter of this index (-1: none)
    task_key: int = -1
    #: instance state: the functions that begin by storing a fresh value into it (``self._n
    #: = 0`` as a statement that always runs): overlapping runs of one of them on one object
    #: are broken with the GIL too (see ``Project.one_owner``'s ``rerun``)
    resets: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntrySummary:
    """Code handed to another thread or process."""

    target: str  # a function ref (see ModuleSummary.functions keys, or "method:Class:name")
    label: str  # "threading.Thread(target=worker)"
    location: str  # "path:line"
    nargs: int  # how many positional arguments are passed to the target
    bound: bool  # the target is a bound method (its parameter 0 is self)
    #: the target is a method reached through its class (``Transport.loop``), not an
    #: instance: a start is one thread, not one per instance
    via_class: bool = False
    keywords: tuple[str, ...] = ()  # keyword arguments passed to the target
    #: several threads may run the target at once (a pool, or a thread started in a loop)
    multi: bool = False
    #: started inside a loop (or a comprehension)
    looped: bool = False
    #: the function that starts it ("" at module level): ``Timer(5, self._poll)`` inside
    #: ``_poll`` re-arms the thread that runs it, it does not add a second one
    caller: str = ""
    #: how it starts: "Thread", "Timer", "submit", "Process"... (see model.Entry.kind)
    kind: str = ""
    #: the target runs in another process: it shares only ``multiprocessing`` objects
    process: bool = False
    #: the attribute the thread object is stored in (``self._thread``), if any: starts of one
    #: target kept in one attribute rebuild the same thread, they do not add one beside it
    slot: str = ""
    #: ``pool.submit(f)`` inside ``with ThreadPoolExecutor() as pool:`` (``path:block``): the
    #: tasks run only while the block does, beside its body and the block's other tasks
    block: str = ""
    #: refs of the functions the block's body calls (see ModuleSummary.functions)
    block_calls: tuple[str, ...] = ()
    #: ``pool.map(f, xs)`` / ``starmap`` / ``apply`` on a ``multiprocessing`` thread pool: the
    #: call returns once every task has finished, so the starting function's own code never
    #: runs beside them (``block`` names the call, with no body)
    waits: bool = False
    #: positional arguments (indices) that hold an object built for this start alone: they do
    #: not make the target's parameter shared
    fresh: tuple[int, ...] = ()
    #: (index, attributes) for fresh arguments some of whose attributes the starting
    #: function writes once the target runs: those attributes stay shared with it
    contested: tuple[tuple[int, tuple[str, ...]], ...] = ()
    #: handed to a one-worker pool: "instance" (one pool per object) or "shared"; "" otherwise
    serial: str = ""
    #: positional arguments (indices) that are the counter of a loop around the start: each
    #: start of that loop passes another value
    loop_keys: tuple[int, ...] = ()
    #: the starting function then loops in its own body, a start outside any loop: the
    #: calling thread stays in that loop while the thread runs (see ``Project.one_owner``)
    stays: bool = False
    #: the instance flag that lets one such thread run at a time (see ``model.Entry.guard``)
    guard: str = ""
    #: positional arguments (indices) admitted by a busy flag of their own: one task at a
    #: time works on each such object (see ``model.Entry.arg_guards``)
    guarded: tuple[int, ...] = ()
    #: ``await asyncio.to_thread(f, cfg)``: the caller waits for the task, so what it passes
    #: is lent to the task and does not make the target's parameters shared
    lent: bool = False
    #: ``self._pool.submit(f)`` where no class of this module binds ``_pool``: the class
    #: and the attribute (``pkg.mod.Player:_pool``), looked up in the project's classes (a
    #: base class in another module may build it as a one-worker pool)
    inherited_pool: str = ""


@dataclass(frozen=True)
class ModuleSummary:
    module: str
    path: str
    #: module-level import aliases (re-exports are followed through these)
    imports: dict[str, str] = field(default_factory=dict)
    #: function qualname (module-qualified) -> callee refs
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: function qualname (module-qualified) -> parameter names
    params: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: class qualname (module-qualified) -> base qualnames
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: classes that own a lock attribute
    lock_owners: frozenset[str] = frozenset()
    #: ``pkg.mod.Class.attr`` -> "one" for a class attribute that the class binds only to
    #: one-worker pools (and ``None``), "many" for one it binds to any other pool
    pool_attrs: dict[str, str] = field(default_factory=dict)
    #: classes whose instances are used from threads (bound method or self handed to a thread)
    threaded: frozenset[str] = frozenset()
    #: (class, callee ref) for a call in a method of the class that passes the instance
    #: (``Listener(self)``): when the callee is a ``Thread`` subclass, the thread uses it
    self_handoffs: tuple[tuple[str, str], ...] = ()
    #: methods decorated as properties (``@property``, ``@cached_property``, a ``.setter``):
    #: run by an attribute access, which the call graph does not record as a call
    properties: frozenset[str] = frozenset()
    entries: tuple[EntrySummary, ...] = ()
    #: functions called at import time (module level, class bodies), module-qualified
    import_calls: tuple[str, ...] = ()
    #: names imported in a module-level ``except ImportError:`` (a pure-Python fallback)
    fallback_imports: tuple[str, ...] = ()
    #: refs of functions handed on as values (``UpdatableLRU(self._fetch_block)``)
    escaped: tuple[str, ...] = ()
    #: method names called on receivers the analysis could not resolve (``client.reset()``):
    #: a method of that name may have callers the call graph does not show
    unresolved_methods: tuple[str, ...] = ()
    #: generator functions (module-qualified): handed to a thread, they run nothing there
    generators: tuple[str, ...] = ()
    #: (caller, callee ref, lock, key) for a callee that the caller calls only while it holds
    #: one definite lock that serializes it (every call of that ref in the caller): ``lock`` as
    #: written there, ``key`` the same lock's name in every module (``instance:Class.attr``
    #: for an instance's own lock, ``global:module.name`` for a module's or a class's)
    locked_calls: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class ModuleResult:
    """Everything the per-file pass produces for one file (cached by content hash)."""

    path: str
    candidates: tuple[Candidate, ...]
    summary: ModuleSummary | None
    #: inline suppression table (gilcheck.suppressions.Suppressions), None when no comment exists
    suppressions: object | None = None
    #: an internal error message (a bug in gilcheck), reported but never fatal
    error: str | None = None
