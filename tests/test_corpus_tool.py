"""``benchmarks/corpus.py``: which folders of site-packages are one distribution's code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_tool", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_tool"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _install(site: Path, name: str, files: list[str]) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n")
    rows = [f"{f},sha256=x,1" for f in files] + [f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(rows) + "\n")
    for f in files:
        path = site / f
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def test_own_package_is_one_folder(tmp_path: Path) -> None:
    _install(tmp_path, "solo", ["solo/__init__.py", "solo/core.py", "solo/sub/__init__.py"])
    assert _corpus().installed(tmp_path)["solo"].tops == ["solo"]


def test_namespace_package_gives_each_its_own_subpackage(tmp_path: Path) -> None:
    _install(tmp_path, "azure-core", ["azure/core/__init__.py", "azure/core/pipe.py"])
    _install(tmp_path, "azure-data", ["azure/data/__init__.py"])
    found = _corpus().installed(tmp_path)
    assert found["azure-core"].tops == ["azure/core"]
    assert found["azure-data"].tops == ["azure/data"]


def test_shared_folder_with_an_init_is_not_one_distributions_code(tmp_path: Path) -> None:
    """anvil-uplink ships ``google/__init__.py``: ``google/`` is still shared with the other
    ``google-*`` distributions, so neither side gets the whole folder (the held-out 20
    corpus counted every google package twice before)."""
    _install(
        tmp_path, "anvil-uplink", ["anvil/__init__.py", "google/__init__.py", "google/auth.py"]
    )
    _install(
        tmp_path,
        "google-cloud-pubsublite",
        ["google/cloud/pubsublite/__init__.py", "google/cloud/pubsublite/client.py"],
    )
    found = _corpus().installed(tmp_path)
    assert found["anvil-uplink"].tops == ["anvil", "google/__init__.py", "google/auth.py"]
    assert found["google-cloud-pubsublite"].tops == ["google/cloud/pubsublite"]
