"""Qualified names the analysis knows: lock factories, conditions, threads, executors..."""

from __future__ import annotations

import functools
import re

_THREADING_LOCKS = ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")

#: Factories whose result can be held with ``with x:`` and protects what it guards.
LOCK_FACTORIES: frozenset[str] = frozenset(
    [f"threading.{n}" for n in _THREADING_LOCKS]
    + [f"multiprocessing.{n}" for n in _THREADING_LOCKS]
    + [f"multiprocessing.synchronize.{n}" for n in _THREADING_LOCKS]
    + [f"multiprocessing.dummy.{n}" for n in _THREADING_LOCKS]
    + [
        "threading._RLock",
        "threading._CRLock",
        "threading._PyRLock",
        "threading._allocate_lock",
        "_thread.allocate_lock",
        "_thread.allocate",
        "_thread.LockType",
        "_thread.RLock",
        "_thread.lock",
        "_dummy_thread.allocate_lock",
        "dummy_threading.Lock",
        "dummy_threading.RLock",
    ]
)

#: Method names of lock factories on other objects (``ctx.Lock()``, ``manager.RLock()``).
LOCK_METHOD_NAMES: frozenset[str] = frozenset(_THREADING_LOCKS)

CONDITION_FACTORIES: frozenset[str] = frozenset(
    {
        "threading.Condition",
        "multiprocessing.Condition",
        "multiprocessing.synchronize.Condition",
        "multiprocessing.dummy.Condition",
    }
)

#: Things that are *not* thread locks even though their names look like it.
NOT_THREAD_LOCK_PREFIXES: tuple[str, ...] = ("asyncio.", "trio.", "anyio.", "curio.")

THREAD_LOCAL_FACTORIES: frozenset[str] = frozenset(
    {"threading.local", "_threading_local.local", "_thread._local"}
)

#: Per-context variables: each thread (and each asyncio task) sees its own value.
CONTEXT_VAR_FACTORIES: frozenset[str] = frozenset({"contextvars.ContextVar"})

#: Classes whose constructor takes a thread/process target: name -> (target, args) positions.
THREAD_CLASSES: dict[str, tuple[int, int]] = {
    "threading.Thread": (1, 3),
    "threading.Timer": (1, 2),
    "multiprocessing.Process": (1, 3),
    "multiprocessing.context.Process": (1, 3),
    "multiprocessing.dummy.Process": (1, 3),
    "multiprocessing.dummy.DummyProcess": (1, 3),
}
TIMER_KEYWORD = "function"

THREAD_BASES: frozenset[str] = frozenset(
    {
        "threading.Thread",
        "threading.Timer",
        "multiprocessing.Process",
        "multiprocessing.context.Process",
    }
)

#: Functions whose first argument runs in another thread; the rest are its arguments.
SPAWN_FUNCTIONS: frozenset[str] = frozenset(
    {
        "_thread.start_new_thread",
        "_thread.start_new",
        "asyncio.to_thread",
        "threading._start_new_thread",
    }
)

#: Starts whose target runs in another process: it shares ``multiprocessing`` objects
#: (``Value``, ``Array``, queues, manager proxies) with this one, never module or instance state.
PROCESS_BASES: frozenset[str] = frozenset(
    {"multiprocessing.Process", "multiprocessing.context.Process"}
)
PROCESS_POOL_FACTORIES: frozenset[str] = frozenset(
    {
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
        "multiprocessing.Pool",
        "multiprocessing.pool.Pool",
    }
)

#: Thread pools: ``ThreadPoolExecutor(max_workers=1)`` and ``ThreadPool(1)`` run one task at a
#: time.
THREAD_POOL_FACTORIES: frozenset[str] = frozenset(
    {
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "multiprocessing.pool.ThreadPool",
        "multiprocessing.dummy.Pool",
    }
)

EXECUTOR_FACTORIES: frozenset[str] = frozenset(
    {
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
        "multiprocessing.Pool",
        "multiprocessing.pool.Pool",
        "multiprocessing.pool.ThreadPool",
        "multiprocessing.dummy.Pool",
    }
)

#: Methods of executors/pools whose first argument runs in a worker.
POOL_METHODS: frozenset[str] = frozenset(
    {
        "submit",
        "map",
        "apply",
        "apply_async",
        "map_async",
        "imap",
        "imap_unordered",
        "starmap",
        "starmap_async",
    }
)

#: Shared-memory values: ``v.value += 1`` is a read-modify-write across processes.
VALUE_FACTORIES: frozenset[str] = frozenset(
    {
        "multiprocessing.Value",
        "multiprocessing.sharedctypes.Value",
        "multiprocessing.RawValue",
        "multiprocessing.sharedctypes.RawValue",
    }
)

PARTIAL_FUNCTIONS: frozenset[str] = frozenset({"functools.partial"})

#: Container methods that remove items: a membership check followed by a read races with these.
REMOVING_METHODS: frozenset[str] = frozenset(
    {"pop", "popitem", "popleft", "remove", "clear", "discard"}
)
#: Removals that cannot fail when repeated: never the "act" of a check-then-act.
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"clear", "discard"})
#: Counter methods that read and rewrite every counted item (not atomic).
COUNTER_METHODS: frozenset[str] = frozenset({"update", "subtract"})
#: Container methods that add items (the "act" of ``if k not in s: s.add(k)``).
ADDING_METHODS: frozenset[str] = frozenset(
    {
        "add",
        "append",
        "appendleft",
        "insert",
        "extend",
        "update",
        "subtract",
        "__setitem__",
        "setdefault",
    }
)

#: Methods where "__init__-like" single-threaded construction happens.
CONSTRUCTION_METHODS: frozenset[str] = frozenset(
    {"__init__", "__new__", "__post_init__", "__init_subclass__", "__setstate__", "__del__"}
)


#: Class-level hooks that run while the class is being created (single-threaded).
CLASS_CREATION_METHODS: frozenset[str] = frozenset(
    {"__init_subclass__", "__set_name__", "__class_getitem__"}
)


#: Set-up and registration entry points (``register_backend``, ``setup_once``, ``_init``):
#: called while a program configures itself, before its threads run.
_SETUP_PREFIXES = ("register", "unregister", "setup", "set_up", "configure", "install", "init")


def sets_up(name: str) -> bool:
    """Is a function of this name set-up or registration code (``initialize`` is, but not
    ``initial_state``)?"""
    name = name.lstrip("_")
    if name.startswith(("initialize", "initialise")):
        return True
    return name.startswith(_SETUP_PREFIXES) and not name.startswith("initial")


@functools.cache
def _fork_handler() -> re.Pattern[str]:
    """Compiled on first use (import time counts toward one-file latency)."""
    return re.compile(r"(?:^|_)(?:after|at|handle|on|post)_?fork(?:$|_)|(?:^|_)fork_?child")


def handles_fork(name: str) -> bool:
    """Is a function of this name a fork handler (``handle_fork``, ``_after_fork``,
    ``_at_fork_reinit``, ``postfork_child``)? It runs in the child right after ``fork()``,
    where only the forking thread exists. (Not ``before_fork``: the parent's other threads
    still run then.)"""
    return _fork_handler().search(name.lower()) is not None


#: Calls that Python allows only in the main thread.
MAIN_THREAD_ONLY_CALLS: frozenset[str] = frozenset(
    {"signal.signal", "signal.set_wakeup_fd", "signal.siginterrupt"}
)

#: GUI toolkits: their callbacks and state live on one (the GUI) thread.
GUI_MODULES: frozenset[str] = frozenset(
    {
        "tkinter",
        "_tkinter",
        "turtle",
        "idlelib",
        "PyQt4",
        "PyQt5",
        "PyQt6",
        "PySide",
        "PySide2",
        "PySide6",
        "qtpy",  # one API over the Qt bindings (spyder's plugins)
        "wx",
        "gi",
    }
)


def is_lock_factory(qualname: str, extra: frozenset[str] = frozenset()) -> bool:
    if qualname in LOCK_FACTORIES or qualname in extra:
        return True
    if qualname.startswith(NOT_THREAD_LOCK_PREFIXES):
        return False
    # ``ctx.Lock()``, ``manager.RLock()``, ``from gevent.lock import RLock``
    return qualname.rpartition(".")[2] in LOCK_METHOD_NAMES


def is_counting_semaphore(qualname: str, initial: str | None) -> bool:
    """``Semaphore(5)``, ``BoundedSemaphore(max_streams)``: a semaphore whose initial value
    (``initial``, its source; ``None`` when not given, which means 1) is not the literal ``1``
    lets several threads in at once, so holding it excludes nothing."""
    if qualname.rpartition(".")[2] not in ("Semaphore", "BoundedSemaphore"):
        return False
    return is_lock_factory(qualname) and initial is not None and initial != "1"


def is_condition_factory(qualname: str) -> bool:
    if qualname in CONDITION_FACTORIES:
        return True
    if qualname.startswith(NOT_THREAD_LOCK_PREFIXES):
        return False
    return qualname.rpartition(".")[2] == "Condition"


#: Decorators that, by a convention borrowed from Java, run the whole method under the
#: instance's lock (``@synchronized``: ``with self._lock: return func(self, ...)``).
LOCKING_DECORATORS: frozenset[str] = frozenset(
    {"synchronized", "synchronised", "locked", "with_lock", "lock_method", "thread_safe"}
)


#: "Not thread-safe" and its variants: the code must not be used by two threads at once.
_NOT_THREAD_SAFE = (
    r"\bnot\s+(?:\w+\s+){0,2}thread[- ]?safe|\bthread[- ]?unsafe\b"
    r"|\bnot safe to call concurrently"
    r"|\bmust\s+not\s+be\s+(?:called|used|run|executed)\s+concurrently"
    r"|\bnot\s+(?:be\s+)?shared\s+(?:across|between)\s+threads"
)


@functools.cache
def unsafe_module_doc() -> re.Pattern[str]:
    """A module docstring's threading contract: only "not thread-safe" and its variants. A
    module's docstring describes its design, where "the caller holds the lock" or "one
    thread at a time" names a mechanism of some function, not a rule for the module's
    classes (gilcheck's own fixtures are full of such sentences)."""
    return re.compile(_NOT_THREAD_SAFE, re.IGNORECASE)


#: A docstring that states the threading contract, so that callers must serialize: the
#: function (or class) is not thread-safe, is for tests only, runs on one thread only, or
#: runs with a lock its caller holds. Racing it is the caller's bug, not this code's.
@functools.cache
def unsafe_doc() -> re.Pattern[str]:
    """Compiled on first use: a file without findings never needs it."""
    return re.compile(
        _NOT_THREAD_SAFE + r"|\btesting only\b|\bonly for test"
        # one thread only: "Only one thread should ever be in this function"
        r"|\bonly\s+(?:one|a\s+single)\s+thread\b|\bone\s+thread\s+at\s+a\s+time\b"
        r"|\b(?:called|used|run)\s+only\s+(?:from|on|in|by)\s+(?:the|one|a\s+single)\s+"
        r"(?:[\w-]+\s+)?thread\b"
        r"|" + _HELD,
        re.IGNORECASE,
    )


#: The caller holds the lock: "you are holding the lock", "Lock must be held by caller",
#: "Caller already holds self._lock", "Called with self._lock already held", "You MUST
#: protect this function with this object's lock" (taurus's ``EventListener.waitEvent``),
#: "Must call with self.monitor." (ok-serial).
_HELD = (
    r"\b(?:you\s+are|caller\s+(?:is|must\s+be))\s+(?:already\s+)?holding\b"
    r"|\bwhile\s+holding\s+the\s+(?:[\w.`]+\s+)?lock\b"
    r"|\block\s+(?:must\s+be|is)\s+(?:already\s+)?held\b"
    r"|\bwith\s+(?:the\s+)?[\w.`]*\s*lock[\w`]*\s+(?:already\s+)?held\b"
    r"|\bcaller\s+(?:must\s+)?(?:already\s+)?holds?\s+(?:the\s+)?[\w.`]*\s*lock\b"
    r"|\b(?:must|should)\s+(?:already\s+)?(?:be\s+holding|hold)\s+(?:the\s+|a\s+)?[\w.`]*\s*"
    r"(?:lock|mutex|condition)\b"
    r"|\b(?:must|should)\s+(?:protect|guard)\s+(?:this|the|each|every|any)\s+"
    r"(?:function|method|call)s?\s+with\s+(?:[\w.`']+\s+){0,3}?(?:lock|mutex|condition)\b"
    # "(Must call with self.monitor.)" (ok-serial's ``_notify_all_locked``): an attribute of
    # the object, named after "call with", "be called holding", "be called under"
    r"|\b(?:must|should)\s+(?:be\s+)?call(?:ed)?\s+(?:with|holding|under)\s+[`']*self\.\w+"
    r"[`']*\s*(?:(?:lock\s+)?(?:held|acquired|locked))?\s*[.)]"
)


@functools.cache
def held_doc() -> re.Pattern[str]:
    """Only the caller-holds-the-lock part of ``unsafe_doc`` (it excuses GIL005 too)."""
    return re.compile(_HELD, re.IGNORECASE)


#: A comment that calls a race benign: the author weighed it and kept it ("a lost race only
#: repeats the sweep", "racy but harmless", "at worst two threads build it twice").
@functools.cache
def benign_race_note() -> re.Pattern[str]:
    """Compiled on first use, like ``unsafe_doc``."""
    return re.compile(
        r"(?=.*\b(?:threads?|race[sd]?|racy|racing|concurrent(?:ly)?|at\s+once|simultaneous(?:ly)?)\b)"
        r"(?=.*\b(?:benign|harmless|at\s+worst|only\s+both|no\s+harm"
        r"|does(?:\s+not|n't)\s+matter)\b)",
        re.IGNORECASE | re.DOTALL,
    )
