"""State that nothing reads: a lost update of a write-only counter changes nothing.

A read-modify-write race loses an update. When no code of the project reads the state (only
its own updates, stores and resets name it), nothing can see the loss: lumibot's
``CONNECTION_DIAGNOSTICS["network_requests"] += 1``, a diagnostics counter that only tests
would read. After the project pass has settled every finding, the visible GIL001, GIL004 and
GIL006 findings are checked against the text of every file given: a line that reads the
state's name anywhere (its own module or another) keeps the finding; so does dynamic access
to the object's attributes in its own module (``vars(self)``, ``__dict__``, ``asdict``,
``dir()``, ``getattr(self, name)`` with a computed name, ``globals()``). The test works on
text, not on the tree, and leans towards "read": a name in a string, a comment-free ``def``
line, a multi-line expression all count as reads. Only whole lines that store to the name,
update it, declare it (``global``) or call a mutating method on it as a statement do not.
Globals, ``self.n`` and ``Class.n`` are judged as above. Another object's attribute
(``self.report.num_failures += 1``) is judged only when a class of the project declares it
(``num_failures: int = 0`` in a class body, or ``self.num_failures = ...``): such an object is
often read whole, by a serializer that prints a report, which names none of its fields, so the
dynamic reads above do not keep it; with no line reading the field by name, a lost update can
only skew a count in such a report (datahub's ``SourceReport`` counters, which pool workers
bump). A field no class of the project declares may be a library object's (``bar.n`` of a
progress bar, which the library reads): it is never judged.

A run that checks one file named alone (a pre-commit hook given one changed file, an editor)
cannot see the readers in other files, so it leaves these findings as they are; a run over
several files, or over a folder (even one that holds a single file), trusts that they hold
the readers (as the project pass trusts them for threads).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from gilcheck.analysis.project import lowered
from gilcheck.findings import Confidence, Finding

#: The ``why_low`` reason (the audit groups by it).
WRITE_ONLY = (
    "nothing reads it (only its own updates and stores name it), so a lost update changes nothing"
)

#: Rules whose hazard is a lost update of the state.
CODES = frozenset({"GIL001", "GIL004", "GIL006"})

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
#: What follows a container in the symbol of an update of one of its items: ``[...]``, or
#: ``[...][...]`` for an item of an item
_ITEMS = re.compile(r"(?:\[\.\.\.\])+")
_OPERATOR = r"(?:[-+*/%|&^@]|//|\*\*|<<|>>)?"
_MUTATORS = "update|clear|append|appendleft|extend|extendleft|add|discard|remove|insert|pop|popleft"
#: ``getattr(self, ...``: a ``getattr`` on the object's own ``self`` or class
_SELF_GETATTR = r"\bgetattr\(\s*(?:self|cls|type\(self\)|self\.__class__)\s*,"
#: A name that starts with a literal: ``f"_execute_{kind}"``, ``"do_" + cmd`` (group 1: the
#: literal)
_PREFIXED_NAME = r"\s*f?[\"']([A-Za-z_]\w*)(?:\{|[\"']\s*\+)"
#: Reads of an object's attributes that name none of them: an attribute may be read this way.
#: A ``getattr`` with a computed name counts only on the object's own ``self`` or class: on
#: any other object (changewatcher's ``getattr(obj, name)`` over the fields of an SDK's
#: response) it reads that object's attributes, and a list of names that could reach ours
#: would name them in a string, which the text test already counts as a read.
_DYNAMIC = re.compile(
    r"__dict__|\bvars\(|\basdict\(|\bastuple\(|\bdir\("
    rf"|{_SELF_GETATTR}(?!\s*[\"'])(?!{_PREFIXED_NAME})"
)
#: A computed ``getattr`` on ``self`` whose name starts with a literal (``getattr(self,
#: f"_execute_{kind}")``, ``getattr(self, "do_" + cmd)``: a dispatch by prefix) reads only
#: attributes with that prefix (group 1: the prefix).
_DYNAMIC_PREFIX = re.compile(_SELF_GETATTR + _PREFIXED_NAME)
#: The ``why_low`` reason for another object's attribute (``self.report.num_failures``).
REPORT_ONLY = (
    "nothing reads it by name (only its own updates and stores name it): at most a report "
    "that prints its whole object shows it, so a lost update only skews a count"
)

#: The same for a module's globals.
_DYNAMIC_GLOBALS = re.compile(r"\bglobals\(\)|\bvars\(\)")


@functools.cache
def _patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """For ``name``: a line that only declares, deletes or mutates it as a statement; a line
    that stores to it (group 1: the target as written, ``self.n``); a mention of it with
    the dotted expression before it (group 1)."""
    word = re.escape(name)
    target = rf"((?:[\w.]+\.)?{word})"
    return (
        re.compile(rf"\s*(?:(?:global|nonlocal|del)\b|{target}\.(?:{_MUTATORS})\()"),
        re.compile(rf"\s*{target}(?:\[[^\]]*\])*\s*(?::[^=]*)?{_OPERATOR}=(?!=)"),
        re.compile(rf"((?<![\w.])(?:[\w.]*\.)?{word})(?!\w)"),
    )


def _line_reads(line: str, name: str, own: bool = True) -> bool:
    """Does this line (with ``name`` in it) read ``name``? A store to it reads only when
    its value names the state through another object (``other.n = self.n``). ``own``:
    ``self.name`` and ``cls.name`` count (False: the line is in a class of another lineage,
    whose ``self`` is never the state's object)."""
    hash_ = line.find("#")
    if hash_ >= 0:
        before = line[:hash_]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            line = before  # the rest is a comment
    declares, stores, mention = _patterns(name)
    if declares.match(line):
        return False
    found = stores.match(line)
    start = 0 if found is None else found.end()
    target = None if found is None else found.group(1)
    return any(
        m.group(1) != target and (own or m.group(1) not in (f"self.{name}", f"cls.{name}"))
        for m in mention.finditer(line, start)
    )


def _defines(cls: str, text: str) -> bool:
    """Does ``text`` define a class named ``cls`` (where its ``self`` can be one of ours)?"""
    return (
        cls in text and re.search(rf"^[ \t]*class[ \t]+{re.escape(cls)}\b", text, re.M) is not None
    )


def reads(text: str, name: str, own: bool = True) -> bool:
    """Does ``text`` read ``name`` (see the module docstring)? ``own``: as for
    ``_line_reads``."""
    size = len(name)
    start = 0
    while True:
        i = text.find(name, start)
        if i < 0:
            return False
        begin = text.rfind("\n", 0, i) + 1
        end = text.find("\n", i)
        end = end if end >= 0 else len(text)
        start = max(i + size, end)
        if _line_reads(text[begin:end], name, own):
            return True


def _container(symbol: str) -> str:
    """The state an update of one of its items names: ``self._skipped[...]`` ->
    ``self._skipped``. Only for an item itself: an attribute of an item
    (``self.conns[...].sent``) is an object other code may hold and read."""
    head, bracket, rest = symbol.partition("[")
    return head if bracket and _ITEMS.fullmatch(bracket + rest) else symbol


def state_name(f: Finding) -> str | None:
    """The identifier of the state a finding updates (``self.stats`` -> ``stats``; an item's
    container: ``self._skipped[...]`` -> ``_skipped``)."""
    last = _container(f.symbol).rpartition(".")[2]
    return last if _IDENTIFIER.fullmatch(last) else None


def _judged(f: Finding) -> str | None:
    """The state name of a visible lost-update finding this test judges: a global, ``self.n``
    or ``Class.n``, an item of one of them (``self._skipped[kind] += 1``: poetry's skip
    counts, which nothing reads), or another object's attribute (``self.report.num_removed``,
    see ``_foreign``)."""
    if f.code not in CODES or f.confidence == Confidence.LOW:
        return None
    return state_name(f)


def _foreign(f: Finding) -> bool:
    """Does the finding update another object's attribute: an attribute of an attribute
    (``self.report.num_removed``) or of an item (``self.conns[...].sent``)?"""
    state = _container(f.symbol)
    return "]." in state or _ITEMS.sub("", state).count(".") > 1


@functools.cache
def _declaration(name: str) -> re.Pattern[str]:
    """A line of a class that declares the field ``name``: ``name: int = 0`` (indented, as in
    a class body) or ``self.name = ...`` / ``self.name: int = ...``."""
    word = re.escape(name)
    return re.compile(rf"^[ \t]+(?:{word}[ \t]*:|self\.{word}[ \t]*(?::[^=\n]*)?=(?!=))", re.M)


def _private(name: str) -> bool:
    """``_n`` or ``__n``, not ``__n__``: by convention only its class's code reads it."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _owner(f: Finding) -> str | None:
    """The short name of the class whose ``self._n`` (or ``cls._n``) the finding updates,
    when the finding is in a method itself (``Class.method``); None in a nested function or
    a lambda (``Class.m.<locals>.g``), whose ``self`` is some enclosing method's."""
    head = f.symbol.partition(".")[0]
    parts = f.scope.split(".")
    if head not in ("self", "cls") or len(parts) < 2 or any(p.startswith("<") for p in parts):
        return None
    return parts[-2]


def lower_unread(
    findings: list[Finding],
    paths: Iterable[str],
    read: Callable[[str], str | None],
    lineage: Callable[[], dict[str, set[str]]] | None = None,
) -> list[Finding]:
    """``findings`` with the visible lost-update findings on unread state made ``low``.
    ``paths``: every file of the run; ``read``: its text, or None when it cannot be read.
    ``lineage`` (``Project.lineage_names``, called only when a private attribute is judged):
    for a class, the classes whose methods can run on its instances. A private attribute
    (``self._n``) is then read in another file through ``self._n`` only when that file
    defines one of them (RedisTransport's write-only ``_received_count`` is not read by
    RedisPubSubRpcService's own, in another module)."""
    asked: dict[str, set[str]] = {}  # name -> the files of findings about it
    attributes: set[str] = set()  # the names asked about as an attribute (``self.n``)
    #: the names asked about only as another object's attribute (``self.report.n``)
    foreign: set[str] = set()
    #: the names asked about in any other way (a global, ``self.n``)
    plain: set[str] = set()
    #: private attribute name -> the names of the classes that may read it through ``self``
    kin: dict[str, set[str] | None] = {}
    table: dict[str, set[str]] | None = None
    for f in findings:
        name = _judged(f)
        if name is not None:
            asked.setdefault(name, set()).add(f.path)
            (foreign if _foreign(f) else plain).add(name)
            if "." in _container(f.symbol):
                attributes.add(name)
            owner = (
                _owner(f) if lineage is not None and _private(name) and not _foreign(f) else None
            )
            known = kin.setdefault(name, set())
            if owner is None or lineage is None:
                kin[name] = None
            elif known is not None:
                table = lineage() if table is None else table
                known.update(table.get(owner, set()) | {owner})
    if not asked:
        return findings
    foreign -= plain  # a name also asked about as our own state is judged as that
    unread = set(asked)
    undeclared = set(foreign)  # foreign fields no class of the project has declared yet
    seen: set[str] = set()
    for path in paths:
        if not unread:
            break
        seen.add(path)
        text = read(path)
        if text is None:
            # its own file unreadable: assume it reads it (and any file may declare a field)
            unread.difference_update([name for name in unread if path in asked[name]])
            continue
        for name in [n for n in undeclared & unread if n in text]:
            if _declaration(name).search(text):
                undeclared.discard(name)
        hits = [name for name in unread if path in asked[name] and name not in foreign]
        if hits and _DYNAMIC_GLOBALS.search(text):
            unread.difference_update(hits)
        elif hits and _DYNAMIC.search(text):
            unread.difference_update(name for name in hits if name in attributes)
        elif hits and (prefixes := _DYNAMIC_PREFIX.findall(text)):
            unread.difference_update(
                name for name in hits if name in attributes and name.startswith(tuple(prefixes))
            )
        for name in [n for n in unread if n in text]:
            names = kin.get(name)
            own = path in asked[name] or names is None or any(_defines(c, text) for c in names)
            if reads(text, name, own):
                unread.discard(name)
    unread -= {name for name in unread if not asked[name] <= seen}  # an owner never read
    unread -= undeclared
    if not unread:
        return findings
    return [
        lowered(f, REPORT_ONLY if _foreign(f) else WRITE_ONLY) if _judged(f) in unread else f
        for f in findings
    ]
