"""Settings: ``[tool.gilcheck]`` in pyproject.toml + command-line overrides -> a frozen Config."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gilcheck.findings import Confidence
from gilcheck.registry import RULES, UnknownCodeError, expand_codes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

#: Directories never descended into unless named explicitly on the command line.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    ".nox",
    "node_modules",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".gilcheck_cache",
)


#: Values accepted by ``format`` / ``--format``.
OUTPUT_FORMATS: tuple[str, ...] = ("text", "concise", "json", "sarif", "github", "markdown")

#: Values accepted by ``min-confidence`` / ``--min-confidence``.
CONFIDENCE_NAMES: tuple[str, ...] = tuple(str(level) for level in Confidence)


class ConfigError(Exception):
    """A bad setting: the CLI prints it on one line and exits 2."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    #: (glob, codes) pairs; the glob is matched against the path relative to ``root``.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_confidence: Confidence = Confidence.HIGH
    format: str = "text"
    #: Qualified names of the project's own spawn helpers (first argument / target= runs in a
    #: thread).
    thread_entry_points: tuple[str, ...] = ()
    #: Qualified names of the project's own lock classes or lock-returning functions.
    lock_types: tuple[str, ...] = ()
    #: Directory that relative globs (per-file-ignores, exclude) are resolved against.
    root: Path = field(default_factory=Path.cwd)
    #: The file the settings came from, if any.
    source: Path | None = None

    # -- rule selection -------------------------------------------------------------------
    @property
    def enabled_codes(self) -> frozenset[str]:
        selected = expand_codes(self.select) | expand_codes(self.extend_select)
        return frozenset(selected - expand_codes(self.ignore))

    def codes_ignored_for(self, path: str) -> frozenset[str]:
        """Codes switched off for one file by ``per-file-ignores``."""
        if not self.per_file_ignores:
            return frozenset()
        rel = _relative(path, self.root)
        ignored: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if _glob_match(rel, pattern):
                ignored |= expand_codes(codes)
        return frozenset(ignored)

    def is_excluded(self, path: Path) -> bool:
        """True when a discovered path (file or directory) matches an exclude pattern."""
        patterns = self.exclude + self.extend_exclude
        rel = _relative(str(path), self.root)
        name = path.name
        return any(
            fnmatch.fnmatchcase(name, pattern) or _glob_match(rel, pattern) for pattern in patterns
        )

    # -- cache identity -------------------------------------------------------------------
    def analysis_key(self) -> str:
        """A digest of every setting that changes per-file analysis results (for the cache)."""
        text = repr((sorted(self.thread_entry_points), sorted(self.lock_types)))
        import hashlib

        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def validate(self) -> None:
        """Check values that may come from the command line (after ``dataclasses.replace``).

        Raises ConfigError with a one-line message naming the setting and the bad value.
        """
        for name in ("select", "ignore", "extend_select"):
            value = getattr(self, name)
            key = name.replace("_", "-")
            if isinstance(value, str):
                raise ConfigError(f"{key}: expected a sequence of codes, got the string {value!r}")
            try:
                expand_codes(value)
            except ValueError as exc:
                raise ConfigError(f"{key}: {exc}") from None
        for name in ("exclude", "extend_exclude", "thread_entry_points", "lock_types"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(item, str) for item in value):
                key = name.replace("_", "-")
                raise ConfigError(f"{key}: expected a sequence of strings, got {value!r}")
        for pattern, codes in self.per_file_ignores:
            raw: object = codes  # a caller may pass a plain string by mistake
            if isinstance(raw, str):
                raise ConfigError(
                    f"per-file-ignores[{pattern!r}]: expected a sequence of codes, "
                    f"got the string {codes!r}"
                )
            try:
                expand_codes(codes)
            except ValueError as exc:
                raise ConfigError(f"per-file-ignores[{pattern!r}]: {exc}") from None
        if not isinstance(self.min_confidence, Confidence):
            raise ConfigError(
                f"min-confidence: {self.min_confidence!r} is not one of "
                f"{', '.join(CONFIDENCE_NAMES)}"
            )
        if self.format not in OUTPUT_FORMATS:
            raise ConfigError(f"format: {self.format!r} is not one of {', '.join(OUTPUT_FORMATS)}")


def _relative(path: str, root: Path) -> str:
    """The path relative to the config root (the folder of pyproject.toml), whatever the cwd."""
    p = Path(path)
    try:
        return Path(os.path.abspath(p)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return p.as_posix().removeprefix("./")


def _glob_match(rel: str, pattern: str) -> bool:
    pattern = pattern.removeprefix("./")
    if fnmatch.fnmatchcase(rel, pattern):
        return True
    # "dir/" or "dir" matches everything below it; "**/" prefixes match at any depth.
    stripped = pattern.rstrip("/")
    if rel == stripped or rel.startswith(stripped + "/"):
        return True
    return pattern.startswith("**/") and _glob_match(rel, pattern[3:])


# -- loading ------------------------------------------------------------------------------

#: A converter checks one raw TOML value and returns the Config field value.
#: It raises ``_Bad(detail)``; the caller adds the file and key to the message.
_Converter = Callable[[object], Any]


class _Bad(Exception):
    """A bad value: ``str(exc)`` is the detail after ``file: [tool.gilcheck] key:``."""


def _string_list(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Bad(f"expected a list of strings, got {value!r}")
    return tuple(value)


def _code_list(value: object) -> tuple[str, ...]:
    items = _string_list(value)
    for item in items:
        _check_code(item)
    return tuple(item.strip().upper() for item in items if item.strip())


def _check_code(item: str) -> None:
    try:
        expand_codes([item])
    except UnknownCodeError:
        hint = ""
        by_name = {rule.name: code for code, rule in RULES.items()}
        guess = by_name.get(item.strip().lower())
        if guess is None:
            import difflib

            close = difflib.get_close_matches(item.strip().upper(), list(RULES), n=1)
            guess = close[0] if close else None
        if guess is not None:
            hint = f" (did you mean {guess!r}?)"
        raise _Bad(f"{item!r} is not a known rule code or prefix{hint}") from None


def _qualified_names(value: object) -> tuple[str, ...]:
    items = _string_list(value)
    for item in items:
        if not item or not all(part.isidentifier() for part in item.split(".")):
            raise _Bad(f"{item!r} is not a dotted qualified name such as 'mypkg.pool.spawn'")
    return items


def _per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise _Bad(f"expected a table of glob = [codes], got {value!r}")
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for pattern, codes in value.items():
        try:
            pairs.append((pattern, _code_list(codes)))
        except _Bad as exc:
            raise _Bad(f"{pattern!r}: {exc}") from None
    return tuple(pairs)


def _confidence(value: object) -> Confidence:
    if isinstance(value, str) and value.strip().lower() in CONFIDENCE_NAMES:
        return Confidence.parse(value)
    raise _Bad(f"{value!r} is not one of {', '.join(CONFIDENCE_NAMES)}")


def _output_format(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in OUTPUT_FORMATS:
        return value.strip().lower()
    raise _Bad(f"{value!r} is not one of {', '.join(OUTPUT_FORMATS)}")


#: ``[tool.gilcheck]`` key -> (Config field, converter).
CONFIG_KEYS: dict[str, tuple[str, _Converter]] = {
    "select": ("select", _code_list),
    "ignore": ("ignore", _code_list),
    "extend-select": ("extend_select", _code_list),
    "exclude": ("exclude", _string_list),
    "extend-exclude": ("extend_exclude", _string_list),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "min-confidence": ("min_confidence", _confidence),
    "format": ("format", _output_format),
    "thread-entry-points": ("thread_entry_points", _qualified_names),
    "lock-types": ("lock_types", _qualified_names),
}


def find_config_file(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.gilcheck]`` table, from ``start`` upwards.

    ``start`` may be a file or a directory. A pyproject.toml without the table is skipped (like
    ruff does); one that is not valid TOML but mentions ``[tool.gilcheck]`` is returned so that
    ``load_config`` reports the syntax error instead of silently ignoring the settings.
    """
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _has_gilcheck_table(candidate):
            return candidate
    return None


def _has_gilcheck_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "gilcheck" not in text:  # cheap: most pyproject.toml files never mention us
        return False
    compact = "".join(text.split())
    if not any(
        form in compact for form in ("tool.gilcheck", 'tool."gilcheck"', "[tool]", "tool={")
    ):
        return False  # names gilcheck (a dev dependency) without configuring it: no TOML parse
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "tool.gilcheck" in text.replace(" ", "")
    tool = data.get("tool")
    return isinstance(tool, dict) and "gilcheck" in tool


def load_config(start: Path, config_file: Path | None = None) -> Config:
    """Settings for a run started at ``start`` (a directory, usually the current one).

    With ``config_file`` (``--config``) that file is read: a ``pyproject.toml`` (or any file with a
    ``[tool.gilcheck]`` table) uses the table, any other TOML file holds the keys at top level.
    Without it the nearest pyproject.toml with ``[tool.gilcheck]`` is used, or the defaults.
    Raises ConfigError with a one-line message naming the file, the key and the bad value.
    """
    if config_file is None:
        config_file = find_config_file(start)
        if config_file is None:
            root = start.resolve()
            return Config(root=root if root.is_dir() else root.parent, source=None)
    display = _display(config_file)
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{display}: config file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{display}: config file is not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read config file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display}: invalid TOML: {exc}") from None

    tool = data.get("tool")
    if config_file.name == "pyproject.toml" or (isinstance(tool, dict) and "gilcheck" in tool):
        where = f"{display}: [tool.gilcheck]"
        table = tool.get("gilcheck", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table, got {table!r}")
    else:
        where = f"{display}:"
        table = data

    values: dict[str, Any] = {}
    for key, raw in table.items():
        spec = CONFIG_KEYS.get(key)
        if spec is None:
            raise ConfigError(f"{where} unknown key {key!r}{_suggest_key(key)}")
        name, convert = spec
        try:
            values[name] = convert(raw)
        except _Bad as exc:
            raise ConfigError(f"{where} {key}: {exc}") from None

    source = config_file.resolve()
    config = Config(**values, root=source.parent, source=source)
    try:
        config.validate()
    except ConfigError as exc:  # pragma: no cover - the converters check everything first
        raise ConfigError(f"{where} {exc}") from None
    return config


def _suggest_key(key: str) -> str:
    candidate = key.strip().lower().replace("_", "-")
    if candidate in CONFIG_KEYS:
        return f" (did you mean {candidate!r}?)"
    import difflib

    close = difflib.get_close_matches(candidate, list(CONFIG_KEYS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _display(path: Path) -> str:
    """The config file as the user will recognise it: relative to the cwd when inside it."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def show_config(config: Config) -> str:
    """The resolved settings as ``key = value`` lines (valid TOML), for ``--show-config``."""

    def value(item: object) -> str:
        import json

        return json.dumps(item, ensure_ascii=False)

    if config.source is not None:
        lines = [f"source = {value(str(config.source))}"]
    else:
        lines = ['source = ""  # no [tool.gilcheck] found: built-in defaults']
    pfi = ", ".join(
        f"{value(glob)} = {value(list(codes))}" for glob, codes in config.per_file_ignores
    )
    lines += [
        f"root = {value(str(config.root))}",
        f"select = {value(list(config.select))}",
        f"extend-select = {value(list(config.extend_select))}",
        f"ignore = {value(list(config.ignore))}",
        f"exclude = {value(list(config.exclude))}",
        f"extend-exclude = {value(list(config.extend_exclude))}",
        f"per-file-ignores = {{ {pfi} }}" if pfi else "per-file-ignores = {}",
        f"min-confidence = {value(str(config.min_confidence))}",
        f"format = {value(config.format)}",
        f"thread-entry-points = {value(list(config.thread_entry_points))}",
        f"lock-types = {value(list(config.lock_types))}",
        f"enabled-codes = {value(sorted(config.enabled_codes))}  # derived",
    ]
    return "\n".join(lines) + "\n"


__all__ = [
    "CONFIDENCE_NAMES",
    "CONFIG_KEYS",
    "DEFAULT_EXCLUDES",
    "OUTPUT_FORMATS",
    "RULES",
    "Config",
    "ConfigError",
    "find_config_file",
    "load_config",
    "show_config",
]
