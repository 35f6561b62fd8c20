"""Where Tandem keeps its models and its download cache."""

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


def models_dir() -> Path:
    """The folder that holds assembled GGUF files and their ``.sha256`` sidecars."""
    return data_dir() / "models"


def download_cache_dir() -> Path:
    """Where downloaded wheels are kept so a second fetch reuses them; ``TANDEM_CACHE_DIR`` overrides it."""
    override = os.environ.get("TANDEM_CACHE_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "downloads"


def calibration_file() -> Path:
    """Measured step costs per model pair, build and machine (the fastest mode's cost model)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "calibration.json"


def gguf_info_cache() -> Path:
    """What was read from each GGUF's header (keyed by path, size and mtime); follows ``TANDEM_CACHE_DIR``."""
    override = os.environ.get("TANDEM_CACHE_DIR")
    root = Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return root / "gguf-info.json"


def bundled_models_dir() -> Path | None:
    """The read-only models folder an offline edition carries next to its executable (`make dist
    WITH_MODELS=...`), or None outside a frozen app; ``TANDEM_BUNDLED_MODELS`` points elsewhere."""
    override = os.environ.get("TANDEM_BUNDLED_MODELS")
    if override:
        return Path(override)
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent / "models"
    return None
