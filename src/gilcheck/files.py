"""Which files to check, and what module each one is."""

from __future__ import annotations

import collections
import dataclasses
import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from gilcheck.config import Config

PYTHON_SUFFIXES = (".py", ".pyi")


class PathError(Exception):
    """A path given on the command line does not exist (exit 2)."""


@dataclass(frozen=True)
class SourceFile:
    path: str  # as shown in output: relative to the current directory when possible
    module: str  # dotted module name
    is_package: bool  # an __init__ file


def discover(paths: list[str], config: Config) -> list[SourceFile]:
    """Expand files and directories into the sorted, de-duplicated list of files to check.

    Explicitly named files are checked even when an exclude pattern matches them; directories
    are walked recursively, skipping excluded names, symlink loops and unreadable folders.
    """
    found: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise PathError(f"{raw}: no such file or directory")
        if path.is_dir():
            for file in _walk(path, config):
                found.setdefault(_key(file), file)
        else:
            found.setdefault(_key(path), path)
    files = [
        SourceFile(_display(p), module_name(p), p.name.startswith("__init__."))
        for p in found.values()
    ]
    files.sort(key=lambda f: f.path)
    return _distinct_modules(files)


def names_a_folder(paths: list[str]) -> bool:
    """Was a folder given (not only files named one by one)? Its files are then the whole
    project (``RunOptions.whole_project``)."""
    return any(os.path.isdir(p) for p in paths)


def _distinct_modules(files: list[SourceFile]) -> list[SourceFile]:
    """Give files that share a dotted name a name of their own.

    Two copies of a package in sibling folders that are not packages themselves (zuul ships
    ``zuul/ansible/9/library/command.py`` and ``zuul/ansible/11/library/command.py``, both
    ``library.command``) would otherwise merge into one module in the project pass: one
    copy's functions hide the other's, and a finding names the other file's thread start.
    Each name of such a group is prefixed with the folders above its package, one more at a
    time, until the group's names differ (``9.library.command``, ``11.library.command``).
    Imports of the shared name then resolve to neither copy, which gilcheck cannot tell apart
    anyway."""
    counts = collections.Counter(f.module for f in files)
    if all(n == 1 for n in counts.values()):
        return files
    groups: dict[str, list[int]] = collections.defaultdict(list)
    for index, f in enumerate(files):
        if counts[f.module] > 1:
            groups[f.module].append(index)
    out = list(files)
    for module, members in groups.items():
        above = {i: _folders_above(files[i]) for i in members}
        names = {i: module for i in members}
        for depth in range(1, max(len(a) for a in above.values()) + 1):
            names = {i: ".".join([*reversed(above[i][:depth]), module]) for i in members}
            if len(set(names.values())) == len(members):
                break
        for i in members:
            out[i] = dataclasses.replace(files[i], module=names[i])
    return out


def _folders_above(f: SourceFile) -> list[str]:
    """The names of the folders above the file's top package, nearest first."""
    try:
        path = Path(f.path).resolve()
    except (OSError, RuntimeError):
        path = Path(os.path.abspath(f.path))
    used = f.module.count(".") + (1 if f.is_package else 0)
    return [folder.name for folder in path.parents[used:] if folder.name]


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def _display(path: Path) -> str:
    text = os.path.normpath(str(path))
    if os.path.isabs(text):
        try:
            rel = os.path.relpath(text)
            if not rel.startswith(".."):
                text = rel
        except ValueError:
            pass
    return Path(text).as_posix()


def _walk(root: Path, config: Config) -> list[Path]:
    out: list[Path] = []
    # A directory named on the command line is searched even when it is excluded itself
    # (``gilcheck build/``); below it only patterns that match an entry's own name count,
    # since every path below an excluded folder matches that folder's pattern as a prefix.
    root_excluded = config.is_excluded(root)
    patterns = config.exclude + config.extend_exclude
    seen_dirs: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = directory.stat()
        except OSError:
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen_dirs:
            continue  # a symlink loop, or the same folder reached twice
        seen_dirs.add(ident)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if config.is_excluded(path) and (
                not root_excluded or any(fnmatch.fnmatchcase(entry.name, p) for p in patterns)
            ):
                continue
            try:
                if entry.is_dir():
                    stack.append(path)
                elif entry.name.endswith(PYTHON_SUFFIXES) and entry.is_file():
                    out.append(path)
            except OSError:
                continue
    return out


#: How many folders without ``__init__.py`` a module name may cross to reach its package.
_NAMESPACE_DEPTH = 2


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").exists() or (folder / "__init__.pyi").exists()


def module_name(path: Path) -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod`` following ``__init__.py`` files upwards."""
    try:
        path = path.resolve()
    except (OSError, RuntimeError):
        path = Path(os.path.abspath(path))
    stem = path.name.split(".", 1)[0]
    parts = [] if stem == "__init__" else [stem]
    parent = path.parent
    # a folder without ``__init__.py`` just inside a package is a namespace portion of it
    # (``taskflow/examples/99_bottles.py`` is ``taskflow.examples.99_bottles``)
    for crossed in range(_NAMESPACE_DEPTH):
        if _is_package(parent):
            break
        above = parent.parents[: _NAMESPACE_DEPTH - crossed]
        if not any(_is_package(folder) for folder in above):
            break
        parts.append(parent.name)
        parent = parent.parent
    while _is_package(parent):
        parts.append(parent.name)
        if parent.parent == parent:
            break
        parent = parent.parent
    return ".".join(reversed(parts))
