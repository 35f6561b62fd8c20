"""A loopback Hugging Face Hub that the real huggingface_hub client talks to.

It serves files under fake repos with the headers the client needs, answers the model-info, tree,
paths-info and search endpoints, counts every file byte it sends, and can misbehave on purpose:
drop the connection after N bytes, send wrong bytes, or pause mid-file until the test lets it go.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

COMMIT = "3c7d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"
CHUNK = 64 * 1024
REPO = "tandem-test/SmolLM2-135M-Instruct-GGUF"
GATED = "tandem-test/Gated-GGUF"


def synthetic_gguf(path: Path, size: int = 4 * 2**20, seed: int = 0) -> Path:
    """A file that starts like a GGUF and is otherwise random bytes (not loadable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + random.Random(seed).randbytes(size - 4))
    return path


@dataclass(frozen=True)
class FakeFile:
    """A file in a fake repo: its bytes live in `source`."""

    source: Path
    size: int
    sha256: str

    @classmethod
    def of(cls, source: Path) -> FakeFile:
        digest = hashlib.sha256()
        with source.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return cls(source, source.stat().st_size, digest.hexdigest())


@dataclass
class FakeRepo:
    files: dict[str, FakeFile]
    gated: bool = False
    downloads: int = 0


@dataclass
class FakeHub:
    """State and knobs of the fake Hub; start() serves it on 127.0.0.1 in a thread."""

    repos: dict[str, FakeRepo] = field(default_factory=dict)
    bytes_served: int = 0
    requests: int = 0
    gets: list[tuple[str, int]] = field(default_factory=list)  # (file path, first byte) per GET
    drop_after: int | None = None  # next GET closes the connection once this offset is sent
    wrong_bytes: bool = False  # serve the file with one byte flipped, under the right sha256
    pause_at: int | None = None  # next GET stops at this offset until release() or abort()
    paused: threading.Event = field(default_factory=threading.Event)
    _go_on: threading.Event = field(default_factory=threading.Event)
    _abort: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def add_repo(self, repo: str, files: dict[str, Path], gated: bool = False, downloads: int = 0) -> None:
        self.repos[repo] = FakeRepo({p: FakeFile.of(s) for p, s in files.items()}, gated, downloads)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def start(self) -> FakeHub:
        handler = type("Handler", (_Handler,), {"hub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.abort()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def release(self) -> None:
        """Let a paused GET go on sending."""
        self._go_on.set()

    def abort(self) -> None:
        """End a paused GET without sending another byte (its client was killed)."""
        self._abort = True
        self._go_on.set()

    def count(self, n: int) -> None:
        with self._lock:
            self.bytes_served += n


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        self.hub.requests += 1
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        query = parse_qs(url.query)
        if parts[:2] == ["api", "models"] and len(parts) == 2:
            return self._search(query)
        if parts[:2] == ["api", "models"]:
            return self._api(method, parts[2:])
        if len(parts) >= 5 and parts[2] == "resolve":
            return self._resolve(method, f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]))
        self._error(404, "EntryNotFound")

    def _search(self, query: dict[str, list[str]]) -> None:
        words = query.get("search", [""])[0].lower().split()
        found = [
            {
                "id": r,
                "_id": r,
                "downloads": repo.downloads,
                "likes": 1,
                "gated": "auto" if repo.gated else False,
                "private": False,
                "tags": ["gguf"],
            }
            for r, repo in self.hub.repos.items()
            if all(w in r.lower() for w in words)
        ]
        found.sort(key=lambda m: -int(m["downloads"]))  # type: ignore[call-overload]
        self._json(found[: int(query.get("limit", ["1000"])[0])])

    def _api(self, method: str, parts: list[str]) -> None:
        repo_id, rest = "/".join(parts[:2]), parts[2:]
        repo = self._repo(repo_id)
        if repo is None:
            return
        if rest[:1] in (["tree"], ["paths-info"], ["revision"]) and not self._revision(rest[1]):
            return
        if not rest or rest[0] == "revision":
            siblings = [{"rfilename": p, "size": f.size, "lfs": _lfs(f)} for p, f in repo.files.items()]
            return self._json(
                {
                    "id": repo_id,
                    "sha": COMMIT,
                    "gated": "auto" if repo.gated else False,
                    "private": False,
                    "siblings": siblings,
                }
            )
        if rest[0] == "tree":
            return self._json([_entry(p, f) for p, f in repo.files.items()])
        if rest[0] == "paths-info" and method == "POST":
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
            return self._json([_entry(p, repo.files[p]) for p in form.get("paths", []) if p in repo.files])
        self._error(404, "EntryNotFound")

    def _repo(self, repo_id: str) -> FakeRepo | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound")
        return repo

    def _revision(self, revision: str) -> bool:
        if revision in ("main", COMMIT):
            return True
        self._error(404, "RevisionNotFound")
        return False

    def _resolve(self, method: str, repo_id: str, revision: str, path: str) -> None:
        repo = self._repo(repo_id)
        if repo is None or not self._revision(revision):
            return
        if repo.gated:
            return self._error(403 if "Authorization" in self.headers else 401, "GatedRepo")
        f = repo.files.get(path)
        if f is None:
            return self._error(404, "EntryNotFound")
        start = _range_start(self.headers.get("Range"))
        if start >= f.size > 0:
            return self._error(416, "RangeNotSatisfiable")
        self.send_response(206 if start else 200)
        for name, value in (
            ("X-Repo-Commit", COMMIT),
            ("ETag", f'"{f.sha256}"'),
            ("X-Linked-Etag", f'"{f.sha256}"'),
            ("X-Linked-Size", str(f.size)),
            ("Accept-Ranges", "bytes"),
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(f.size - start)),
        ):
            self.send_header(name, value)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{f.size - 1}/{f.size}")
        self.end_headers()
        if method == "GET":
            self.hub.gets.append((path, start))
            try:
                self._send_file(f, start)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client went away (cancelled or killed)

    def _send_file(self, f: FakeFile, start: int) -> None:
        hub = self.hub
        stop_at, hub.drop_after = hub.drop_after, None
        pause_at, hub.pause_at = hub.pause_at, None
        with f.source.open("rb") as src:
            src.seek(start)
            offset = start
            while offset < f.size:
                limit = min(x for x in (f.size, stop_at, pause_at) if x is not None and x > offset)
                chunk = src.read(min(CHUNK, limit - offset))
                if hub.wrong_bytes and offset == 0:
                    chunk = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
                self.wfile.write(chunk)
                self.wfile.flush()
                hub.count(len(chunk))
                offset += len(chunk)
                if offset == stop_at:
                    self.close_connection = True
                    return
                if offset == pause_at:
                    hub.paused.set()
                    hub._go_on.wait(60)
                    if hub._abort:
                        self.close_connection = True
                        return

    def _json(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str) -> None:
        data = json.dumps({"error": code}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _range_start(header: str | None) -> int:
    if not header or not header.startswith("bytes="):
        return 0
    return int(header.removeprefix("bytes=").split("-")[0] or 0)


def _lfs(f: FakeFile) -> dict[str, object]:
    return {"sha256": f.sha256, "oid": f.sha256, "size": f.size, "pointerSize": 134}


def _entry(path: str, f: FakeFile) -> dict[str, object]:
    oid = hashlib.sha1(f.sha256.encode()).hexdigest()
    return {"type": "file", "oid": oid, "size": f.size, "path": path, "lfs": _lfs(f)}
