"""Several downloads through the DownloadQueue: in order, cancellable, and resumed after a cancel."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest
from fake_hub import REPO, FakeHub, synthetic_gguf

from desktop.models.download import target_path
from desktop.models.download_meter import Meter, Progress, time_left
from desktop.models.download_queue import DownloadQueue, JobState, JobUpdate
from desktop.models.hub import file_info

SIZE = 4 * 2**20
FIRST, SECOND = "first-Q4_K_M.gguf", "second-Q8_0.gguf"


@pytest.fixture
def served(hub: FakeHub, tmp_path: Path) -> dict[str, Path]:
    files = {
        FIRST: synthetic_gguf(tmp_path / "served" / FIRST, SIZE, seed=1),
        SECOND: synthetic_gguf(tmp_path / "served" / SECOND, SIZE // 2, seed=2),
    }
    hub.add_repo(REPO, files)
    return files


def finished(updates: queue.Queue[JobUpdate], job: int) -> JobUpdate:
    while True:
        update = updates.get(timeout=60)
        if update.job == job and update.state not in (JobState.QUEUED, JobState.RUNNING):
            return update


def test_queued_downloads_run_in_order(hub: FakeHub, served: dict[str, Path]) -> None:
    updates: queue.Queue[JobUpdate] = queue.Queue()
    downloads = DownloadQueue(updates.put)
    try:
        jobs = [downloads.submit(file_info(REPO, name)) for name in (FIRST, SECOND)]
        results = [finished(updates, job) for job in jobs]
    finally:
        downloads.close()
    assert [r.state for r in results] == [JobState.DONE, JobState.DONE]
    pulled = [r.path.read_bytes() for r in results if r.path]
    assert pulled == [served[FIRST].read_bytes(), served[SECOND].read_bytes()]
    assert [path for path, _ in hub.gets] == [FIRST, SECOND]


def test_cancel_keeps_the_part_and_the_next_download_resumes(hub: FakeHub, served: dict[str, Path]) -> None:
    hub.pause_at = SIZE // 2
    updates: queue.Queue[JobUpdate] = queue.Queue()
    downloads = DownloadQueue(updates.put)
    try:
        remote = file_info(REPO, FIRST)
        job = downloads.submit(remote)
        assert hub.paused.wait(60)
        downloads.cancel(job)
        hub.release()
        cancelled = finished(updates, job)
        assert cancelled.state is JobState.CANCELLED and "kept for the next pull" in (cancelled.error or "")
        kept = (target_path(remote).parent / f"{FIRST}.partial").stat().st_size
        assert 0 < kept < SIZE  # a part: what arrived before the cancel, not the whole file
        again = downloads.submit(remote)
        done = finished(updates, again)
    finally:
        downloads.close()
    assert done.state is JobState.DONE and done.path is not None
    assert done.path.read_bytes() == served[FIRST].read_bytes()
    assert hub.gets == [(FIRST, 0), (FIRST, kept)]  # the second GET starts where the part ends


def test_progress_reports_rate_and_time_left() -> None:
    now = [0.0]
    reports: list[Progress] = []
    meter = Meter("x.gguf", 1_117_000_000, 0, reports.append, clock=lambda: now[0])
    now[0] = 10.0
    meter.update(123_000_000)
    assert reports[-1].line() == "Downloading x.gguf: 123 of 1,117 MB, 12.3 MB/s, 1 min left"
    now[0] = 10.05
    meter.update(124_000_000)
    assert len(reports) == 1  # at most ten reports a second
    assert [time_left(s) for s in (0.2, 45, 150, 3900)] == ["1 s", "45 s", "2 min", "1 h 5 min"]


def test_a_bug_in_one_download_fails_it_and_the_next_still_runs(tmp_path: Path) -> None:
    from desktop.models.hub import RemoteFile

    def fetch(remote: RemoteFile, **_: object) -> Path:
        if remote.path == "bad.gguf":
            raise KeyError("boom")
        return tmp_path / remote.path

    updates: queue.Queue[JobUpdate] = queue.Queue()
    downloads = DownloadQueue(updates.put, tmp_path, fetch)
    try:
        jobs = [
            downloads.submit(RemoteFile("o/r", name, "c" * 40, 1, "0" * 64, "u"))
            for name in ("bad.gguf", "ok.gguf")
        ]
        results = [finished(updates, job) for job in jobs]
    finally:
        downloads.close()
    assert [r.state for r in results] == [JobState.FAILED, JobState.DONE]
    assert results[0].error == "unexpected KeyError: 'boom'"
