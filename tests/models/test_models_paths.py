from __future__ import annotations

from pathlib import Path

import pytest

from desktop.models import paths


def test_env_vars_override_data_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "c"))
    assert paths.data_dir() == tmp_path / "d"
    assert paths.models_dir() == tmp_path / "d" / "models"
    assert paths.download_cache_dir() == tmp_path / "c"


def test_platform_defaults_without_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANDEM_DATA_DIR", raising=False)
    monkeypatch.delenv("TANDEM_CACHE_DIR", raising=False)
    assert paths.data_dir().name == "Tandem"
    assert paths.models_dir() == paths.data_dir() / "models"
    cache = paths.download_cache_dir()
    assert cache.name == "downloads"
    assert "Tandem" in cache.parts
    assert cache != paths.models_dir()
