"""Downloading one Hub file so that it survives a dropped connection, a killed process and a restart.

The bytes go to ``<file>.partial`` with a ``<file>.partial.json`` record of what they are (size,
sha256, commit, URL); a later run that finds both continues with an HTTP Range request. Only bytes
with the Hub's sha256 take the final name; others are set aside as ``<file>.corrupt``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from desktop.models import hub_client
from desktop.models.download_meter import Meter, ProgressCallback
from desktop.models.hub import RemoteFile
from desktop.models.hub_errors import (
    DiskFullError,
    DownloadCancelledError,
    DownloadInterruptedError,
    HashMismatchError,
    HubError,
    HubUnreachableError,
    NotEnoughSpaceError,
    megabytes,
)
from desktop.models.integrity import CHUNK, partial_path, recorded_sha256, sha256_file, write_sidecar
from desktop.models.paths import models_dir

MARGIN_BYTES = 100 * 10**6  # room left for the OS and the sidecars, plus 1% of the file
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Retry:
    """How often a dropped connection is retried: doubling delays, reset whenever bytes arrive."""

    attempts: int = 5
    first_delay_s: float = 1.0
    max_delay_s: float = 16.0

    def delays(self) -> Iterator[float]:
        """The waits before each retry."""
        delay = self.first_delay_s
        for _ in range(self.attempts):
            yield delay
            delay = min(self.max_delay_s, delay * 2)


def target_path(remote: RemoteFile, root: Path | None = None) -> Path:
    """Where a Hub file lives once downloaded: ``<models>/<owner>/<repo>/<file>``."""
    return (root or models_dir()).joinpath(*remote.repo.split("/"), *remote.path.split("/"))


def record_path(path: Path) -> Path:
    """The JSON record next to a ``.partial`` file that says what its bytes are."""
    return path.with_name(path.name + ".json")


def source_path(path: Path) -> Path:
    """Where a finished download records its Hub source (repo, file, commit, sha256)."""
    return path.with_name(path.name + ".source.json")


def corrupt_path(path: Path) -> Path:
    """Where bytes that failed their checksum are set aside, never to be loaded."""
    return path.with_name(path.name + ".corrupt")


def download(
    remote: RemoteFile,
    root: Path | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    retry: Retry = Retry(),  # frozen, so sharing one default is safe
    final: Path | None = None,
) -> Path:
    """Download `remote` into the models folder (resuming any earlier part) and return its path;
    `final` names the file instead (a curated file keeps its catalog name)."""
    final = final or target_path(remote, root)
    if _already_there(final, remote):
        return final
    partial = partial_path(final)
    start = _resume_offset(partial, remote)
    _check_space(final, remote, remote.size - start)
    final.parent.mkdir(parents=True, exist_ok=True)
    _write_json(record_path(partial), asdict(remote))
    transfer = _Transfer(remote, partial, Meter(final.name, remote.size, start, progress), cancel)
    if start:
        _hash_into(partial, transfer.digest)
    delays = retry.delays()
    while transfer.meter.done < remote.size:
        before = transfer.meter.done
        try:
            transfer.fetch()
        except _Dropped as dropped:
            if transfer.meter.done > before:
                delays = retry.delays()  # it was making progress: a fresh set of retries
            delay = next(delays, None)
            if delay is None:
                raise DownloadInterruptedError(
                    f"the download of {final.name} kept failing ({dropped}); the "
                    f"{megabytes(transfer.meter.done)} fetched so far are kept: pull again to resume"
                ) from dropped
            if transfer.stop.wait(delay):
                raise transfer.cancelled() from None
    return _finish(final, partial, remote, transfer.digest.hexdigest())


class _Dropped(Exception):
    """The connection failed in a way worth retrying."""


class _Transfer:
    """One file's bytes on their way into its ``.partial``: the running hash and the meter."""

    def __init__(
        self, remote: RemoteFile, partial: Path, meter: Meter, cancel: threading.Event | None
    ) -> None:
        self.remote, self.partial, self.meter = remote, partial, meter
        self.stop = cancel or threading.Event()
        self.digest = hashlib.sha256()

    def cancelled(self) -> DownloadCancelledError:
        """The error for a cancel; the bytes stay for the next pull."""
        return DownloadCancelledError(
            f"download of {self.meter.name} cancelled; the {megabytes(self.meter.done)} "
            "fetched so far are kept for the next pull"
        )

    def fetch(self) -> None:
        """One GET from where the ``.partial`` ends; raises _Dropped for what a retry may cure."""
        import httpx2

        start = self.meter.done
        extra = {"Accept-Encoding": "identity", **({"Range": f"bytes={start}-"} if start else {})}
        try:
            with hub_client.session().stream(
                "GET", self.remote.url, headers=hub_client.headers(extra), timeout=hub_client.timeout()
            ) as response:
                self._check(response)
                if start and response.status_code != 206:
                    self.digest = hashlib.sha256()  # the server ignored Range: start from byte 0
                    self.meter.restart()
                self._write(response.iter_bytes())
        except (httpx2.TransportError, HubUnreachableError) as exc:
            raise _Dropped(str(exc) or type(exc).__name__) from exc
        if self.meter.done < self.remote.size:
            raise _Dropped(f"the connection closed after {self.meter.done:,} of {self.remote.size:,} bytes")

    def _check(self, response: object) -> None:
        status: int = response.status_code  # type: ignore[attr-defined]
        if status in _RETRY_STATUS:
            raise _Dropped(f"the Hub answered {status}")
        if status >= 400:
            response.read()  # type: ignore[attr-defined]
            with hub_client.translated(self.remote.repo, self.remote.path, self.remote.commit):
                hub_client.hf().utils.hf_raise_for_status(response)

    def _write(self, chunks: Iterator[bytes]) -> None:
        done = self.meter.done
        with self.partial.open("r+b" if self.partial.exists() else "wb") as out:
            out.truncate(done)  # bytes past the last good one may come from a different answer
            out.seek(done)
            for chunk in chunks:
                if done + len(chunk) > self.remote.size:
                    raise HubError(
                        f"the Hub sent more than the {self.remote.size:,} bytes of {self.remote.path}"
                    )
                _write(out, chunk, self.partial, self.meter)
                self.digest.update(chunk)
                done += len(chunk)
                self.meter.update(done)
                if self.stop.is_set():
                    raise self.cancelled()


def _write(out: BinaryIO, chunk: bytes, partial: Path, meter: Meter) -> None:
    try:
        out.write(chunk)
        out.flush()  # on disk now, so a killed process loses nothing it already received
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        raise DiskFullError(
            f"the disk holding {partial.parent} is full after {megabytes(meter.done)} of "
            f"{megabytes(meter.total)}; free some space and pull again to resume"
        ) from exc


def _already_there(final: Path, remote: RemoteFile) -> bool:
    if not final.is_file() or final.stat().st_size != remote.size:
        return False
    sha = recorded_sha256(final)
    if sha is None:
        sha = sha256_file(final)
        write_sidecar(final, sha)
    return sha == remote.sha256


def _resume_offset(partial: Path, remote: RemoteFile) -> int:
    """How many bytes of an earlier run can be kept: all of them if the record matches, else none."""
    try:
        record = json.loads(record_path(partial).read_text(encoding="utf-8"))
        size = partial.stat().st_size
    except (OSError, ValueError):
        record, size = None, 0
    if isinstance(record, dict) and record.get("sha256") == remote.sha256 and size <= remote.size:
        return size
    partial.unlink(missing_ok=True)
    return 0


def _check_space(final: Path, remote: RemoteFile, remaining: int) -> None:
    folder = final.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    margin = MARGIN_BYTES + remote.size // 100
    free = shutil.disk_usage(folder).free
    if free < remaining + margin:
        raise NotEnoughSpaceError(
            f"not enough space for {final.name}: it needs {megabytes(remaining)} plus "
            f"{megabytes(margin)} to spare, but {folder} has {megabytes(free)} free"
        )


def _hash_into(path: Path, digest: hashlib._Hash) -> None:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)


def _finish(final: Path, partial: Path, remote: RemoteFile, actual: str) -> Path:
    with partial.open("rb") as f:
        os.fsync(f.fileno())  # the rename must not become durable before the bytes do
    record_path(partial).unlink(missing_ok=True)
    if actual != remote.sha256:
        aside = corrupt_path(final)
        os.replace(partial, aside)
        raise HashMismatchError(
            f"{remote.path} from {remote.repo} does not match the Hub's sha256 (expected "
            f"{remote.sha256[:16]}…, got {actual[:16]}…); set aside as {aside.name}, never used: pull again"
        )
    os.replace(partial, final)
    write_sidecar(final, actual)
    _write_json(source_path(final), asdict(remote))
    return final


def _write_json(path: Path, record: dict[str, object]) -> None:
    tmp = partial_path(path)
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
