"""llama.cpp's own binaries beside Tandem: llama-server with the same pair, and llama-bench.

Each llama-server runs on 127.0.0.1 at a free port, is sent the very token ids Tandem decodes
(greedy, same length), and is always stopped, even when the bench fails.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from desktop.bench import configs as bc
from desktop.bench.errors import BenchError
from desktop.bench.runner import PreparedPrompt, Sample

SERVER = "llama-server"
NATIVE_PLAIN = "llama-server plain"
HEALTH_TIMEOUT_S = 180.0
REQUEST_TIMEOUT_S = 600.0
PR_SET_PDEATHSIG = 1


def native_name(k: int) -> str:
    return NATIVE_PLAIN if k == 0 else f"llama-server k={k}"


def ngram_name(spec_type: str) -> str:
    return f"{SERVER} {spec_type}"


def ngram_types(help_text: str) -> tuple[str, ...]:
    """The model-free n-gram types this build's `--spec-type` accepts, in the help's order."""
    m = re.search(r"--spec-type\s+([\w,-]+)", help_text)
    return tuple(t for t in m.group(1).split(",") if t.startswith("ngram-")) if m else ()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM it when the bench process dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def binary_env(binary: str) -> dict[str, str]:
    """The environment for a llama.cpp binary: its own folder on the library path, because a
    build copied out of its build tree keeps a run path that no longer exists."""
    env = dict(os.environ)
    folder = str(Path(binary).resolve().parent)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (folder, env.get("LD_LIBRARY_PATH")) if p)
    return env


def server_help(binary: str) -> str:
    """`llama-server --help`, to pick the flag spellings this build understands."""
    try:
        r = subprocess.run(
            [binary, "--help"], capture_output=True, text=True, timeout=60, env=binary_env(binary)
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError(f"cannot run {binary}: {e}") from e
    return r.stdout + r.stderr


def _pick(help_text: str, *names: str) -> str:
    """The first flag spelling the help mentions (flags were renamed across llama.cpp versions)."""
    return next((n for n in names if f"{n} " in help_text or f"{n}," in help_text), names[-1])


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """What one llama-server runs: the pair, draft length (0 = no draft), threads, context, and
    an n-gram `--spec-type` (no draft model) or None."""

    verifier: str
    draft: str | None
    k: int
    threads: int
    n_ctx: int
    ngram: str | None = None
    extra: tuple[str, ...] = ()  # further flags, e.g. ("--cache-ram", "0")


def server_command(binary: str, spec: ServerSpec, port: int, help_text: str) -> list[str]:
    """The command line; p_min 0 and n_min 0 so every step drafts exactly k, as Tandem's fixed k."""
    t = str(spec.threads)
    cmd = [binary, "-m", spec.verifier, "-c", str(spec.n_ctx), "-t", t, "-tb", t, "-ngl", "0"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "-np", "1"]
    if "--no-webui" in help_text:
        cmd.append("--no-webui")
    cmd += spec.extra
    if spec.ngram is not None:
        # llama.cpp's own lookup and draft lengths for the type: what its users get. None must
        # match Tandem's: the server caps every draft at the tokens left, as Tandem does.
        return [*cmd, "--spec-type", spec.ngram]
    if spec.draft is not None and spec.k > 0:
        cmd += ["-md", spec.draft, "-ngld", "0", "-td", t, "-tbd", t]
        if "draft-simple" in help_text:  # newer builds ignore -md unless a type is named
            cmd += ["--spec-type", "draft-simple"]
        cmd += [_pick(help_text, "--spec-draft-n-max", "--draft-max"), str(spec.k)]
        cmd += [_pick(help_text, "--spec-draft-n-min", "--draft-min"), "0"]
        cmd += [_pick(help_text, "--spec-draft-p-min", "--draft-p-min"), "0"]
    return cmd


@dataclass(frozen=True, slots=True)
class PlannedServer:
    """One llama-server to start: its contestant name, what it runs, and the Tandem config it is
    compared with side by side ("" for none: the n-gram types meet Tandem's model-free best)."""

    name: str
    spec: ServerSpec
    tandem: str = ""

    @property
    def fresh(self) -> bool:
        """Started anew for every reply: ngram-mod (and the cache types) keep what they saw
        across requests, and a repeated prompt would then be drafted from its own last reply.
        Tandem's model-free drafters start from the conversation alone, so both sides do."""
        return self.spec.ngram is not None


def plan_servers(
    verifier: str,
    draft: str | None,
    threads: int,
    n_ctx: int,
    configs: list[bc.BenchConfig],
    help_text: str,
) -> list[PlannedServer]:
    """llama-server plain; draft-simple for each fixed length Tandem runs; every n-gram type the
    build's help lists, when Tandem runs a model-free configuration."""
    out = [PlannedServer(native_name(0), ServerSpec(verifier, draft, 0, threads, n_ctx), bc.PLAIN)]
    if draft is not None:
        out += [
            PlannedServer(
                native_name(c.fixed_k), ServerSpec(verifier, draft, c.fixed_k, threads, n_ctx), c.name
            )
            for c in configs
            if c.fixed_k and c.needs_draft_model
        ]
    if any(bc.model_free(c) for c in configs):
        out += [
            PlannedServer(ngram_name(t), ServerSpec(verifier, None, 0, threads, n_ctx, ngram=t))
            for t in ngram_types(help_text)
        ]
    return out


def _get_json(url: str, body: dict[str, Any] | None, timeout: float) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def wait_healthy(base_url: str, deadline_s: float, alive: Any = None) -> None:
    """Poll /health until it answers 200; `alive()` returning False (the process died) or the
    deadline passing raises BenchError."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if alive is not None and not alive():
            raise BenchError("llama-server exited while loading")
        try:
            _get_json(base_url + "/health", None, 5.0)
            return
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(0.25)
    raise BenchError(f"llama-server did not become healthy within {deadline_s:.0f}s")


@dataclass(frozen=True, slots=True)
class Completion:
    tokens: int
    tokens_per_s: float
    drafted: int
    accepted: int


def complete(
    base_url: str, tokens: tuple[int, ...], n_predict: int, timeout: float = REQUEST_TIMEOUT_S
) -> Completion:
    """Greedy /completion on exactly these token ids; the server's own timings."""
    body = {
        "prompt": list(tokens),
        "n_predict": n_predict,
        "temperature": 0,
        "top_k": 1,
        "cache_prompt": True,
        "stream": False,
    }
    try:
        reply = _get_json(base_url + "/completion", body, timeout)
        t = reply["timings"]
        return Completion(
            int(t.get("predicted_n", reply.get("tokens_predicted", 0))),
            float(t["predicted_per_second"]),
            int(t.get("draft_n", 0)),
            int(t.get("draft_n_accepted", 0)),
        )
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as e:
        raise BenchError(f"llama-server /completion failed: {e}") from e


@dataclass(frozen=True, slots=True)
class FirstToken:
    """Time to first token through the server: `wall_s` from sending the request to the first
    streamed token (HTTP on localhost included); `prompt_ms` the server's own prompt timing."""

    wall_s: float
    prompt_ms: float
    prompt_n: int


def first_token(base_url: str, tokens: Sequence[int], timeout: float = REQUEST_TIMEOUT_S) -> FirstToken:
    """One streamed greedy token from these ids with the prompt cache off, so the server reads
    the whole prompt; `prompt_n` (tokens it actually read) lets the caller check that."""
    body = {"prompt": list(tokens), "n_predict": 1, "temperature": 0, "top_k": 1}
    body |= {"cache_prompt": False, "stream": True}
    req = urllib.request.Request(
        base_url + "/completion", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    wall, last = None, None
    try:
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                if wall is None:
                    wall = time.perf_counter() - t0
                last = json.loads(line[5:])
        if last is None or wall is None:
            raise ValueError("no streamed reply")
        t = last["timings"]
        return FirstToken(wall, float(t["prompt_ms"]), int(t["prompt_n"]))
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as e:
        raise BenchError(f"llama-server streamed /completion failed: {e}") from e


class LlamaServer:
    """A llama-server process for the duration of a `with` block."""

    def __init__(self, binary: str, spec: ServerSpec, help_text: str) -> None:
        self.spec = spec
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.binary = binary
        self.command = server_command(binary, spec, self.port, help_text)
        self._log: IO[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LlamaServer:
        self._log = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=binary_env(self.binary),
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            wait_healthy(self.base_url, HEALTH_TIMEOUT_S, lambda: self._proc and self._proc.poll() is None)
        except BaseException as e:
            tail = self.log_tail()
            self.stop()
            if isinstance(e, (OSError, BenchError)):
                raise BenchError(f"{e}: {' '.join(self.command)}\n{tail}") from e
            raise
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def log_tail(self, lines: int = 8) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Terminate, then kill if it lingers; idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None


class ServerContestant:
    """A running llama-server as a bench contestant."""

    def __init__(self, name: str, base_url: str, max_tokens: int) -> None:
        self.name = name
        self.base_url = base_url
        self.max_tokens = max_tokens

    def run(self, prompt: PreparedPrompt) -> Sample:
        c = complete(self.base_url, prompt.tokens, self.max_tokens)
        return Sample(
            prompt_id=prompt.id,
            config=self.name,
            engine=SERVER,
            tokens=c.tokens,
            tokens_per_s=c.tokens_per_s,
            drafted=c.drafted,
            accepted=c.accepted,
        )


class FreshServerContestant:
    """A llama-server started for one reply and stopped after it (its timings exclude the load)."""

    def __init__(self, name: str, binary: str, spec: ServerSpec, help_text: str, max_tokens: int) -> None:
        self.name = name
        self._start = (binary, spec, help_text)
        self.max_tokens = max_tokens

    def run(self, prompt: PreparedPrompt) -> Sample:
        with LlamaServer(*self._start) as server:
            return ServerContestant(self.name, server.base_url, self.max_tokens).run(prompt)


def parse_llama_bench(text: str) -> float:
    """The token-generation rate (avg_ts of the n_prompt == 0 test) from `-o json` output."""
    try:
        rows = json.loads(text)
        return float(next(r["avg_ts"] for r in rows if r["n_prompt"] == 0 and r["n_gen"] > 0))
    except (ValueError, KeyError, TypeError, StopIteration) as e:
        raise BenchError(f"cannot read llama-bench's JSON output: {e}") from e


def run_llama_bench(binary: str, model: str | Path, threads: int, n_gen: int = 64, reps: int = 3) -> float:
    """llama-bench's tg rate for `model` on `threads` threads, CPU only."""
    cmd = [binary, "-m", str(model), "-t", str(threads), "-p", "0", "-n", str(n_gen), "-r", str(reps)]
    cmd += ["-ngl", "0", "-o", "json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=binary_env(binary))
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError(f"cannot run llama-bench: {e}") from e
    if r.returncode != 0:
        tail = "\n".join(r.stderr.splitlines()[-5:])
        raise BenchError(f"llama-bench failed (exit {r.returncode}): {tail}")
    return parse_llama_bench(r.stdout)
