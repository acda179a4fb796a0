"""Configuration loading: [tool.gilcheck], --config files, validation and overrides."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from gilcheck.config import (
    CONFIG_KEYS,
    DEFAULT_EXCLUDES,
    Config,
    ConfigError,
    find_config_file,
    load_config,
    show_config,
)
from gilcheck.findings import Confidence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write_pyproject(directory: Path, body: str, *, table: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    header = "[project]\nname = 'demo'\n\n"
    path.write_text(header + ("[tool.gilcheck]\n" if table else "") + body, encoding="utf-8")
    return path


def load_error(tmp_path: Path, body: str) -> str:
    write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    return message


# -- discovery ---------------------------------------------------------------------------------


def test_no_config_gives_defaults_rooted_at_start(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.source is None
    assert config.root == tmp_path.resolve()
    assert config.select == ("ALL",)
    assert config.exclude == DEFAULT_EXCLUDES
    assert config.min_confidence is Confidence.HIGH
    assert config.format == "text"


def test_discovery_walks_upwards(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, 'select = ["GIL001"]\n')
    deep = tmp_path / "src" / "pkg" / "sub"
    deep.mkdir(parents=True)
    assert find_config_file(deep) == pyproject.resolve()
    config = load_config(deep)
    assert config.select == ("GIL001",)
    assert config.root == tmp_path.resolve()
    assert config.source == pyproject.resolve()


def test_discovery_from_a_file_path(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, 'format = "json"\n')
    module = tmp_path / "mod.py"
    module.write_text("x = 1\n")
    assert find_config_file(module) == pyproject.resolve()


def test_discovery_skips_pyproject_without_table(tmp_path: Path) -> None:
    outer = write_pyproject(tmp_path, 'format = "json"\n')
    inner_dir = tmp_path / "inner"
    write_pyproject(inner_dir, "[tool.ruff]\nline-length = 80\n", table=False)
    assert find_config_file(inner_dir) == outer.resolve()
    assert load_config(inner_dir).format == "json"


def test_discovery_nearest_wins(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'format = "json"\n')
    inner = write_pyproject(tmp_path / "inner", 'format = "sarif"\n')
    assert find_config_file(tmp_path / "inner") == inner.resolve()
    assert load_config(tmp_path / "inner").format == "sarif"


def test_discovery_reports_broken_pyproject_that_mentions_us(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.gilcheck]\nselect = [\n")
    assert find_config_file(tmp_path) == (tmp_path / "pyproject.toml").resolve()
    with pytest.raises(ConfigError, match=r"pyproject\.toml: invalid TOML"):
        load_config(tmp_path)


def test_discovery_ignores_broken_pyproject_of_someone_else(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black\n")
    assert find_config_file(tmp_path) is None
    assert load_config(tmp_path).source is None


# -- every key ---------------------------------------------------------------------------------


def test_all_keys_valid(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        """
select = ["GIL00", "gil006"]
ignore = ["GIL003"]
extend-select = ["GIL000"]
exclude = ["generated"]
extend-exclude = ["vendor/*"]
min-confidence = "HIGH"
format = "sarif"
thread-entry-points = ["mypkg.pool.spawn", "run_later"]
lock-types = ["mypkg.sync.SpinLock"]

[tool.gilcheck.per-file-ignores]
"tests/*" = ["GIL004"]
"legacy.py" = ["GIL001", "GIL002"]
""",
    )
    config = load_config(tmp_path)
    assert config.select == ("GIL00", "GIL006")
    assert config.ignore == ("GIL003",)
    assert config.extend_select == ("GIL000",)
    assert config.exclude == ("generated",)
    assert config.extend_exclude == ("vendor/*",)
    assert config.per_file_ignores == (
        ("tests/*", ("GIL004",)),
        ("legacy.py", ("GIL001", "GIL002")),
    )
    assert config.min_confidence is Confidence.HIGH
    assert config.format == "sarif"
    assert config.thread_entry_points == ("mypkg.pool.spawn", "run_later")
    assert config.lock_types == ("mypkg.sync.SpinLock",)
    assert "GIL003" not in config.enabled_codes
    assert {"GIL000", "GIL001", "GIL004", "GIL006"} <= config.enabled_codes
    assert config.codes_ignored_for("tests/test_x.py") == {"GIL004"}
    assert config.codes_ignored_for("src/x.py") == frozenset()


def test_every_documented_key_is_loadable() -> None:
    assert set(CONFIG_KEYS) == {
        "select",
        "ignore",
        "extend-select",
        "exclude",
        "extend-exclude",
        "per-file-ignores",
        "min-confidence",
        "format",
        "thread-entry-points",
        "lock-types",
    }


def test_exclude_replaces_defaults_extend_exclude_adds(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'extend-exclude = ["gen"]\n')
    config = load_config(tmp_path)
    assert config.exclude == DEFAULT_EXCLUDES
    assert config.is_excluded(tmp_path / "gen")
    assert config.is_excluded(tmp_path / ".venv")

    write_pyproject(tmp_path, 'exclude = ["gen"]\n')
    config = load_config(tmp_path)
    assert config.is_excluded(tmp_path / "gen")
    assert not config.is_excluded(tmp_path / ".venv")


@pytest.mark.parametrize(
    ("body", "key", "value"),
    [
        ('select = "GIL001"', "select", "'GIL001'"),
        ('select = ["GIL001", 3]', "select", "3"),
        ('ignore = ["GIL999"]', "ignore", "'GIL999'"),
        ('extend-select = ["XYZ"]', "extend-select", "'XYZ'"),
        ("exclude = 5", "exclude", "5"),
        ('extend-exclude = [["a"]]', "extend-exclude", "[['a']]"),
        ('per-file-ignores = ["tests/*"]', "per-file-ignores", "['tests/*']"),
        ('per-file-ignores = { "tests/*" = ["GIL9"] }', "per-file-ignores", "'GIL9'"),
        ('per-file-ignores = { "tests/*" = "GIL001" }', "per-file-ignores", "'GIL001'"),
        ('min-confidence = "extreme"', "min-confidence", "'extreme'"),
        ("min-confidence = 2", "min-confidence", "2"),
        ('format = "xml"', "format", "'xml'"),
        ('thread-entry-points = ["not a name"]', "thread-entry-points", "'not a name'"),
        ("thread-entry-points = [1]", "thread-entry-points", "1"),
        ('lock-types = ["pkg..Lock"]', "lock-types", "'pkg..Lock'"),
        ('lock-types = "pkg.Lock"', "lock-types", "'pkg.Lock'"),
    ],
)
def test_invalid_values_name_file_key_and_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, key: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    message = load_error(tmp_path, body + "\n")
    assert message.startswith(f"pyproject.toml: [tool.gilcheck] {key}: "), message
    assert value in message


def test_confidence_error_text_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    message = load_error(tmp_path, 'min-confidence = "extreme"\n')
    assert message == (
        "pyproject.toml: [tool.gilcheck] min-confidence: 'extreme' is not one of low, medium, high"
    )


def test_format_error_lists_formats(tmp_path: Path) -> None:
    message = load_error(tmp_path, 'format = "xml"\n')
    assert "text, concise, json, sarif, github, markdown" in message


def test_unknown_code_suggests_close_code_or_slug(tmp_path: Path) -> None:
    assert "did you mean 'GIL001'" in load_error(tmp_path, 'select = ["global-rmw"]\n')
    assert "did you mean 'GIL004'" in load_error(tmp_path, 'ignore = ["GIL0004"]\n')


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    assert "unknown key 'min_confidence' (did you mean 'min-confidence'?)" in load_error(
        tmp_path, 'min_confidence = "high"\n'
    )
    assert "(did you mean 'extend-exclude'?)" in load_error(tmp_path, 'extend-exlude = ["a"]\n')


def test_unknown_key_without_close_match(tmp_path: Path) -> None:
    message = load_error(tmp_path, "banana = 1\n")
    assert "unknown key 'banana'" in message
    assert "did you mean" not in message


def test_error_path_outside_cwd_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    write_pyproject(project, "format = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(project)
    assert str(info.value).startswith(str((project / "pyproject.toml").resolve()) + ": ")


# -- --config ----------------------------------------------------------------------------------


def test_config_file_with_top_level_keys(tmp_path: Path) -> None:
    cfg = tmp_path / "conf" / "gilcheck.toml"
    cfg.parent.mkdir()
    cfg.write_text('select = ["GIL002"]\nmin-confidence = "low"\n')
    # A pyproject with a table next to the start directory is NOT used when --config is given.
    write_pyproject(tmp_path, 'format = "json"\n')
    config = load_config(tmp_path, cfg)
    assert config.select == ("GIL002",)
    assert config.min_confidence is Confidence.LOW
    assert config.format == "text"
    assert config.source == cfg.resolve()
    assert config.root == cfg.parent.resolve()


def test_config_file_errors_have_no_table_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "gilcheck.toml"
    cfg.write_text('format = "yaml"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, cfg)
    assert str(info.value).startswith("gilcheck.toml: format: 'yaml' is not one of")


def test_config_file_pyproject_uses_table(tmp_path: Path) -> None:
    other = write_pyproject(tmp_path / "ci", 'format = "github"\n')
    assert load_config(tmp_path, other).format == "github"


def test_config_file_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    other = write_pyproject(tmp_path / "ci", "", table=False)
    config = load_config(tmp_path, other)
    assert config.format == "text"
    assert config.source == other.resolve()


def test_config_file_with_tool_table_but_other_name(tmp_path: Path) -> None:
    cfg = tmp_path / "ci-settings.toml"
    cfg.write_text('[tool.gilcheck]\nformat = "markdown"\n')
    assert load_config(tmp_path, cfg).format == "markdown"


def test_config_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found"):
        load_config(tmp_path, tmp_path / "nope.toml")


def test_config_file_invalid_toml(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("select = [\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, cfg)
    assert "bad.toml: invalid TOML" in str(info.value)
    assert "\n" not in str(info.value)


def test_config_file_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path, tmp_path)


def test_tool_gilcheck_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\ngilcheck = "yes"\n')
    with pytest.raises(ConfigError, match=r"\[tool\.gilcheck\]: expected a table"):
        load_config(tmp_path, path)


# -- CLI overrides -----------------------------------------------------------------------------


def test_override_then_validate(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'select = ["GIL001"]\nformat = "json"\n')
    config = load_config(tmp_path)
    merged = dataclasses.replace(config, select=("GIL002",), min_confidence=Confidence.LOW)
    merged.validate()
    assert merged.select == ("GIL002",)
    assert merged.format == "json"  # not overridden: the config value stays
    assert merged.enabled_codes == {"GIL002"}
    assert merged.source == config.source


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"select": ("GIL999",)}, "select: unknown rule code or prefix 'GIL999'"),
        ({"ignore": ("nope",)}, "ignore: unknown rule code or prefix 'nope'"),
        ({"extend_select": ("X1",)}, "extend-select: unknown rule code or prefix 'X1'"),
        ({"select": "GIL001"}, "select: expected a sequence of codes"),
        ({"format": "xml"}, "format: 'xml' is not one of"),
        ({"min_confidence": "high"}, "min-confidence: 'high' is not one of"),
        ({"per_file_ignores": (("t/*", ("GIL42",)),)}, "per-file-ignores['t/*']"),
        ({"per_file_ignores": (("t/*", "GIL001"),)}, "expected a sequence of codes"),
        ({"exclude": "build"}, "exclude: expected a sequence of strings"),
    ],
)
def test_validate_rejects_bad_overrides(overrides: dict[str, object], expected: str) -> None:
    config = dataclasses.replace(Config(), **overrides)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as info:
        config.validate()
    assert expected in str(info.value)


def test_defaults_validate() -> None:
    Config().validate()


# -- show_config -------------------------------------------------------------------------------


def test_show_config_is_toml_with_source(tmp_path: Path) -> None:
    pyproject = write_pyproject(
        tmp_path,
        'ignore = ["GIL003"]\nmin-confidence = "high"\n'
        '[tool.gilcheck.per-file-ignores]\n"tests/*" = ["GIL004"]\n',
    )
    text = show_config(load_config(tmp_path))
    data = tomllib.loads(text)
    assert data["source"] == str(pyproject.resolve())
    assert data["root"] == str(tmp_path.resolve())
    assert data["ignore"] == ["GIL003"]
    assert data["min-confidence"] == "high"
    assert data["per-file-ignores"] == {"tests/*": ["GIL004"]}
    assert data["exclude"] == list(DEFAULT_EXCLUDES)
    assert "GIL003" not in data["enabled-codes"]
    assert "GIL001" in data["enabled-codes"]
    # every configurable key is shown
    assert set(CONFIG_KEYS) <= set(data)


def test_show_config_without_file(tmp_path: Path) -> None:
    text = show_config(load_config(tmp_path))
    data = tomllib.loads(text)
    assert data["source"] == ""
    assert "built-in defaults" in text
    assert data["per-file-ignores"] == {}
