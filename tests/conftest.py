"""Every tier: the cyclic collector on the main thread, and real models only behind `slow`.

Left automatic, the collector can run on a worker thread that happens to allocate and destroy
Qt objects made on the GUI thread there (the app itself collects on a GUI-thread timer for the
same reason: desktop/qt/collector.py).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.models.paths import models_dir

# Read at collection, before any test points TANDEM_DATA_DIR elsewhere.
INSTALLED_MODELS = models_dir().resolve()


def _qt_app_exists() -> bool:
    qtcore = sys.modules.get("PySide6.QtCore")
    return qtcore is not None and qtcore.QCoreApplication.instance() is not None


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread() -> Iterator[None]:
    # Only once Qt runs: a full collection after every test would double the fast tiers' time.
    enabled = gc.isenabled()
    if _qt_app_exists():
        gc.disable()
    yield
    if _qt_app_exists():
        gc.collect()
    if enabled:
        gc.enable()


class InstalledModelLoaded(RuntimeError):
    """A test without the `slow` marker asked llama.cpp for an installed model."""


@pytest.fixture(autouse=True)
def _installed_models_only_when_slow(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Outside `slow` (and `dist`) a test sees empty data and cache folders, also in the processes
    it starts, and loading an installed model fails it: a real-model test without the marker
    fails instead of slowing the fast tiers down unnoticed."""
    if request.node.get_closest_marker("slow") or request.node.get_closest_marker("dist"):
        yield
        return
    empty = tmp_path_factory.mktemp("no-models")
    monkeypatch.setenv("TANDEM_DATA_DIR", str(empty / "data"))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(empty / "cache"))
    loads: list[str] = []
    try:
        from desktop.engine import llamacpp
    except ImportError:  # no llama-cpp-python: nothing can load a model
        yield
        return
    real_load = llamacpp._load_model

    def guarded_load(path: Path, params: Any) -> Any:
        if path.resolve().is_relative_to(INSTALLED_MODELS):
            loads.append(path.name)
            raise InstalledModelLoaded(f"{path.name} is an installed model: mark the test slow")
        return real_load(path, params)

    monkeypatch.setattr(llamacpp, "_load_model", guarded_load)
    yield
    if loads:  # also when a worker thread swallowed the exception
        pytest.fail(f"loaded installed models {loads} without @pytest.mark.slow", pytrace=False)
