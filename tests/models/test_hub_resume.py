"""A pull killed with SIGKILL mid-download resumes in a new process without fetching the part again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from fake_hub import REPO, FakeHub, synthetic_gguf

ROOT = Path(__file__).resolve().parents[2]
FILE = "smollm2-135m-instruct-q4_k_m.gguf"
SIZE = 8 * 2**20
HALF = SIZE // 2


def wait_for(condition: object, what: str, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def pull() -> list[str]:
    return [sys.executable, "-m", "desktop", "models", "pull", f"{REPO}:Q4_K_M"]


def test_killed_pull_resumes_after_a_restart(hub: FakeHub, tmp_path: Path) -> None:
    source = synthetic_gguf(tmp_path / "served" / FILE, SIZE)
    hub.add_repo(REPO, {FILE: source})
    hub.pause_at = HALF  # the fake Hub holds the first GET here, so the kill lands mid-file
    folder = tmp_path / "data" / "models" / REPO
    partial = folder / f"{FILE}.partial"
    proc = subprocess.Popen(pull(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert hub.paused.wait(60)
        wait_for(lambda: partial.is_file() and partial.stat().st_size == HALF, "the .partial to reach half")
    finally:
        proc.kill()
        proc.wait()
        hub.abort()
    assert not (folder / FILE).exists()
    assert sorted(p.name for p in folder.iterdir()) == [f"{FILE}.partial", f"{FILE}.partial.json"]
    assert hub.bytes_served == HALF

    done = subprocess.run(pull(), cwd=ROOT, capture_output=True, text=True, env=os.environ, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (folder / FILE).read_bytes() == source.read_bytes()
    assert hub.gets == [(FILE, 0), (FILE, HALF)]
    assert hub.bytes_served == SIZE  # the half fetched before the kill was not fetched again
    assert sorted(p.name for p in folder.iterdir()) == [FILE, f"{FILE}.sha256", f"{FILE}.source.json"]
