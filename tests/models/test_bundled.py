"""The offline edition: a pair carried inside the package is found in place, never copied, and a
file that does not match the package's manifest is not used."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_fakes import Dirs

from desktop.models.bundled import BundledFile, bundled_files, write_manifest
from desktop.models.catalog import CATALOG
from desktop.models.errors import NotInstalledError
from desktop.models.fetch import Fetcher
from desktop.models.listing import pair_paths

TINY = CATALOG.pair("tiny")


def _bundle(root: Path, names: tuple[str, ...], content: bytes = b"GGUF" + bytes(60)) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for name in names:
        (root / name).write_bytes(content)
        files.append(BundledFile(name, root / name, len(content), "0" * 64))
    write_manifest(root, files)
    return root


@pytest.fixture
def bundle(tmp_path: Path, dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = _bundle(tmp_path / "app" / "models", (TINY.verifier, TINY.draft))
    monkeypatch.setenv("TANDEM_BUNDLED_MODELS", str(root))
    return root


def test_a_bundled_pair_is_installed_where_the_package_put_it(bundle: Path, dirs: Dirs) -> None:
    assert pair_paths("tiny") == (bundle / TINY.verifier, bundle / TINY.draft)
    assert not dirs.models.exists()  # nothing copied into the data folder


def test_fetching_a_bundled_pair_downloads_and_copies_nothing(bundle: Path, dirs: Dirs) -> None:
    def no_download(*_: object) -> Path:
        raise AssertionError("a bundled file was downloaded")

    fetcher = Fetcher(dirs.models, dirs.downloads, download=no_download)  # type: ignore[arg-type]
    assert fetcher.fetch_pair("tiny") == (bundle / TINY.verifier, bundle / TINY.draft)
    assert not any(dirs.models.glob("*.gguf"))


def test_a_file_whose_size_differs_from_the_manifest_is_not_used(bundle: Path, dirs: Dirs) -> None:
    (bundle / TINY.draft).write_bytes(b"GGUF")  # truncated after packaging
    assert [f.name for f in bundled_files(bundle)] == [TINY.verifier]
    with pytest.raises(NotInstalledError, match=TINY.draft):
        pair_paths("tiny")


@pytest.mark.parametrize("manifest", [None, "not json", '{"files": [{"name": 3}]}'])
def test_no_or_a_damaged_manifest_means_no_bundle(bundle: Path, dirs: Dirs, manifest: str | None) -> None:
    if manifest is None:
        (bundle / "bundled.json").unlink()
    else:
        (bundle / "bundled.json").write_text(manifest)
    with pytest.raises(NotInstalledError):
        pair_paths("tiny")


def test_outside_a_frozen_app_there_is_no_bundle(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANDEM_BUNDLED_MODELS", raising=False)
    assert bundled_files() == ()
