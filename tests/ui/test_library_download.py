"""Downloading from (a fake) Hugging Face in the library window: search, files, Download with
progress said in words, the file then listed; Cancel keeps a resumable .partial; a Hub error is
one line. The real huggingface_hub client talks to a loopback Hub through HF_ENDPOINT."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.models.download import record_path, target_path
from desktop.models.hub import file_info
from desktop.ui.library.dialog import LibraryDialog
from desktop.ui.library.downloads import DownloadRow
from desktop.ui.library.model_library import ModelLibrary
from desktop.ui.settings import Settings
from tests.models.fake_hub import GATED, REPO, FakeHub
from tests.models.gguf_fakes import Spec, write_gguf

pytest.importorskip("gguf")
Q4, Q8 = "SmolLM2-Fake-Q4_K_M.gguf", "SmolLM2-Fake-Q8_0.gguf"
PAUSE = 2**20


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub().start()
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # no token from the real user's login
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    served = tmp_path / "served"
    fake.add_repo(
        REPO,
        {
            Q4: write_gguf(served / Q4, Spec(params=1_500_000)),
            Q8: write_gguf(served / Q8, Spec(params=600_000)),
        },
        downloads=10,
    )
    fake.add_repo(GATED, {"gated-Q4_K_M.gguf": served / Q8}, gated=True, downloads=5)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def connections(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every socket connect from now on; any but one to the fake Hub fails."""
    seen: list[object] = []
    real = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> None:
        if sock.family != socket.AF_UNIX:
            seen.append(address)
            if address != ("127.0.0.1", hub.port):
                raise OSError(f"a test must not connect to {address}")
        real(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return seen


@pytest.fixture
def dialog(qtbot: QtBot, tmp_path: Path, hub: FakeHub) -> Iterator[LibraryDialog]:
    models = ModelLibrary(Settings(tmp_path / "settings.ini"))
    shown = LibraryDialog(models)
    qtbot.addWidget(shown)
    with qtbot.waitSignal(models.changed, timeout=30000):
        shown.show_page(shown.hub)
    yield shown
    hub.release()
    shown.shut_down()
    models.close()


def pick_file(qtbot: QtBot, dialog: LibraryDialog, query: str, name: str) -> None:
    page = dialog.hub
    page.query.setText(query)
    page.search.click()
    qtbot.waitUntil(lambda: page.repos.topLevelItemCount() >= 1, timeout=30000)
    page.repos.setCurrentItem(page.repos.topLevelItem(0))
    qtbot.waitUntil(lambda: page.files.topLevelItemCount() >= 1, timeout=30000)
    items = [page.files.topLevelItem(i) for i in range(page.files.topLevelItemCount())]
    chosen = next(i for i in items if i is not None and i.text(0) == name)
    page.files.setCurrentItem(chosen)


def the_row(qtbot: QtBot, dialog: LibraryDialog) -> DownloadRow:
    qtbot.waitUntil(lambda: len(dialog.downloads.rows) == 1, timeout=30000)
    return next(iter(dialog.downloads.rows.values()))


def test_search_files_download_with_progress_then_listed(
    qtbot: QtBot, connections: list[object], dialog: LibraryDialog, hub: FakeHub, tmp_path: Path
) -> None:
    assert hub.requests == 0 and connections == []  # opening the library connects to nothing
    page = dialog.hub
    pick_file(qtbot, dialog, "smollm2", Q4)
    assert page.repos.topLevelItem(0).text(0) == REPO  # type: ignore[union-attr]
    files = [page.files.topLevelItem(i) for i in range(page.files.topLevelItemCount())]
    assert [(f.text(0), f.text(1), f.text(2)) for f in files if f] == [
        (Q4, "Q4_K_M", "3.0 MB"),
        (Q8, "Q8_0", "1.2 MB"),
    ]
    hub.pause_at = PAUSE
    page.download.click()
    row = the_row(qtbot, dialog)
    qtbot.waitUntil(hub.paused.is_set, timeout=30000)
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=30000)
    assert re.fullmatch(rf"Downloading {Q4}: [01] of 3 MB(, [\d.]+ MB/s)?(, \d+ s left)?", row.label.text())
    assert row.cancel.isVisible() and not row.clear.isVisible()
    page.download.click()  # again, while it downloads: not queued twice
    qtbot.waitUntil(lambda: page.status.text().endswith("queued below."), timeout=30000)
    assert list(dialog.downloads.rows.values()) == [row]
    hub.release()
    installed = dialog.installed
    qtbot.waitUntil(lambda: any(m.name == f"{REPO}/{Q4}" for m in installed.rows()), timeout=30000)
    assert row.label.text() == f"Downloaded {Q4}: it is in the list of models"
    assert row.clear.isVisible() and not row.cancel.isVisible()
    path = target_path(file_info(REPO, Q4))
    assert path.read_bytes() == (tmp_path / "served" / Q4).read_bytes()
    assert installed.chosen() is not None and installed.chosen().path == path  # type: ignore[union-attr]
    assert connections and set(connections) == {("127.0.0.1", hub.port)}  # only the Hub asked for


def test_cancel_leaves_a_resumable_partial_and_resume_finishes(
    qtbot: QtBot, dialog: LibraryDialog, hub: FakeHub
) -> None:
    pick_file(qtbot, dialog, "smollm2", Q4)
    hub.pause_at = PAUSE
    dialog.hub.download.click()
    row = the_row(qtbot, dialog)
    qtbot.waitUntil(hub.paused.is_set, timeout=30000)
    row.cancel.click()
    hub.release()  # the next chunk arrives and the download sees the cancel
    qtbot.waitUntil(lambda: "cancelled" in row.label.text(), timeout=30000)
    assert "kept for the next pull" in row.label.text()
    final = target_path(file_info(REPO, Q4))
    partial = final.with_name(final.name + ".partial")
    kept = partial.stat().st_size
    assert 0 < kept < final_size(hub) and record_path(partial).is_file() and not final.exists()
    assert row.resume.isVisible() and not row.cancel.isVisible()

    row.resume.click()
    again = the_row(qtbot, dialog)
    assert again is not row
    qtbot.waitUntil(lambda: again.label.text().startswith("Downloaded"), timeout=30000)
    assert final.is_file() and not partial.exists()
    assert hub.gets == [(Q4, 0), (Q4, kept)]  # the resume fetched only the rest


def test_a_hub_error_is_one_line(qtbot: QtBot, dialog: LibraryDialog, hub: FakeHub) -> None:
    pick_file(qtbot, dialog, "gated", "gated-Q4_K_M.gguf")
    assert "gated: accept its licence" in dialog.hub.repos.topLevelItem(0).text(0)  # type: ignore[union-attr]
    dialog.hub.download.click()
    status = dialog.hub.status
    qtbot.waitUntil(lambda: status.text().startswith("✗"), timeout=30000)
    assert "\n" not in status.text() and "Traceback" not in status.text()
    assert f"{GATED} is gated: accept its licence at {hub.url}/{GATED}" in status.text()
    assert "HF_TOKEN" in status.text()
    assert dialog.downloads.rows == {}


def final_size(hub: FakeHub) -> int:
    return hub.repos[REPO].files[Q4].size
