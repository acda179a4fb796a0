"""The project pass: join per-module summaries, find thread-reachable code, settle confidence.

Reachability follows calls from every thread entry point (``Thread(target=...)``, executors,
``run()`` of Thread subclasses, configured spawn helpers) across modules, breadth first, up to
``MAX_DEPTH`` calls deep. Calls are resolved by name and by the classes gilcheck can infer, so
every step adds guesses: on the reviewed corpora, findings three or more calls away from a
start were real races 1 time in 31, against 12 in 37 closer to it (``benchmarks/review.md``,
session 7). Code deeper than that is judged as if no thread were seen.

Each start is walked on its own, so that every function knows which starts reach it
(``contexts``): state that only one start's code touches is owned by one thread.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable
from dataclasses import replace

from gilcheck.analysis import known
from gilcheck.analysis.summary import (
    BEFORE_START,
    CAPPED_FALLBACK,
    Candidate,
    EntrySummary,
    ModuleSummary,
)
from gilcheck.findings import ENTRY_POINT, WHY_LOW, Confidence, Finding

MAX_DEPTH = 2
#: How deep ``Project.deep_reach`` follows the calls of every thread: far enough to say that
#: no thread runs a function, which a short reach cannot
DEEP_DEPTH = 8
#: How many calls up the one-owner analysis follows the callers of a writer that no start
#: reaches within ``MAX_DEPTH``, looking for the starts' targets (litdata's
#: ``PrepareChunksThread``: ``run`` -> ``_run_loop`` -> ``_download_chunk_indexes`` ->
#: ``_finalize_downloaded_chunk``; nicotine-plus's network thread, five calls above
#: ``_process_internal_messages``). Such a writer is not thread-reachable evidence by itself;
#: it only tells whose thread it runs in.
OWNER_CLIMB = 8
#: How many calls up ``Project._called_openly`` looks for a public caller of a writer
OPEN_CLIMB = 3

#: Why a GIL003 finding is ``low``.
ONE_WAITER = (
    "no second thread is seen waiting here, and with one waiter CPython's Condition does not "
    "wake it spuriously"
)

#: Why a finding is ``low``, when the project pass decides it (the audit groups by these).
NO_THREAD = "no thread gilcheck can see runs this code"
RUNS_ONCE = "set-up, script or test code that runs once, before threads or on one thread"
ONE_OWNER = "one thread owns the state (no second thread writes it)"
ONE_UPDATER = (
    "one thread updates it; the other threads only store a whole new value (a reset), so at "
    "worst a store is lost, not an update"
)
RERUN = (
    "the one thread entry point that reaches every writer starts by storing a fresh value "
    "into it: two of its runs at once on one object would clobber each other with the GIL too"
)
UNSHARED_CLASS = "instance state of a class no thread is seen sharing"
NOT_CHANGED_BY_THREAD = "no thread is seen changing the container while it is iterated"
BUILT = "runs only while its object is being built (only constructors call it)"
OWN_OBJECT = "every thread that runs it is handed an object of its own (built for that start)"
ONE_ACTOR = (
    "one thread runs the check and the act, so no second thread can pass the check and act "
    "again; other threads only store"
)
ONE_TASK = (
    "one task at a time works on the object: each start is admitted by a busy flag of the "
    "object's that the task clears"
)
LENT = (
    "the object is lent to the task: the coroutine that passes it awaits the task at once "
    "(`await asyncio.to_thread(f, obj)`), so no other thread uses it while the task runs"
)
OWN_ITEM = (
    "each task updates its own item: every start hands the function another loop counter as the key"
)
JOINED = (
    "the threads that change it are tasks of a `with` pool block, which ends before the code "
    "that iterates can run"
)
PLAIN_STORE = (
    "a plain store, not a read-modify-write: whether it races is up to the class's protocol, "
    "such as a flag cleared at shutdown or a value handed over before an Event is set"
)
CALLERS_LOCK = "every path into it in the project holds a lock, so one thread at a time runs it"
#: The rules whose race a lock held by every caller rules out (not a loop's, whose writer
#: elsewhere need not hold that lock; not GIL006's, which is about which lock).
_SERIALIZED_BY_CALLERS = frozenset({"GIL001", "GIL002", "GIL004"})
THREADS_ELSEWHERE = (
    "the threads seen using the object never write this state; only the code that uses the "
    "object outside them does"
)

#: The pseudo-caller of functions called at module level.
IMPORT = "<import>"

#: Script entry points and demos: code that runs once, from the main thread.
_RUN_ONCE = ("main", "_main", "test", "_test", "demo", "_demo", "cli", "_cli")


#: Packages of tests, run by a test runner, once, on the main thread; not imported by the
#: library's callers. A thread a test starts is not evidence either.
_TEST_PARTS = frozenset({"test", "tests", "testing", "conftest"})
#: Packages of example scripts and command-line scripts, run as a program (``python -m
#: pkg.examples.tally``, ``twisted/conch/scripts/conch.py``), once, on the main thread; but a
#: thread they start shows how the library is meant to be used.
_SCRIPT_PARTS = frozenset({"examples", "demos", "scripts"})


#: Pool entry kinds that hand over one task (``map`` and its kin hand over many).
_ONE_TASK_KINDS = frozenset({"submit", "apply", "apply_async", "run_in_executor", "to_thread"})


def _runs_once(func: str) -> bool:
    """Script entry points, demos, test-support modules and example scripts: not run from
    several threads (unless a thread start says otherwise)."""
    parts = func.split(".")
    name = parts[-1]
    if name in _RUN_ONCE or name.startswith(("test_", "_test_", "demo_")):
        return True
    return any(p in _TEST_PARTS or p in _SCRIPT_PARTS or p.startswith("test_") for p in parts[:-1])


def _started_in_tests(module: str) -> bool:
    """Is this module a test module (``pkg.tests.x``, ``test_x``, ``x_test``, ``_mouse_tests``,
    ``conftest``)? A thread a test starts drives the code the way the test wants, not the way
    the library runs in use (keyboard's ``_mouse_tests.py``)."""
    parts = module.split(".")
    return any(
        p in _TEST_PARTS or p.startswith("test_") or p.endswith(("_test", "_tests")) for p in parts
    )


class Project:
    def __init__(self, summaries: Iterable[ModuleSummary]) -> None:
        self.functions: dict[str, tuple[str, ...]] = {}
        self.classes: dict[str, tuple[str, ...]] = {}
        self.params: dict[str, tuple[str, ...]] = {}
        self.imports: dict[str, dict[str, str]] = {}
        self.lock_owners: set[str] = set()
        #: ``pkg.mod.Class.attr`` -> "one" / "many" (``ModuleSummary.pool_attrs``)
        self.pool_attrs: dict[str, str] = {}
        self.threaded: set[str] = set()
        #: ``Thread`` subclasses (not ``Process`` ones), found by ``_link``
        self.thread_classes: set[str] = set()
        self.entries: list[EntrySummary] = []
        self.import_calls: set[str] = set()
        #: ``owner_contexts`` of the functions no start reaches, as they are worked out
        self._owners: dict[str, set[int]] = {}
        fallback: dict[str, set[str]] = {}  # name -> modules importing it as a fallback
        imported: dict[str, set[str]] = {}  # name -> modules importing it at all
        escaped: set[str] = set()
        handoffs: list[tuple[str, str]] = []
        #: method names called through receivers no module could resolve
        self.unresolved_methods: set[str] = set()
        #: generator functions: a thread handed one only builds the generator; its body runs
        #: where the generator is iterated (datahub's ``executor.submit(self.generate_profile)``
        #: then ``yield from future.result()`` in the caller)
        self.generators: set[str] = set()
        #: methods run by an attribute access (``@property``...): callers the graph lacks
        self.properties: set[str] = set()
        #: (caller, callee ref) -> (lock as written, its key) held at every call of that ref
        self._locked_refs: dict[tuple[str, str], tuple[str, str]] = {}
        for s in summaries:
            for name in s.fallback_imports:
                fallback.setdefault(name, set()).add(s.module)
            for name in s.imports.values():
                imported.setdefault(name, set()).add(s.module)
            self.functions.update(s.functions)
            self.classes.update(s.classes)
            self.params.update(s.params)
            self.imports[s.module] = s.imports
            self.lock_owners |= s.lock_owners
            self.pool_attrs.update(s.pool_attrs)
            self.threaded |= s.threaded
            if not _started_in_tests(s.module):  # a test's threads are not evidence
                self.entries.extend(s.entries)
            self.import_calls.update(s.import_calls)
            escaped.update(s.escaped)
            self.unresolved_methods.update(s.unresolved_methods)
            self.generators.update(s.generators)
            self.properties.update(s.properties)
            handoffs.extend(s.self_handoffs)
            for caller, ref, lock, key in s.locked_calls:
                self._locked_refs[(caller, ref)] = (lock, key)
        #: pure-Python fallbacks of accelerated twins, imported by no module except in an
        #: ``except ImportError:`` handler: dead code wherever the accelerator exists
        self.fallbacks = {n for n, mods in fallback.items() if imported.get(n, set()) <= mods}
        #: functions handed on as values: their receivers may call them from any thread
        self.escaped = {f for ref in escaped if (f := self.resolve(ref)) is not None}
        #: (class, callee ref) of calls that pass an instance of the class (``Listener(self)``)
        self.self_handoffs = handoffs
        self.reach: dict[str, EntrySummary] = {}
        #: function -> a process start that reaches it (``multiprocessing.Process``, a process
        #: pool): evidence only for state that crosses processes (``multiprocessing.Value``)
        self.process_reach: dict[str, EntrySummary] = {}
        #: function -> the starts (indexes into ``self.starts``) that reach it
        self.contexts: dict[str, set[int]] = {}
        self.starts: list[tuple[str, EntrySummary]] = []
        self.shared_params: set[tuple[str, int]] = set()
        #: (function, parameter index) handed objects that a busy flag of their own admits
        #: one task at a time (``EntrySummary.guarded``)
        self.guarded_params: set[tuple[str, int]] = set()
        #: parameters that receive, at some start, an object built for that start alone
        self.own_params: set[tuple[str, int]] = set()
        #: parameters handed objects only by coroutines that await the task at once
        #: (``await asyncio.to_thread(f, cfg)``, ``EntrySummary.lent``)
        self.lent_params: set[tuple[str, int]] = set()
        #: attributes of such an object that the starting function writes while the target
        #: runs: still shared through that parameter
        self.contested_params: dict[tuple[str, int], set[str]] = {}
        self._link()

    # -- resolution ----------------------------------------------------------------------------
    def resolve_class(self, name: str, depth: int = 0) -> str | None:
        if name in self.classes:
            return name
        if depth > 4:
            return None
        module, _, attr = name.rpartition(".")
        target = self.imports.get(module, {}).get(attr)
        if target is not None and target != name:
            return self.resolve_class(target, depth + 1)
        return None

    def ancestors(self, cls: str) -> list[str]:
        out: list[str] = []
        todo = [cls]
        seen: set[str] = set()
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            for base in self.classes.get(current, ()):
                todo.append(self.resolve_class(base) or base)
        return out

    def lookup_method(self, cls: str, name: str) -> str | None:
        for c in self.ancestors(cls):
            candidate = f"{c}.{name}"
            if candidate in self.functions:
                return candidate
        return None

    def resolve(self, ref: str, depth: int = 0) -> str | None:
        if ref.startswith("method:"):
            _, cls, name = ref.split(":", 2)
            resolved = self.resolve_class(cls) or cls
            return self.lookup_method(resolved, name)
        if ref in self.functions:
            return ref
        as_class = self.resolve_class(ref)
        if as_class is not None:
            return self.lookup_method(as_class, "__init__")
        head, _, last = ref.rpartition(".")
        if not head:
            return None
        owner = self.resolve_class(head)
        if owner is not None:
            return self.lookup_method(owner, last)
        if depth < 4:
            target = self.imports.get(head, {}).get(last)
            if target is not None and target != ref:
                return self.resolve(target, depth + 1)
        return None

    def lineage_names(self) -> dict[str, set[str]]:
        """For each class's short name, the short names of every class an instance of it, or
        of a subclass of it, can run methods of: its ancestors, its descendants and theirs
        (a mixin of a subclass reads ``self._x`` that the class writes)."""
        out: dict[str, set[str]] = {}
        for cls in self.classes:
            line = self.ancestors(cls)  # ``cls`` and every class it descends from
            short = {c.rpartition(".")[2] for c in line}
            for member in line:
                # an instance of ``cls`` is one of ``member``'s: it runs all of ``line``
                out.setdefault(member.rpartition(".")[2], set()).update(short)
        return out

    def class_of(self, func: str) -> str | None:
        head = func.rpartition(".")[0]
        return head if head in self.classes else None

    # -- linking --------------------------------------------------------------------------------
    def _link(self) -> None:
        starts: list[tuple[str, EntrySummary]] = []
        for entry in self.entries:
            target = self.resolve(entry.target)
            if target is None or target in self.generators:
                continue
            if entry.inherited_pool:
                entry = self._inherited_pool(entry)
            if (
                entry.multi
                and not entry.looped
                and (self._submitted_once(entry) or _rearms(target, entry))
            ):
                entry = replace(entry, multi=False)
            starts.append((target, entry))
            owner = self.class_of(target)
            if owner is not None and entry.bound and not entry.process:
                self.threaded.add(owner)
            offset = 1 if entry.bound else 0
            for i in range(entry.nargs):
                if i in entry.fresh:
                    params = self.own_params
                elif i in entry.guarded:
                    params = self.guarded_params
                elif entry.lent:
                    params = self.lent_params
                else:
                    params = self.shared_params
                params.add((target, i + offset))
            for i, attrs in entry.contested:
                self.contested_params.setdefault((target, i + offset), set()).update(attrs)
            names = self.params.get(target, ())
            for keyword in entry.keywords:
                if keyword in names:
                    self.shared_params.add((target, names.index(keyword)))
        for cls in self.classes:
            lineage = self.ancestors(cls)
            bases = {base for c in lineage for base in self.classes.get(c, ())}
            if bases & known.THREAD_BASES:
                process = not bases & (known.THREAD_BASES - known.PROCESS_BASES)
                if not process:
                    self.threaded.add(cls)
                    self.thread_classes.add(cls)
                run = self.lookup_method(cls, "run")
                if run is not None and not run.startswith(tuple(known.THREAD_BASES)):
                    short = cls.rpartition(".")[2]
                    what = "Process" if process else "Thread"
                    label = f"run() of {what} subclass {short}"
                    entry = EntrySummary(run, label, "", 0, True, kind="subclass", process=process)
                    starts.append((run, entry))
        for target, entry in starts:
            if entry.process:  # evidence only for ``multiprocessing.Value`` state
                for func in self._reachable(target):
                    self.process_reach.setdefault(func, entry)
        self.starts = starts = [(t, e) for t, e in starts if not e.process]
        targets = {target for target, entry in starts if not _rearms(target, entry)}
        slots: dict[str, int] = {}
        chains: set[str] = set()
        for index, (target, entry) in enumerate(starts):
            if _rearms(target, entry):
                if target in targets or target in chains:
                    continue  # the thread that runs ``target`` already counts for this one
                chains.add(target)  # re-armed at several places, still one chain
            context = index
            if entry.serial and entry.slot:
                # every task handed to one one-worker pool runs in its one thread
                context = slots.setdefault(f"pool {entry.slot}", index)
            elif entry.bound and entry.slot and not entry.multi:
                # ``self._thread = Thread(target=self._loop)`` in ``__init__`` and again in
                # ``restart()``: one thread per instance, rebuilt, not a second one beside it
                context = slots.setdefault(f"{target} {entry.slot}", index)
            for func in self._reachable(target):
                self.reach.setdefault(func, entry)
                self.contexts.setdefault(func, set()).add(context)

    def _inherited_pool(self, entry: EntrySummary) -> EntrySummary:
        """A task handed to ``self._pool`` that the starting class's own module never binds
        (``EntrySummary.inherited_pool``): when the nearest ancestor in the project that binds
        ``_pool`` builds only one-worker pools, the task runs on that pool's one thread, like
        the tasks the ancestor's own methods hand it (the same ``slot``)."""
        cls, _, attr = entry.inherited_pool.partition(":")
        for ancestor in self.ancestors(self.resolve_class(cls) or cls)[1:]:
            kind = self.pool_attrs.get(f"{ancestor}.{attr}")
            if kind == "one":
                slot = f"{ancestor}:self.{attr}"
                return replace(entry, multi=False, serial="instance", slot=slot)
            if kind is not None:
                break
        return entry

    @functools.cached_property
    def thread_users(self) -> frozenset[str]:
        """Classes whose instances threads are seen using: ``threaded``, and classes whose
        methods pass the instance to a ``Thread`` subclass's constructor
        (docker-systemctl-replacement's ``SystemctlListenThread(self)``). Only
        ``threads_pass_by`` asks; ``is_concurrent`` does not count the second kind (yet), so
        no finding gets more visible for it."""
        found: set[str] = set(self.threaded)
        for owner, ref in self.self_handoffs:
            if ref.startswith("method:") and ref.endswith(":__init__"):  # ``Listener(self)``
                ref = ref.split(":", 2)[1]
            if self.resolve_class(ref) in self.thread_classes:
                found.add(owner)
        return frozenset(found)

    def _submitted_once(self, entry: EntrySummary) -> bool:
        """A single task handed to a pool (``submit``, ``apply_async``, ``to_thread``...) by
        code that runs once: a script's ``main``, a function called only at module level
        (metaflow's bootstrap script, under ``if __name__ == "__main__":``). The task runs in
        one pool thread, beside whatever else the script submits. A submit in any other
        function counts as several threads: the function may run per request (gunicorn's
        ``enqueue_req``)."""
        if entry.kind not in _ONE_TASK_KINDS or not entry.caller:
            return False
        return _runs_once(entry.caller) or self.import_time_only(entry.caller)

    def _reachable(self, *starts: str, limit: int = MAX_DEPTH) -> list[str]:
        """Functions reachable from ``starts`` through resolved calls, breadth first (one walk
        from all of them), at most ``limit`` calls deep."""
        seen = dict.fromkeys(starts, 0)
        order = list(seen)
        queue: deque[str] = deque(seen)
        while queue:
            func = queue.popleft()
            depth = seen[func]
            if depth >= limit:
                continue
            for callee_ref in self.functions.get(func, ()):
                callee = self.resolve(callee_ref)
                if callee is not None and callee not in seen:
                    seen[callee] = depth + 1
                    order.append(callee)
                    queue.append(callee)
        return order

    def owner_contexts(self, func: str) -> set[int]:
        """The starts whose thread runs ``func``: those that reach it within ``MAX_DEPTH``
        calls or, when none does, the starts whose targets every chain of its callers reaches
        within ``OWNER_CLIMB`` calls up (litdata's ``_finalize_downloaded_chunk`` <-
        ``_download_chunk_indexes`` <- ``_run_loop`` <- ``run``). An empty set: no start is
        seen running it, or some chain of callers leads to a function no start runs, which
        any thread may call (dogstatsd's public ``gauge()`` -> ... -> ``_xmit_packet_attempt``,
        beside its sender thread)."""
        found = self.contexts.get(func)
        if found:
            return found
        if func not in self._owners:
            self._owners[func] = self._climb(func)
        return self._owners[func]

    def _climb(self, func: str) -> set[int]:
        """The callers' side of ``owner_contexts``."""
        targets = self._start_targets
        out: set[int] = set()
        frontier, seen = {func}, {func}
        for _ in range(OWNER_CLIMB):
            above: set[str] = set()
            for f in frontier:
                callers = self._callers.get(f)
                if not callers:
                    return set()
                for caller in callers:
                    if caller in seen:
                        continue
                    seen.add(caller)
                    if caller in targets:
                        out |= self.contexts.get(caller, set())
                    else:
                        above.add(caller)
            frontier = above
        return set() if frontier else out

    @functools.cached_property
    def _start_targets(self) -> frozenset[str]:
        return frozenset(target for target, _ in self.starts)

    def one_owner(
        self, funcs: Iterable[str], *, process_wide: bool = False, rerun: Iterable[str] = ()
    ) -> bool:
        """Do all of ``funcs`` run only in one thread, started once (RacerD's "no conflict")?

        True when every function is reached from the same single start, and that start is
        not a pool or a loop (which run the target in several threads at once); a one-worker
        pool (``ThreadPoolExecutor(max_workers=1)``) is one thread, but a write before its
        ``submit`` can meet the task submitted the time before, and a task the caller's thread
        also calls directly runs in two threads. A function no start reaches runs in
        whichever thread calls it: a second context, unless the function that starts the
        owner then loops without calling it (``_starter_stays``). For process-wide state
        (``process_wide``), a start per instance (``Thread(target=self._run)``, a ``Thread``
        subclass's ``run()``) is several threads too: every instance starts one.
        For instance state, the starts of one ``run()`` inherited by several ``Thread``
        subclasses are one owner (``_one_run``).

        ``rerun``: functions that begin by storing a fresh value into the (instance) state
        (``Candidate.resets``). When the one start's target is one of them, a pool or a loop of
        starts is not a second owner: runs that overlap on one object already clobber each
        other's state with the GIL (bellows' ``_thread_main`` builds ``self.loop`` first;
        crewai's ``kickoff`` resets ``_iterations``), so what is left is a bug the GIL does
        not hide, or runs that never overlap.
        """
        owners: set[int] = set()
        before: list[str] = []  # targets of the starts that pre-start writers precede
        idle: list[str] = []  # writers no start runs
        for item in funcs:
            func, _, started = item.partition(BEFORE_START)
            found = self.owner_contexts(func)
            if not found:
                if started:  # ``func > target``: it writes only before it starts ``target``
                    before.append(started)
                    continue
                idle.append(func)
                continue
            owners |= found
            if len(owners) > 1 and (
                process_wide or not (self._one_run(owners) or self._one_guard(owners))
            ):
                return False
        if not owners:
            return False
        owner = min(owners)
        if not all(self._sets_up(owner, started) for started in before):
            return False  # set up for other threads than the one that owns the state
        entry = self.starts[owner][1]
        if idle and not self._starter_stays(entry, idle):
            return False
        if entry.serial and (
            before or self._called_outside(funcs, owner) or self.starts[owner][0] in self.escaped
        ):
            # the pool outlives the submit: the next set-up meets the last task; and a task
            # the caller's thread also runs itself (fsspec's ``_fetch_block``) runs twice at once
            return False
        if process_wide and self._called_unthreaded(funcs):
            # the caller's thread runs the writer too (bpytop's ``Draw.buffer``). Not asked for
            # instance state: a thread's own methods that callers also run directly were, on
            # the reviewed corpora, mostly the other side of a mode switch (pysyncobj's
            # ``doTick`` without the auto-tick thread, dogstatsd's sender thread or not):
            # 2 real of 15 there
            return False
        # ``Thread(target=self._run)`` starts one thread per instance; ``Thread(target=
        # test.blink)`` at module level (or in code that runs once) starts one in all
        once = not entry.caller or _runs_once(entry.caller) or self.import_time_only(entry.caller)
        per_instance = (
            (entry.bound and not entry.via_class and not once)
            or entry.kind == "subclass"
            or entry.serial == "instance"
        )
        several = entry.multi and not (entry.guard and not process_wide)
        if several and not process_wide and self.starts[owner][0] in set(rerun):
            several = False
        return not (several or (process_wide and per_instance))

    def _one_guard(self, owners: set[int]) -> bool:
        """Are ``owners`` starts of one method that each run only while an instance flag
        admits them (``EntrySummary.guard``): the starter tests that the flag is unset and
        sets it, the thread clears it? alaska2's camera session starts ``_recover`` from a
        stall and from a lost link, each under ``not self._recovering``; ``_recover`` clears
        it in its ``finally``, so one recovery runs at a time (thirty-second held-out
        corpus)."""
        starts = [self.starts[o] for o in owners]
        targets = {target for target, _ in starts}
        guards = {entry.guard for _, entry in starts}
        return len(targets) == 1 and len(guards) == 1 and "" not in guards

    def _starter_stays(self, entry: EntrySummary, idle: list[str]) -> bool:
        """May the writers ``idle``, which no start runs, leave the thread of ``entry``
        alone? Only when the function that starts it then loops in its own body
        (``EntrySummary.stays``) and neither that loop nor anything it calls runs them: the
        thread that would call them is inside the loop. telnetlib's ``mt_interact`` starts
        ``listener``, which reads the socket into ``cookedq``, and loops on ``stdin`` calling
        only ``write()``: ``read_until()`` also updates ``cookedq``, but not while the loop
        runs (ten findings in four vendored copies on the reviewed corpora). Not when the
        starting function itself runs in a thread (a ``Thread`` subclass's ``run()`` that
        starts a helper and loops): the thread that calls the writers is free. A writer
        handed on as a value may run anywhere, and so may one that only private functions
        nothing calls lead to: they are called through a table gilcheck does not follow
        (thingsboard-gateway's ``"device_deleted": self.__process_deleted_gateway_devices``,
        run by the MQTT client's thread while ``__init__`` loops)."""
        if not entry.stays or not entry.caller or self.owner_contexts(entry.caller):
            return False  # a starter that runs in a thread leaves the caller's thread free
        loop = set(self._reachable(entry.caller))
        return not any(w in loop or not self._called_openly(w) for w in idle)

    def _called_openly(self, func: str) -> bool:
        """Is every chain of callers of ``func`` (up to ``OPEN_CLIMB`` calls up) free of
        functions handed on as values, and does it end in a public function, a dunder or
        import time? A private function that nothing calls is called some way the call
        graph does not show."""
        frontier, seen = {func}, {func}
        for _ in range(OPEN_CLIMB + 1):
            above: set[str] = set()
            for f in frontier:
                if f in self.escaped:
                    return False
                callers = self._callers.get(f)
                if not callers:
                    name = f.rpartition(".")[2]
                    if name.startswith("_") and not name.endswith("__"):
                        return False
                    continue
                above |= {c for c in callers if c != IMPORT and c not in seen}
            seen |= above
            frontier = above
            if not frontier:
                return True
        return False

    def _sets_up(self, owner: int, started: str) -> bool:
        """Is the start ``owner`` one of the starts that a pre-start write comes before
        (``started``: ``Writer.before_start`` targets, ``a|b``)?"""
        return any(owner in self.contexts.get(self.resolve(t) or t, ()) for t in started.split("|"))

    def _one_run(self, owners: set[int]) -> bool:
        """Are ``owners`` the ``run()`` that several ``Thread`` subclasses inherit from one
        base (lithops' monitors: ``SqsMonitor``, ``RedisMonitor``... all run
        ``PollingMessageMonitor.run``)? Each instance runs its own class's ``run()`` once, so
        for the instance's state they are one thread."""
        targets = {self.starts[o][0] for o in owners}
        return len(targets) == 1 and all(
            self.starts[o][1].kind == "subclass" and not self.starts[o][1].multi for o in owners
        )

    def _called_outside(self, funcs: Iterable[str], owner: int) -> bool:
        """Is one of ``funcs`` also called by code that the start ``owner`` does not reach
        (the caller's thread, or import time)?"""
        for item in funcs:
            func = item.partition(BEFORE_START)[0]
            for caller in self._callers.get(func, ()):
                if owner not in self.contexts.get(caller, ()):
                    return True
        return False

    def _called_unthreaded(self, funcs: Iterable[str]) -> bool:
        """Is one of ``funcs``, each reached from a thread start, also called by a function
        that no start reaches (the program's main thread, a user's thread calling the API)?
        Then it runs in that thread too. Import-time calls and constructors do not count:
        they run before the object or the module is shared."""
        for item in funcs:
            func, pre_start, _ = item.partition(BEFORE_START)
            if pre_start or not self.contexts.get(func):
                continue
            for caller in self._callers.get(func, ()):
                if caller == IMPORT or caller.rpartition(".")[2] in _CONSTRUCTORS:
                    continue
                if not self.contexts.get(caller):
                    return True
        return False

    def several_threads(self, func: str) -> EntrySummary | None:
        """A start through which several threads can run ``func`` at once: a pool or a thread
        started in a loop reaching it, or the first of two different starts reaching it."""
        found = self.contexts.get(func)
        if not found:
            return None
        if len(found) > 1:
            return self.starts[min(found)][1]
        entry = self.starts[next(iter(found))][1]
        return entry if entry.multi else None

    def apart_in_blocks(self, first: str, second: str) -> bool:
        """Can ``first`` and ``second`` run at once only inside one ``with`` pool block, and
        never do? True when every thread that reaches either is a task of a pool used as
        ``with ThreadPoolExecutor() as pool:`` (its tasks end with the block), started by code
        that no thread runs; no block has tasks reaching both; and neither function is the
        one holding the other's block or reached from what that block's body calls (the body
        runs beside its tasks; what the function does after the block does not). clearml's
        ``Dataset.add_external_files`` fills ``_dataset_link_entries`` from a ``with`` pool;
        ``list_modified_files``, a separate call, iterates it. A pool call that waits for its
        tasks (``EntrySummary.waits``) is a block with no body: the function that makes it
        never runs beside them."""
        first_starts = self.contexts.get(first, set())
        second_starts = self.contexts.get(second, set())
        if not first_starts and not second_starts:
            return False
        blocks: list[set[str]] = []
        for found, other in ((first_starts, second), (second_starts, first)):
            mine: set[str] = set()
            for index in found:
                entry = self.starts[index][1]
                if not entry.block or not entry.caller or self.contexts.get(entry.caller):
                    return False  # a thread that can outlive its starter, or a started starter
                if (other == entry.caller and not entry.waits) or any(
                    other in self._reachable(callee)
                    for ref in entry.block_calls
                    if (callee := self.resolve(ref)) is not None
                ):
                    return False  # the block's body (or what it calls) runs beside its tasks
                mine.add(entry.block)
            blocks.append(mine)
        return not blocks[0] & blocks[1]

    @functools.cached_property
    def _callers(self) -> dict[str, set[str]]:
        """Function -> the functions that call it (``IMPORT`` for import-time calls)."""
        callers: dict[str, set[str]] = {}
        for func, refs in self.functions.items():
            for ref in refs:
                callee = self.resolve(ref)
                if callee is not None and callee != func:
                    callers.setdefault(callee, set()).add(func)
        for ref in self.import_calls:
            callee = self.resolve(ref)
            if callee is not None:
                callers.setdefault(callee, set()).add(IMPORT)
        return callers

    def _called_unseen(self, func: str) -> bool:
        """May ``func`` have callers the call graph does not show: it is handed on as a value
        (its receiver calls it), or a call on a receiver gilcheck could not resolve names a
        method of its name?"""
        return func in self.escaped or func.rpartition(".")[2] in self.unresolved_methods

    @functools.cached_property
    def _locked_edges(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(caller, callee) -> the one lock (as written, its key) the caller holds at every
        call of the callee."""
        locked: dict[tuple[str, str], tuple[str, str]] = {}
        bare: set[tuple[str, str]] = set()
        for func, refs in self.functions.items():
            for ref in refs:
                callee = self.resolve(ref)
                if callee is None or callee == func:
                    continue
                lock = self._locked_refs.get((func, ref))
                if lock is None or locked.setdefault((func, callee), lock)[1] != lock[1]:
                    bare.add((func, callee))
        return {edge: lock for edge, lock in locked.items() if edge not in bare}

    def _locked_call(self, caller: str, func: str) -> tuple[str, str] | None:
        """The lock ``caller`` holds at every call of ``func`` (or of the method ``func``
        overrides, which dispatches to it), if it always holds one."""
        lock = self._locked_edges.get((caller, func))
        cls = self.class_of(func)
        if lock is None and cls is not None:
            name = func.rpartition(".")[2]
            for base in self.ancestors(cls)[1:]:
                lock = self._locked_edges.get((caller, f"{base}.{name}"))
                if lock is not None:
                    break
        return lock

    def callers_lock(self, func: str, *, instance: bool) -> tuple[str, str] | None:
        """Is ``func`` run, in the whole project, only while some caller holds a lock: every
        call of it is made under a lock, or from functions that are themselves called only so
        (up to three levels)? Then the callers' lock lets one thread at a time in, as the
        per-module check of a helper whose callers all hold the lock does, across modules and
        classes: flagpool-sdk's ``HitTracker.track`` is called only from
        ``FlagpoolClient.get_value`` inside ``with self._lock:`` (forty-first held-out corpus).
        Not when it is a thread's target, handed on as a value, a property, called at import
        time, or named by a call gilcheck could not resolve (a caller the graph lacks); nor
        when nothing calls it (a public entry point). Every caller must hold the same lock
        (two callers under two locks can run it at once), and an instance's own lock counts
        only for the state of an instance (``instance``): two instances' threads, each under
        its own lock, still meet on a global. Returns a caller and the lock it holds."""
        targets = {target for target, _ in self.starts}
        todo, seen = [(func, 0)], {func}
        example: tuple[str, str] | None = None
        keys: set[str] = set()
        while todo:
            current, depth = todo.pop()
            callers = self._dispatched_callers(current)
            if (
                not callers
                or IMPORT in callers
                or current in targets
                or current in self.properties
                or self._called_unseen(current)
                or depth > 2
            ):
                return None
            for caller in sorted(callers):
                lock = self._locked_call(caller, current)
                if lock is not None:
                    example = example or (caller, lock[0])
                    keys.add(lock[1])
                elif caller not in seen:
                    seen.add(caller)
                    todo.append((caller, depth + 1))
        if len(keys) != 1 or (not instance and next(iter(keys)).startswith("instance:")):
            return None
        return example

    def closure_escapes(self, func: str, writers: Iterable[str] = ()) -> bool:
        """Can two threads run the nested function ``func`` on the same variables? Each
        call of the outer function makes new variables, so they are shared only when the
        nested code runs in two threads of one call: it is called from outside the outer
        function; or nested functions are started in a pool, in a loop or twice; or one is
        started once and the calling thread also runs ``func``; not by tasks the call awaits
        at once, one after the other (``EntrySummary.lent``). A helper that only the
        outer function calls, or only the one thread it starts, works on that call's own
        state (pywebview's ``inject_pywebview``). When none of the started functions
        reaches ``func`` or another nested function that writes the variable
        (``writers``), every write happens in the calling thread: pinecone's ``_collect``
        totals the futures of a pool whose tasks never touch the total. Starts that reach
        none of them are left out of the count."""
        outer, sep, _ = func.partition(".<locals>.")
        if not sep:
            return True
        inside = outer + ".<locals>."
        callers = self._callers.get(func, set())
        if any(c != outer and not c.startswith(inside) for c in callers):
            return True
        inner = [(target, entry) for target, entry in self.starts if target.startswith(inside)]
        if not inner:
            return False
        mine = {func, *(w.partition(BEFORE_START)[0] for w in writers)}
        # only the starts whose code writes the variable count: a producer thread that
        # alone counts what it finds, beside consumer threads that never touch the count
        # (inference's data staging, twenty-eighth held-out corpus)
        inner = [(t, e) for t, e in inner if mine & set(self._reachable(t))]
        if not inner:
            return False  # the started functions never write it: the calling thread does
        # a task the coroutine awaits at once (``await asyncio.to_thread(write)``) runs while
        # the call that made the variables waits, and ends before it goes on (agentlin's
        # upload counts ``nonlocal total_size`` in one such task, fifty-first held-out corpus)
        inner = [(t, e) for t, e in inner if not e.lent]
        if not inner:
            return False
        if len(inner) > 1 or inner[0][1].multi:
            return True
        return func in self._reachable(outer)

    def own_item(self, candidate: Candidate) -> bool:
        """Does each thread that runs ``candidate.func`` update an item of its own? The item's
        key is the function's parameter ``candidate.task_key``, and every start of the function
        passes the counter of a loop around it there (``for i, client in
        enumerate(clients): pool.submit(worker, client, i)``, where ``worker`` updates
        ``msg_list[i]``: qianfan's chat workers, twenty-eighth held-out corpus). Nothing else
        may call the function, and no other function may write the state once the threads
        run."""
        func = candidate.func
        starts = [entry for target, entry in self.starts if target == func]
        if not starts or self._callers.get(func):
            return False
        for entry in starts:
            if candidate.task_key - (1 if entry.bound else 0) not in entry.loop_keys:
                return False
        return all(w == func or BEFORE_START in w for w in candidate.writers)

    def built_only(self, func: str) -> bool:
        """Is the method ``func`` called, in the whole project, only while an object of its
        class is being built: by a constructor (``__init__``...) of its class or a subclass,
        or by methods that are themselves called only so (up to three levels)? The object is
        not shared yet, so its state is the building thread's, as in a private helper only
        ``__init__`` calls (litellm's ``Logging.process_dynamic_callbacks``, public but called
        only from ``Logging.__init__``, on the twenty-first held-out corpus). An override is
        called wherever its base class calls the method on ``self``: frida's
        ``PushApplication._initialize`` runs in ``ConsoleApplication.__init__``. Not when it
        is a thread's target or handed on as a value: then it runs elsewhere too. Nor when a
        call on a receiver gilcheck could not resolve (``client.process(...)``) names a
        method of the same name: that may be a caller the call graph does not show."""
        cls = self.class_of(func)
        if cls is None:
            return False
        targets = {target for target, _ in self.starts}
        todo, seen = [(func, 0)], {func}
        while todo:
            current, depth = todo.pop()
            callers = self._dispatched_callers(current)
            if not callers or current in targets or self._called_unseen(current) or depth > 2:
                return False
            for caller in callers:
                owner = self.class_of(caller) if caller != IMPORT else None
                if owner is None or (
                    cls not in self.ancestors(owner) and owner not in self.ancestors(cls)
                ):
                    return False  # another class's code, a function, or import time
                if caller.rpartition(".")[2] in _CONSTRUCTORS:
                    continue
                if caller not in seen:
                    seen.add(caller)
                    todo.append((caller, depth + 1))
        return True

    def _built_writer(self, writer: str) -> bool:
        """A writer (``Candidate.writers``) that runs only while its object is built."""
        return BEFORE_START not in writer and self.built_only(writer)

    def _dispatched_callers(self, func: str) -> set[str]:
        """The callers of the method ``func`` and of the methods it overrides: a base class
        calling ``self._initialize()`` runs the subclass's ``_initialize``."""
        callers = set(self._callers.get(func, ()))
        cls = self.class_of(func)
        if cls is not None:
            name = func.rpartition(".")[2]
            for base in self.ancestors(cls)[1:]:
                callers |= self._callers.get(f"{base}.{name}", set())
        return callers

    def import_time_only(self, func: str) -> bool:
        """Is ``func`` called only at import time (module level or a class body), in any
        module of the project? Then it runs once, before the program starts threads."""
        return self._callers.get(func) == {IMPORT}

    @functools.cached_property
    def deep_reach(self) -> frozenset[str]:
        """Every function some thread start may reach within ``DEEP_DEPTH`` calls. A call
        gilcheck could not resolve (``self.ctl.step()`` on an attribute of unknown class) may
        be any method of that name, so every such method counts as reached too, with what
        it calls."""
        seeds = [target for target, _ in self.starts]
        seeds += [
            func
            for func in self.functions
            if func.rpartition(".")[2] in self.unresolved_methods and self.class_of(func)
        ]
        return frozenset(self._reachable(*seeds, limit=DEEP_DEPTH))

    def threads_pass_by(self, candidate: Candidate) -> bool:
        """Do the threads that use an object leave this state of it alone? True when threads
        are seen working with instances of the class (a bound method or the instance handed
        to a thread, or to a ``Thread`` subclass's constructor), and no thread runs the
        function or any other writer of the state,
        however deep (``deep_reach``); nor is a writer handed on as a value, or named by a
        call gilcheck could not resolve. Then the code outside those threads is the only
        one that writes it: docker-systemctl-replacement's ``Systemctl`` hands itself to a
        socket listener thread that starts services, while ``self.error |= NOT_FOUND`` is
        in the command handlers that only the main thread runs (thirty-fourth held-out
        corpus). A lock held around one of the writes says the author treats the state as
        shared, but not that a second thread writes it."""
        if not any(c in self.thread_users for c in self.ancestors(candidate.cls)):
            return False
        for writer in (candidate.func, *candidate.writers):
            func = writer.partition(BEFORE_START)[0]
            if func in self.deep_reach or func in self.properties or self._called_unseen(func):
                return False
        return True

    def is_concurrent(self, cls: str) -> bool:
        """RacerD's notion: the class shows it is meant for threads (owns a lock, or is used
        from one), including through a subclass or a base class in the project."""
        lineage = self.ancestors(cls)
        return any(c in self.threaded or c in self.lock_owners for c in lineage)

    # -- settling ------------------------------------------------------------------------------
    def settle(self, candidate: Candidate) -> Finding:
        f = self._settle(candidate)
        if (
            f.confidence > Confidence.LOW
            and f.code in _SERIALIZED_BY_CALLERS
            and candidate.kind not in ("fixed", "iter", "waiter", "inconsistent")
            and (held := self.callers_lock(candidate.func, instance=candidate.kind == "instance"))
            is not None
        ):
            caller, lock = held
            shown = f"{CALLERS_LOCK}: `{caller}` holds `{lock}` when it calls it"
            return _low(replace(f, message=f"{f.message} (low: {shown})"), CALLERS_LOCK)
        why = candidate.capped_by
        if not why and self.fallbacks and self._in_fallback(candidate.func):
            why = CAPPED_FALLBACK
        if why and f.confidence > Confidence.LOW:
            # Say why: a capped finding may still name the thread that reaches it.
            return lowered(f, why)
        if candidate.medium_at_most and f.confidence > Confidence.MEDIUM:
            message = f"{f.message} (medium: {candidate.medium_at_most})"
            return replace(f, confidence=Confidence.MEDIUM, message=message)
        return f

    def _in_fallback(self, func: str) -> bool:
        """Is ``func`` (``zoneinfo._zoneinfo.ZoneInfo.__new__``) inside a fallback name?"""
        head = func
        while head:
            if head in self.fallbacks:
                return True
            head = head.rpartition(".")[0]
        return False

    def _settle(self, candidate: Candidate) -> Finding:
        f = candidate.finding
        kind = candidate.kind
        if kind == "fixed":
            return f
        entry = self.reach.get(candidate.func)
        name = candidate.func.rpartition(".")[2]
        if candidate.task_key >= 0 and self.own_item(candidate):
            return _low(f, OWN_ITEM)
        if kind == "waiter":
            # A wait outside a loop goes wrong when another waiter takes what this one was
            # woken for. CPython's Condition has no spurious wakeups: with one waiting thread
            # (a handshake with a helper thread, a local Condition) the ``if`` is safe.
            several = self.several_threads(candidate.func)
            if several is not None:
                return self._high(f, several)
            return lowered(f, ONE_WAITER)
        if kind == "iter":
            if candidate.cls and not self.is_concurrent(candidate.cls):
                # An instance's container, in a class that shows no sign of being shared
                # (no lock, not a thread, never handed to one): each thread builds its own
                # (xonsh's per-call ``Grammar``), as for the other instance state.
                return _low(f, UNSHARED_CLASS)
            writer = self.reach.get(candidate.writer)
            # ``func > target``: the loop runs before ``func`` starts the thread that writes
            iterating = candidate.before_start or candidate.func
            if writer is not None and not self.one_owner((iterating, candidate.writer)):
                if self.apart_in_blocks(candidate.func, candidate.writer):
                    return _low(f, JOINED)
                return self._high(f, writer)
            return _low(f, NOT_CHANGED_BY_THREAD)
        if entry is None and (
            _runs_once(candidate.func)
            or candidate.main_thread
            or known.sets_up(name)
            or known.handles_fork(name)
            or self.import_time_only(candidate.func)
        ):
            return _low(f, RUNS_ONCE)
        if entry is None and candidate.needs_thread:
            return _low(f, NO_THREAD)
        if kind == "inconsistent":
            # The lock elsewhere says the author treats the state as shared; what settles it
            # is a thread seen running the unlocked write (on the reviewed corpora, 2 of 3
            # such findings were real races, and 4 of 19 without one: class protocols keep
            # the rest apart).
            if f.confidence == Confidence.LOW:
                return lowered(f, PLAIN_STORE)  # the rule's own judgement, not a missing thread
            process_wide = not candidate.cls  # module or class state, not an instance's
            if candidate.cls and self.built_only(candidate.func):
                return _low(f, BUILT)
            if (
                entry is not None
                and candidate.writers
                and self.one_owner((candidate.func, *candidate.writers), process_wide=process_wide)
            ):
                return _low(f, ONE_OWNER)  # the locked and the unlocked write share a thread
            if entry is not None:
                return self._high(f, entry)
            return _low(f, NO_THREAD)
        if kind == "value":  # a ``multiprocessing.Value``: shared with other processes too
            entry = entry or self.process_reach.get(candidate.func)
        if kind in ("global", "class", "value", "module_attr"):
            owned = kind in ("global", "class") and entry is not None and candidate.writers
            if owned and self.one_owner((candidate.func, *candidate.writers), process_wide=True):
                return _low(f, ONE_OWNER)  # one thread owns the state
            if (
                owned
                and candidate.updaters
                and self.one_owner((candidate.func, *candidate.updaters), process_wide=True)
            ):
                return _low(f, ONE_UPDATER)
            if (
                owned
                and candidate.actors
                and self.one_owner((candidate.func, *candidate.actors), process_wide=True)
            ):
                return _low(f, ONE_ACTOR)
            if entry is not None:
                return self._high(f, entry)
            return f if f.confidence > Confidence.LOW else _low(f, NO_THREAD)
        if kind == "instance":
            if not self.is_concurrent(candidate.cls):
                return _low(f, UNSHARED_CLASS)
            if self.built_only(candidate.func):
                return _low(f, BUILT)
            # writers that run only while the object is built set it up for the threads
            writers = [w for w in candidate.writers if not self._built_writer(w)]
            if entry is not None and self.one_owner((candidate.func, *writers)):
                return _low(f, ONE_OWNER)  # one thread owns the state
            if (
                entry is not None
                and candidate.resets
                and self.one_owner((candidate.func, *writers), rerun=candidate.resets)
            ):
                return _low(f, RERUN)
            # a read-modify-write that one thread alone makes, against stores elsewhere
            # (``self.sent += 1`` in the sender thread, ``self.sent = 0`` in ``reset()``):
            # what a race loses is the reset. On the reviewed corpora such findings were
            # real races 3 times in 21 (halo's and discord.py's resets that the update undoes)
            updaters = [w for w in candidate.updaters if not self._built_writer(w)]
            if entry is not None and updaters and self.one_owner((candidate.func, *updaters)):
                return _low(f, ONE_UPDATER)
            # a double initialization needs two threads in the check: one thread alone runs
            # it (vnpy's ``check_heartbeat`` on the server thread; ``start()`` only stores)
            actors = (candidate.func, *candidate.actors)
            if entry is not None and candidate.actors and self.one_owner(actors):
                return _low(f, ONE_ACTOR)
            if entry is not None:
                return self._high(f, entry)
            if candidate.guarded:  # locked elsewhere: the author treats it as shared
                if self.threads_pass_by(candidate):
                    return _low(f, THREADS_ELSEWHERE)
                return f.with_confidence(Confidence.MEDIUM)
            return _low(f, NO_THREAD)
        if kind == "closure":
            if entry is not None and self.closure_escapes(candidate.func, candidate.writers):
                return self._high(f, entry)
            return _low(f, NO_THREAD)
        if kind == "param":
            if f.symbol.endswith(".value"):  # ``counter.value += 1``: a Value passed to it
                entry = entry or self.process_reach.get(candidate.func)
            key = (candidate.func, candidate.param)
            shared = key in self.shared_params or _attribute(f.symbol) in self.contested_params.get(
                key, ()
            )
            if shared and entry is not None:
                return self._high(f, entry)
            if key in self.guarded_params:
                return _low(f, ONE_TASK)
            if key in self.lent_params:
                return _low(f, LENT)
            return _low(f, OWN_OBJECT if key in self.own_params else NO_THREAD)
        return f

    @staticmethod
    def _high(f: Finding, entry: EntrySummary) -> Finding:
        where = f" at {entry.location}" if entry.location else ""
        message = f"{f.message} (reachable from {entry.label}{where})"
        extra = (*f.extra, (ENTRY_POINT, f"{entry.label}{where}"))
        return replace(f, confidence=Confidence.HIGH, message=message, extra=tuple(sorted(extra)))


#: Methods that run while an object is being built, before other threads can see it: the
#: construction methods, less ``__del__`` (it runs in whichever thread drops the object) and
#: ``__setstate__``.
_CONSTRUCTORS = known.CONSTRUCTION_METHODS - {"__del__", "__setstate__"}


#: Pool entry kinds whose task can hand the pool its own successor (``to_thread`` waits).
_RESUBMIT_KINDS = _ONE_TASK_KINDS - {"to_thread"}


def _rearms(target: str, entry: EntrySummary) -> bool:
    """``Timer(delay, self._poll)`` inside ``_poll`` itself: the timer thread schedules its
    successor as it finishes (a polling chain), so the chain is one thread at a time, not a
    second one. So is a pool task that submits itself, outside any loop (azureml's
    ``RunWatcher.refresh_requeue``: ``self._executor.submit(self.refresh_requeue)`` after
    each pulse)."""
    if entry.caller != target or entry.looped:
        return False
    return entry.kind == "Timer" or entry.kind in _RESUBMIT_KINDS


def _low(f: Finding, why: str) -> Finding:
    """``f`` at ``low``; the reason is kept for the audit report (``extra`` ``why_low``)."""
    extra = tuple(sorted((*(e for e in f.extra if e[0] != WHY_LOW), (WHY_LOW, why))))
    return replace(f.with_confidence(Confidence.LOW), extra=extra)


def lowered(f: Finding, why: str) -> Finding:
    """``f`` at ``low``, its message ending with the reason: ``... (low: why)``."""
    return _low(replace(f, message=f"{f.message} (low: {why})"), why)


def _attribute(symbol: str) -> str | None:
    """``file.url`` -> ``url``, ``run.parts[...]`` -> ``parts``; None for the object itself."""
    if "." not in symbol:
        return None
    return symbol.split(".")[1].partition("[")[0]
