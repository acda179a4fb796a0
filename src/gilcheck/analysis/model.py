"""What one traversal of a module records: scopes, bindings and events.

The collector (collector.py) fills these in one walk over the libcst tree; the rules (rules.py)
judge them afterwards, when the whole module is known (a lock may be created below its use, in
``__init__`` after the method that uses it...). Nothing here is judged yet: names are kept as
dotted strings (``self._lock``, ``_cache``, ``cls._instance``) and resolved by the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

#: A value bound to a name, summarized: a resolved factory qualname (``threading.Lock``), or one of
#: the markers below.
CONTAINER = "<container>"  # {} [] set() comprehension ...
LIST = CONTAINER + "|list"  # [] or a list comprehension: a container whose iterator never raises
#: ``{"sent": 0, "failed": 0}``: a dict display whose keys are all constants, followed by them
#: (``literal_key`` texts joined by ``KEY_SEP``)
FIXED_KEYS = CONTAINER + "|keys:"
KEY_SEP = "\x1f"
#: ``self.tasks[-200:]``: a slice of the dotted name that follows, a new container of the same
#: kind as that one (a list's slice is a list; dicts have none)
SLICE = "<slice:"
CONST = "<const>"  # None, numbers, strings
PARAM = "<param>"  # bound from a function parameter
OTHER = "<expr>"  # anything else
#: suffix of a lock expression taken from a container (``self.locks[...]``)
ITEM = "[...]"
#: end of an item pattern: the constant start of an f-string key (``"'miss_*"`` for
#: ``d[f"miss_{why}"]``), which names every string item that starts so
ITEM_PREFIX = "*"


def same_item(a: str, b: str) -> bool:
    """Can two item keys (``literal_key`` texts, ``ITEM_PREFIX`` patterns, or ``""`` for an
    item gilcheck cannot name) name the same item of a container?"""
    if not a or not b:
        return True
    a_pattern, b_pattern = a.endswith(ITEM_PREFIX), b.endswith(ITEM_PREFIX)
    if not a_pattern and not b_pattern:
        return a == b
    # a constant without its closing quote, or a pattern without its mark: ``'miss_``
    a_start, b_start = a[:-1], b[:-1]
    if a_pattern and b_pattern:
        return a_start.startswith(b_start) or b_start.startswith(a_start)
    return (b_start if a_pattern else a_start).startswith(a_start if a_pattern else b_start)


#: suffix of a counting semaphore's factory (``threading.Semaphore|counting``): not a lock
COUNTING = "counting"
#: marker of a thread pool built with one worker (``ThreadPoolExecutor(max_workers=1)``): its
#: tasks run one at a time, in submission order
ONE_WORKER = "one-worker"


@dataclass(eq=False)
class ClassInfo:
    name: str
    qualname: str  # within the module
    bases: list[str]  # resolved qualified names of base classes
    #: class-level bindings: attr -> value summaries
    attrs: dict[str, list[str]] = field(default_factory=dict)
    #: ``self.attr = ...`` anywhere in the class's methods
    inst_attrs: dict[str, list[str]] = field(default_factory=dict)
    methods: dict[str, Scope] = field(default_factory=dict)
    #: the class docstring (read for a threading contract, ``known.unsafe_doc``: "Not thread
    #: safe", "Only one thread ...")
    doc: str | None = None


@dataclass(eq=False)
class Check:
    """One condition of an ``if`` test that a later statement may act upon."""

    kind: str  # "none" (is None / truthiness / ==), "member" (in / not in), "hasattr", "len"
    ref: str  # the dotted expression checked
    #: a membership check of a constant key (``"k" in d``, ``d.get("k")``): the key's text
    #: (``collector.literal_key``)
    key: str | None = None
    #: a membership check of a key held in a variable (``src in d``, ``self.k in d``): its
    #: dotted name
    key_name: str | None = None


@dataclass(eq=False)
class CheckFrame:
    node: cst.If
    checks: list[Check]
    locks: tuple[str, ...]  # locks held when the test runs
    #: ``if ...: return`` guarding the rest of the block (the act follows the ``if``)
    early_exit: bool = False
    #: refs whose membership or emptiness the branch taken establishes (``k in d``, ``q``).
    #: ``if k not in d and k in other: return`` falls through knowing nothing about ``d``, so a
    #: later ``d[k]`` does not rely on the check. None: not computed (every check counts).
    implied: frozenset[str] | None = None
    #: refs the branch taken knows to be set (truthy, not None): ``if not self._usage:
    #: return`` falls through with ``self._usage`` set, so ``self._usage += x`` after it is an
    #: update (GIL004's business), not a second initialization
    known_set: frozenset[str] = frozenset()
    #: refs the branch taken knows to be unset (falsy, None, not yet of the wanted type):
    #: ``if not fqdn: ... fqdn = fqdn.lower()`` finishes an initialization
    known_unset: frozenset[str] = frozenset()


#: The mark of a class defined again in its module (``Poller#2``; see ``Scope.shown``).
_ALTERNATIVE = re.compile(r"#\d+(?=\.|$)")


@dataclass(eq=False)
class Scope:
    """A function, method or lambda."""

    fid: int
    name: str
    qualname: str  # within the module ("Class.method", "f.<locals>.g", "f.<lambda#2>")
    kind: str  # "function", "method", "classmethod", "staticmethod", "lambda"
    cls: ClassInfo | None
    parent: Scope | None
    params: list[str]
    node: cst.CSTNode
    self_name: str | None = None
    cls_name: str | None = None
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    assigned: set[str] = field(default_factory=set)
    local_values: dict[str, list[str]] = field(default_factory=dict)
    #: every lock this function takes itself somewhere (``with lk:``, ``lk.acquire()``)
    entered: set[str] = field(default_factory=set)
    # walk state (only meaningful while the collector is inside this scope)
    locks: list[str] = field(default_factory=list)
    #: the items of the ``async with`` blocks around the statement being walked (an
    #: ``asyncio.Lock`` excludes only the event loop's other tasks, not threads)
    async_items: list[str] = field(default_factory=list)
    checks: list[CheckFrame] = field(default_factory=list)
    #: the ``for``/``while`` loops being walked, innermost last
    loops: list[cst.For | cst.While] = field(default_factory=list)
    #: the loops a local was last bound in (``loop_ids()`` then): ``acc = Acc()`` inside the
    #: loop that starts the thread gives each start its own object
    bound_in: dict[str, tuple[int, ...]] = field(default_factory=dict)
    ifs: list[cst.If] = field(default_factory=list)
    #: the branches of ``if self.flag:`` / ``if not self.flag:`` tests around the walk's
    #: position, in a method: (``flag``, whether the flag is true there), ``else`` included
    modes: list[tuple[str, bool]] = field(default_factory=list)
    #: locks held where a generator yields (a ``@contextmanager`` lock helper)
    yield_locks: tuple[str, ...] = ()
    #: a lock acquired here is still held when the function returns (``__enter__``)
    returns_holding: bool = False
    #: which ones (``self._lock``)
    returned_locks: tuple[str, ...] = ()
    #: ``async def``: runs on its event loop's thread, interleaving only at ``await``
    is_async: bool = False
    #: names this function returns (``return _event``): a factory of closures
    returns: list[str] = field(default_factory=list)
    #: it contains ``yield``: calling it only builds a generator, its body runs where that
    #: generator is iterated
    generator: bool = False
    #: parameters rebound to a new object by a statement that always runs (``counts = [0] *
    #: n``, under no ``if`` or loop): name -> position in the walk; later writes through the
    #: name change the function's own object, not the one the caller passed
    rebound: dict[str, int] = field(default_factory=dict)
    #: the value a local's last assignment walked gave it (None: a binding with no value
    #: known, a tuple's element) and the blocks around that assignment (see
    #: ``Collector._suites``); a ``for``, ``with`` or other binding drops the entry
    last_bound: dict[str, tuple[cst.BaseExpression | None, tuple[int, ...]]] = field(
        default_factory=dict
    )
    #: ``return`` statements whose value is a new object (``return File(path)``)
    new_returns: int = 0
    #: the functions called by the other ``return`` statements whose value is a call
    #: (``return due(view)`` -> ``due``): new objects when those functions build them
    returned_calls: list[str] = field(default_factory=list)
    #: locals bound by unpacking a value (``user, password = self.q``): each holds a part of
    #: that value, so a test of the local is no test of the value it was unpacked from
    unpacked: set[str] = field(default_factory=set)
    #: locals bound only to bound methods of ``self`` (``process = self._on_peer`` in one
    #: branch, ``process = self._on_server`` in another, then ``process(msg)``): name -> those
    #: methods as written; None once the name is bound to anything else
    method_locals: dict[str, set[str] | None] = field(default_factory=dict)

    def in_while(self) -> bool:
        """Is the walk inside a ``while`` loop of this function?"""
        return any(isinstance(loop, cst.While) for loop in self.loops)

    def loop_ids(self) -> tuple[int, ...]:
        """The loops being walked, by identity."""
        return tuple(map(id, self.loops))

    def bind(self, name: str) -> None:
        """A binding of the local ``name`` whose value is not tracked (a ``def``, a ``for`` or
        ``with`` target, a walrus...): its earlier assignment no longer holds."""
        self.assigned.add(name)
        self.last_bound.pop(name, None)
        self.method_locals[name] = None

    def bind_value(self, name: str, value: cst.BaseExpression | None) -> None:
        """Track ``name = value`` for ``method_locals``: a bound method of ``self`` joins the
        name's methods, ``None`` leaves them as they are, anything else ends the tracking."""
        if isinstance(value, cst.Name) and value.value == "None":
            return
        if (
            isinstance(value, cst.Attribute)
            and isinstance(value.value, cst.Name)
            and value.value.value == self.self_name
        ):
            methods = self.method_locals.setdefault(name, set())
            if methods is not None:
                methods.add(f"{self.self_name}.{value.attr.value}")
            return
        self.method_locals[name] = None

    def is_local(self, name: str) -> bool:
        if name in self.global_names:
            return False
        return name in self.assigned or name in self.params

    @property
    def shown(self) -> str:
        """``qualname`` as the source spells it: without the ``#2`` that tells apart a class
        defined again in its module (``Poller#2.poll``)."""
        return _ALTERNATIVE.sub("", self.qualname)


@dataclass(eq=False)
class Write:
    """A write to shared-looking state inside a function.

    ``op``: "assign" (blind write), "rmw" (augmented assignment, or a value that reads the target),
    "del", "mutate" (a container method call: append, add, pop...), "read" (a subscript read,
    only recorded under an enclosing check).
    ``target``: the dotted base expression: ``counter`` (GIL001), ``stats`` for ``stats[k]`` and
    ``stats.add(x)`` (``subscript``/``method`` tell which), ``self.count`` for attributes.
    """

    node: cst.CSTNode
    scope: Scope
    op: str
    target: str
    locks: tuple[str, ...]
    subscript: bool = False
    method: str = ""
    #: the enclosing check this write acts upon (innermost matching one), if any
    check: CheckFrame | None = None
    #: part of a ``raise`` statement (a read that builds an error message)
    in_raise: bool = False
    #: an update in a branch that knows the target unset (part of a lazy initialization)
    initializing: bool = False
    #: exception names caught around it in its function ("" for a bare ``except:``)
    caught: frozenset[str] = frozenset()
    #: position in the walk (document order): tells a write before a thread start from one after
    seq: int = 0
    #: the constant key of a one-level item write (``stats["sent"] += 1`` -> ``'sent'``)
    item: str = ""
    #: the items a one-level item write can name when its key is not one constant but narrows
    #: them (``collector.key_choices``): the constants of a conditional key
    #: (``counters["evicted" if e else "failed"] += 1``) or an f-string key's ``ITEM_PREFIX``
    #: pattern (``counters[f"miss_{why}"]``); ``item`` is then empty
    item_choices: tuple[str, ...] = ()
    #: a one-level item store whose key comes from a loop over the same container (``for k in
    #: d: d[k] = v``): an item that is there already
    existing_key: bool = False
    #: a one-level item write whose key is a parameter of the function (``results[i] += x``
    #: in ``def work(i)``): the parameter's name
    key_param: str = ""


@dataclass(eq=False)
class CondCall:
    """``x.wait()``, ``x.wait_for()``, ``x.notify()``, ``x.notify_all()``."""

    node: cst.Call
    scope: Scope
    receiver: str
    method: str
    locks: tuple[str, ...]
    in_while: bool
    #: the test of the innermost ``if`` whose body holds the call (for the wait_for fix)
    if_test: cst.BaseExpression | None = None
    #: the next statement leaves (``wait(timeout)`` then ``return``: a bounded sleep)
    then_leaves: bool = False
    #: the caller is told the outcome: ``return cv.wait(t)``, or ``if not self._flag:
    #: cv.wait()`` then ``return self._flag`` (``threading.Event.wait``): nothing here assumes
    #: the predicate holds
    reported: bool = False
    #: exception names caught around it in its function, or that a ``with pytest.raises(E):``
    #: around it expects
    caught: frozenset[str] = frozenset()


@dataclass(eq=False)
class CallSite:
    """A call made by a function, for the call graph and lock inheritance."""

    scope: Scope | None
    callee: str  # dotted expression as written ("self._flush", "helper", "mod.f")
    locks: tuple[str, ...]
    #: inside a ``while`` loop of the calling function
    in_while: bool = False
    #: inside any loop (``for``, ``while``) of the calling function
    in_loop: bool = False
    #: the ``if`` statements of the calling function around it, outermost first
    ifs: tuple[cst.If, ...] = ()
    #: position in the walk (document order), as ``Write.seq``
    seq: int = 0
    #: the ``Scope.modes`` there
    modes: tuple[tuple[str, bool], ...] = ()


@dataclass(eq=False)
class Entry:
    """A place where code starts running in another thread or process."""

    node: cst.Call
    scope: Scope | None
    kind: str  # "Thread", "Timer", "submit", "Process", "to_thread", ...
    target: cst.BaseExpression | None  # the callable expression
    target_scope: Scope | None  # set when the target is a lambda
    args: list[cst.BaseExpression]
    #: the callee expression text, for messages ("threading.Thread", "executor.submit")
    label: str
    #: names of keyword arguments passed to the target (``kwargs={"shared": stats}``)
    keywords: tuple[str, ...] = ()
    #: for ``x.map(f)``-style calls: ``x``, which must turn out to be an executor or a pool
    executor_receiver: str = ""
    #: created inside a loop: several threads may run the target at once
    in_loop: bool = False
    #: ... but its block then leaves the loop (``Timer(delay, self._publish).start()``, then
    #: ``return``): one start per call
    leaves_loop: bool = False
    #: ``x.submit(f)``: ``x``, to tell a process pool from a thread pool
    receiver: str = ""
    #: the target runs in another process (``multiprocessing.Process``, a process pool): it
    #: shares only ``multiprocessing`` objects with this one, not module or instance state
    process: bool = False
    #: a thread object built here (``Thread(...)``, a ``Timer``, a subclass): it runs once
    #: ``start()`` is called, not where it is built
    built: bool = False
    #: ``self._thread`` for ``self._thread = Thread(...)``: the attribute that keeps it
    slot: str = ""
    #: ``t`` for ``t = Thread(...)`` in a function: the local variable that keeps it
    local: str = ""
    #: position in the walk (document order), as ``Write.seq``
    seq: int = 0
    #: ``pool.submit(f)`` inside ``with ThreadPoolExecutor() as pool:``: the block's number
    #: (its tasks end with the block); -1 for a start that can outlive the function
    block: int = -1
    #: the calls the block's body makes in the starting function (they run beside the tasks)
    block_calls: tuple[str, ...] = ()
    #: the block is a ``concurrent.futures.wait(futures)`` on the futures of its tasks, with
    #: nothing in between: a block with no body, like a waiting pool call
    waited_all: bool = False
    #: handed to a one-worker pool (``ThreadPoolExecutor(max_workers=1)``): "instance" when the
    #: pool is kept on the instance (one per object), "shared" otherwise; "" for any other start
    serial: str = ""
    #: indices of ``args`` that hold an object built for this start alone (``Acc()``, or a
    #: local bound to one in the same loop iteration): candidates for "not shared"; the
    #: pipeline drops those the starting function passes elsewhere or writes after the start
    fresh: tuple[int, ...] = ()
    #: (index, callee) for the fresh ``args`` bound to a call (``file =
    #: self._path_to_file(p)``): fresh only if that function returns a new object each call
    factories: tuple[tuple[int, str], ...] = ()
    #: ``pool.submit(f, ...).result()``: the caller waits for the task. The call of ``f`` it
    #: stands for, recorded beside it; the Judge keeps one of the two (see ``Judge._awaited``)
    awaited: CallSite | None = None
    #: the ``Scope.modes`` where it starts (or is built)
    modes: tuple[tuple[str, bool], ...] = ()
    #: indices of ``args`` that are the counter of a loop around the start (``for i in
    #: range(n)``, ``for i, c in enumerate(cs)``): each start of the loop passes another value
    loop_keys: tuple[int, ...] = ()
    #: the starting function then loops in its own body (``start_new_thread(self.listener,
    #: ()); while 1: ... self.write(line)``, telnetlib's ``mt_interact``): the calling
    #: thread stays inside that loop while the thread runs
    stays: bool = False
    #: ``self._busy``: the start runs only where that flag of the instance is known unset
    #: (``if not self._busy:``, ``if self._busy: return``), after the function set it
    #: (``self._busy = True``, or ``self._thread = Thread(...)`` for ``self._thread``), and
    #: the target clears it (``self._busy = False``/``None``): one such thread at a time
    guard: str = ""
    #: (index in ``args``, attribute): the same for a flag of an argument (``h.running``
    #: known unset and set before ``pool.submit(self._drain, h)``, cleared by ``_drain``):
    #: one task at a time works on that object
    arg_guards: tuple[tuple[int, str], ...] = ()
    #: ``async with self._lock: await asyncio.to_thread(f)``: the locks (and ``async with``
    #: items) held where the task is awaited at once; the Judge keeps the one that serializes
    #: the tasks in ``serial_lock``
    awaited_under: tuple[str, ...] = ()
    serial_lock: str = ""
    #: ``await asyncio.to_thread(f, cfg)``: the coroutine waits for the task at once, so the
    #: objects it passes are used by no one else while the task runs (they are lent to it)
    lent: bool = False


@dataclass(eq=False)
class Iteration:
    """``for x in shared`` / ``shared.items()`` inside a function."""

    node: cst.CSTNode
    scope: Scope
    target: str
    locks: tuple[str, ...]
    #: position in the walk (document order), as ``Write.seq``
    seq: int = 0


@dataclass(eq=False)
class ModuleModel:
    module: str  # dotted module name
    is_package: bool
    imports: dict[str, str] = field(default_factory=dict)  # local alias -> qualified name
    star_imports: list[str] = field(default_factory=list)  # ``from x import *``: x
    module_values: dict[str, list[str]] = field(default_factory=dict)
    functions: dict[str, Scope] = field(default_factory=dict)  # module-level functions by name
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # by module-relative qualname
    scopes: list[Scope] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    cond_calls: list[CondCall] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    #: callees called at module level or in a class body: they run at import time
    import_calls: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    #: ``x.start()`` calls without arguments: (scope, position in the walk as ``Write.seq``)
    #: and whether the call is inside an ``if`` of that function
    start_calls: list[tuple[Scope, int, bool]] = field(default_factory=list)
    #: names and attributes passed as call arguments (``UpdatableLRU(self._fetch_block)``):
    #: functions handed on as values, which whoever receives them may call from any thread
    value_refs: list[tuple[Scope | None, str, cst.CSTNode]] = field(default_factory=list)
    #: calls in a method that pass the instance itself (``Listener(self)``): (scope, callee)
    self_handoffs: list[tuple[Scope, str]] = field(default_factory=list)
    iterations: list[Iteration] = field(default_factory=list)
    #: ``try: from _accel import X`` / ``except ImportError: from ._pure import X``: the
    #: qualified names imported only as a fallback (``zoneinfo._zoneinfo.ZoneInfo``)
    fallback_imports: list[str] = field(default_factory=list)
    #: ``holder.set(value)`` calls (a ContextVar takes a per-task value): (scope, holder, value)
    handoffs: list[tuple[Scope, str, cst.BaseExpression]] = field(default_factory=list)
    #: dotted expressions on which ``.acquire()`` and ``.release()`` are called (duck-typed locks)
    acquired: set[str] = field(default_factory=set)
    #: receivers used as asynchronous conditions (``async with c:``, ``await c.wait()``):
    #: asyncio/trio/anyio conditions, whose waiters are tasks on one thread
    async_conditions: set[str] = field(default_factory=set)
    #: containers whose items are written anywhere in a function (``x[k] = v``, ``x.append()``)
    mutated_containers: set[str] = field(default_factory=set)
    #: containers with removal operations anywhere (``del d[k]``, ``d.pop()``, ``d.clear()``)
    #: and how items leave each: ``"del"`` or the method (``"pop"``, ``"clear"``)
    removal_kinds: dict[str, set[str]] = field(default_factory=dict)
    #: the items removals take from each container: a constant key's text (``'end_time'``,
    #: ``literal_key``) or ``"*"`` (a computed key, ``clear()``, ``popitem()``: any item)
    removed_keys: dict[str, set[str]] = field(default_factory=dict)
    #: the statement each call belongs to (for positions)
    statement_of: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    #: functions that can only run on the main thread (they call ``signal.signal``...)
    main_thread_scopes: set[int] = field(default_factory=set)
    #: names of functions run at interpreter exit (``atexit.register``)
    main_thread_names: set[str] = field(default_factory=set)
    #: names of functions registered with ``os.register_at_fork`` (run in the child, alone)
    fork_hooks: set[str] = field(default_factory=set)
    #: the module's docstring ("" when it has none)
    doc: str = ""
