"""`tandem models search | files | pull` with the real huggingface_hub client against the fake Hub."""

from __future__ import annotations

import errno
import hashlib
import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fake_hub import GATED, REPO, FakeHub, synthetic_gguf

from desktop.cli import main
from desktop.models.download import Retry, download
from desktop.models.hub import file_info
from desktop.models.hub_errors import DownloadInterruptedError
from desktop.models.integrity import read_sidecar

FILE = "smollm2-135m-instruct-q4_k_m.gguf"
SIZE = 4 * 2**20


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return synthetic_gguf(tmp_path / "served" / FILE, SIZE)


@pytest.fixture
def repo(hub: FakeHub, source: Path, tmp_path: Path) -> FakeHub:
    q8 = synthetic_gguf(tmp_path / "served" / "q8.gguf", 2**20, seed=1)
    hub.add_repo(REPO, {FILE: source, "smollm2-135m-instruct-q8_0.gguf": q8}, downloads=10)
    hub.add_repo(GATED, {FILE: source}, gated=True)
    return hub


def models(tmp_path: Path) -> Path:
    return tmp_path / "data" / "models"


def files_under(root: Path) -> list[str]:
    if not root.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    return err


def test_search_files_and_pull(repo: FakeHub, source: Path, tmp_path: Path, capsys: Any) -> None:
    assert main(["models", "search", "smollm2"]) == 0
    out = capsys.readouterr().out
    assert REPO in out and GATED not in out

    assert main(["models", "files", REPO, "--json"]) == 0
    listed = {f["path"]: f for f in json.loads(capsys.readouterr().out)}
    assert listed[FILE]["quant"] == "Q4_K_M" and listed[FILE]["size"] == SIZE
    assert listed[FILE]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()

    assert main(["models", "pull", REPO]) == 0  # no quantization named: Q4_K_M
    captured = capsys.readouterr()
    assert re.search(rf"Downloading {FILE}: \d+ of 4 MB, [\d.]+ MB/s", captured.err)
    assert captured.err.strip().splitlines()[-1].startswith(f"Downloading {FILE}: 4 of 4 MB")
    target = models(tmp_path) / REPO / FILE
    assert target.read_bytes() == source.read_bytes()
    sidecar = read_sidecar(target)
    assert sidecar is not None and sidecar.sha256 == listed[FILE]["sha256"]
    expected = [f"{REPO}/{FILE}", f"{REPO}/{FILE}.sha256", f"{REPO}/{FILE}.source.json"]
    assert files_under(models(tmp_path)) == expected


def test_a_second_pull_downloads_nothing(repo: FakeHub, tmp_path: Path, capsys: Any) -> None:
    assert main(["models", "pull", f"{REPO}:q4_k_m"]) == 0
    capsys.readouterr()
    served = repo.bytes_served
    assert main(["models", "pull", f"{REPO}/{FILE}", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["path"] == str(models(tmp_path) / REPO / FILE) and result["size"] == SIZE
    assert repo.bytes_served == served


def test_dropped_connection_is_resumed_in_the_same_run(repo: FakeHub, source: Path) -> None:
    repo.drop_after = SIZE // 3
    path = download(file_info(REPO, FILE), retry=Retry(first_delay_s=0))
    assert path.read_bytes() == source.read_bytes()
    assert repo.gets == [(FILE, 0), (FILE, SIZE // 3)]
    assert repo.bytes_served == SIZE


def test_a_connection_that_keeps_failing_keeps_the_part_for_the_next_pull(
    repo: FakeHub, source: Path, tmp_path: Path
) -> None:
    repo.drop_after = SIZE // 3
    with pytest.raises(DownloadInterruptedError, match="pull again to resume"):
        download(file_info(REPO, FILE), retry=Retry(attempts=0))
    folder = models(tmp_path) / REPO
    assert files_under(folder) == [f"{FILE}.partial", f"{FILE}.partial.json"]
    assert (folder / f"{FILE}.partial").stat().st_size == SIZE // 3
    assert download(file_info(REPO, FILE)).read_bytes() == source.read_bytes()
    assert repo.bytes_served == SIZE


def test_wrong_bytes_are_set_aside_and_never_used(repo: FakeHub, tmp_path: Path, capsys: Any) -> None:
    repo.wrong_bytes = True
    assert main(["models", "pull", f"{REPO}:Q4_K_M"]) == 2
    capsys.readouterr()
    assert files_under(models(tmp_path)) == [f"{REPO}/{FILE}.corrupt"]
    repo.wrong_bytes = False
    assert main(["models", "pull", f"{REPO}:Q4_K_M"]) == 0


def test_hash_mismatch_message(repo: FakeHub, capsys: Any) -> None:
    repo.wrong_bytes = True
    assert main(["models", "pull", f"{REPO}:Q4_K_M"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "does not match the Hub's sha256" in last and f"set aside as {FILE}.corrupt" in last


def test_gated_repo_names_the_licence_page_and_the_token(repo: FakeHub, tmp_path: Path, capsys: Any) -> None:
    assert main(["models", "pull", GATED]) == 2
    line = error_line(capsys)
    assert f"accept its licence at {repo.url}/{GATED}" in line
    assert "HF_TOKEN" in line and "hf auth login" in line
    assert files_under(models(tmp_path)) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["models", "pull", "tandem-test/Nope-GGUF"], "no model repo 'tandem-test/Nope-GGUF'"),
        (["models", "pull", f"{REPO}/missing-Q4_0.gguf"], "has no file 'missing-Q4_0.gguf'"),
        (["models", "files", REPO, "--revision", "v9"], "has no revision 'v9'"),
        (["models", "pull", f"{REPO}:Q2_K"], "has no Q2_K file; available: Q4_K_M, Q8_0"),
        (["models", "pull", "not-a-repo"], "is not OWNER/REPO"),
        (["models", "pull", f"{REPO}/notes.txt"], "is not a .gguf file name"),
    ],
)
def test_not_found_and_bad_input(
    repo: FakeHub, tmp_path: Path, capsys: Any, argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    line = error_line(capsys)
    assert line.startswith("tandem: ") and message in line
    assert files_under(models(tmp_path)) == [] and repo.bytes_served == 0


class _Usage(NamedTuple):
    total: int
    used: int
    free: int


def test_not_enough_space_refuses_with_the_numbers(
    repo: FakeHub, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda path: _Usage(10**9, 10**9 - 50 * 10**6, 50 * 10**6))
    assert main(["models", "pull", f"{REPO}:Q4_K_M"]) == 2
    line = error_line(capsys)
    assert f"not enough space for {FILE}: it needs 4 MB plus 100 MB to spare" in line
    assert "has 50 MB free" in line
    assert files_under(models(tmp_path)) == [] and repo.gets == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "argv",
    [["models", "search", "smollm2"], ["models", "files", REPO], ["models", "pull", f"{REPO}:Q4_K_M"]],
)
def test_hub_down_fails_at_once_without_retrying(
    hub: FakeHub, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    port = _closed_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def counting_connect(sock: socket.socket, address: Any) -> None:
        attempts.append(address)
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counting_connect)
    assert main(argv) == 2
    line = error_line(capsys)
    assert line.startswith(f"tandem: cannot reach the Hugging Face Hub at http://127.0.0.1:{port}")
    assert attempts == [("127.0.0.1", port)]  # one try: no retry loop
    assert files_under(models(tmp_path)) == []


def test_hf_hub_offline_is_respected(repo: FakeHub, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # the library reads the variable at import
    assert main(["models", "files", REPO]) == 2
    assert error_line(capsys) == (
        "tandem: HF_HUB_OFFLINE is set, so Tandem does not contact the Hub; unset it to search or download"
    )
    assert repo.requests == 0


class _FillingDisk:
    """A .partial whose disk fills up after `room` bytes."""

    def __init__(self, real: Any, room: int) -> None:
        self.real, self.room = real, room

    def __enter__(self) -> _FillingDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def write(self, data: bytes) -> int:
        if self.real.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return int(self.real.write(data))


def test_disk_full_midway_keeps_the_part(
    repo: FakeHub, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Path.open

    def open_filling(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(path, mode, *args, **kwargs)
        return _FillingDisk(handle, SIZE // 2) if path.name.endswith(".partial") and "b" in mode else handle

    monkeypatch.setattr(Path, "open", open_filling)
    assert main(["models", "pull", f"{REPO}:Q4_K_M"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "is full after 2 MB of 4 MB; free some space and pull again to resume" in last
    assert files_under(models(tmp_path)) == [f"{REPO}/{FILE}.partial", f"{REPO}/{FILE}.partial.json"]
