"""The pre-commit hook, for real: ``pre-commit try-repo <this checkout> gilcheck --all-files``.

pre-commit clones the hook repository, builds a virtualenv and pip-installs gilcheck into it
(from PyPI: hatchling, libcst, click). That happens once per test session: every test shares
one ``PRE_COMMIT_HOME`` and one snapshot of the checkout.

The snapshot is a one-commit git repository holding the working tree of this checkout (tracked
and untracked, not ignored, files), so the hook that is tested is the code being tested, and the
repository and revision pre-commit sees are the same in every test (``try-repo`` on a checkout
with uncommitted changes would make a new shadow commit, and a new install, each time).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BAD = (
    "import threading\n"
    "counter = 0\n"
    "def work():\n"
    "    global counter\n"
    "    counter += 1\n"
    "threading.Thread(target=work).start(); threading.Thread(target=work).start()\n"
    "print(counter)\n"
)
CLEAN = (
    "import threading\n"
    "\n"
    "_lock = threading.Lock()\n"
    "counter = 0\n"
    "\n"
    "\n"
    "def work():\n"
    "    global counter\n"
    "    with _lock:\n"
    "        counter += 1\n"
    "\n"
    "\n"
    "threading.Thread(target=work).start()\n"
)

_GIT_IDENTITY = [
    "-c",
    "user.name=gilcheck tests",
    "-c",
    "user.email=tests@gilcheck.invalid",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "core.autocrlf=false",
]


def _env(home: Path | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # a test run from inside a git hook must not act on the outer repository
        if not key.startswith(("GIT_", "PRE_COMMIT"))
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("NO_COLOR", None)
    env.pop("GILCHECK_CACHE_DIR", None)
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *_GIT_IDENTITY, *args],
        cwd=repo,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return done.stdout


def make_repo(where: Path, files: dict[str, str]) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    git(where, "init", "-q")
    for name, text in files.items():
        target = where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "test files")
    return where


def _project_files() -> list[str]:
    try:
        listing = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except (subprocess.CalledProcessError, FileNotFoundError):
        listing = ""
    names = [name for name in listing.split("\0") if name]
    if names:
        return [name for name in names if (ROOT / name).is_file()]
    # not a git checkout (an unpacked sdist): everything but caches and environments
    skip = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".gilcheck_cache"}
    return [
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*")
        if path.is_file() and not skip.intersection(path.relative_to(ROOT).parts)
    ]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A one-commit snapshot of this checkout: (path, commit)."""
    snapshot = tmp_path_factory.mktemp("gilcheck-hook-repo")
    for name in _project_files():
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file()
    assert (snapshot / "pyproject.toml").is_file()
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot of the gilcheck working tree")
    return snapshot, git(snapshot, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by every test: the hook's virtualenv is built once per session."""
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(
    repo: Path, hook_repo: tuple[Path, str], home: Path
) -> subprocess.CompletedProcess[str]:
    source, rev = hook_repo
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(source),
            "gilcheck",
            "--ref",
            rev,
            "--all-files",
            "--color",
            "never",
        ],
        cwd=repo,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=900,  # the first call builds the hook's virtualenv
        stdin=subprocess.DEVNULL,
    )


def test_hook_fails_and_shows_the_finding(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", {"app/worker.py": BAD, "app/ok.py": CLEAN})
    done = try_repo(repo, hook_repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in output
    assert "- exit code: 1" in output  # gilcheck's "findings shown", not a crash (2)
    assert "app/worker.py:5:5: GIL001 [high]" in output
    assert "app/ok.py:" not in output
    assert "Traceback" not in output


def test_hook_passes_on_a_clean_file(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", {"app/ok.py": CLEAN, "README.md": BAD})
    done = try_repo(repo, hook_repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output
    assert "GIL001" not in output  # README.md is not a Python file: not handed to the hook


def test_hook_honours_tool_gilcheck_in_pyproject(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    files = {
        "app/worker.py": BAD,
        "pyproject.toml": "[project]\nname = 'demo'\n\n[tool.gilcheck]\nignore = [\"GIL001\"]\n",
    }
    repo = make_repo(tmp_path / "repo", files)
    done = try_repo(repo, hook_repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output
    assert "GIL001" not in output
    # the same repository without the setting fails: the pass above is the configuration's doing
    (repo / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    git(repo, "commit", "-q", "-a", "-m", "drop the setting")
    again = try_repo(repo, hook_repo, pre_commit_home)
    assert again.returncode == 1, again.stdout + again.stderr
    assert "app/worker.py:5:5: GIL001" in again.stdout + again.stderr
