"""llama.cpp's binaries as contestants: the command line, the HTTP client, the process's life."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.bench import configs as bc
from desktop.bench.errors import BenchError
from desktop.bench.native import (
    FreshServerContestant,
    LlamaServer,
    ServerContestant,
    ServerSpec,
    complete,
    first_token,
    ngram_types,
    parse_llama_bench,
    plan_servers,
    server_command,
    server_help,
    wait_healthy,
)
from desktop.bench.runner import PreparedPrompt
from tests.bench import fake_server

NEW_HELP = (
    "--spec-type none,draft-simple,ngram-simple\n--spec-draft-n-max N  ...\n--spec-draft-n-min N\n"
    "--spec-draft-p-min P\n--no-webui"
)
OLD_HELP = "--draft-max, --draft N\n--draft-min N\n--draft-p-min P"
SPEC = ServerSpec("v.gguf", "d.gguf", 4, 2, 4096)
# `llama-server --help` of the build the bench results were measured with (llama.cpp 0c1e570).
CAPTURED_HELP = (Path(__file__).parent / "data" / "llama-server-help-0c1e570.txt").read_text()
NGRAM_TYPES = ("ngram-simple", "ngram-map-k", "ngram-map-k4v", "ngram-mod", "ngram-cache")


@pytest.fixture
def fake() -> Iterator[str]:
    server, thread = fake_server.serve()
    fake_server.Handler.requests.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def _flag(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_command_line_uses_this_builds_flag_names() -> None:
    new = server_command("llama-server", SPEC, 8080, NEW_HELP)
    assert (_flag(new, "-m"), _flag(new, "-md"), _flag(new, "--spec-draft-n-max")) == (
        "v.gguf",
        "d.gguf",
        "4",
    )
    assert _flag(new, "--spec-draft-n-min") == "0" and _flag(new, "--spec-draft-p-min") == "0"
    assert (_flag(new, "-t"), _flag(new, "-tb"), _flag(new, "-td"), _flag(new, "-tbd")) == ("2",) * 4
    assert (_flag(new, "-c"), _flag(new, "-ngl"), _flag(new, "-ngld")) == ("4096", "0", "0")
    assert (_flag(new, "--host"), _flag(new, "--port"), _flag(new, "-np")) == ("127.0.0.1", "8080", "1")
    assert "--no-webui" in new and _flag(new, "--spec-type") == "draft-simple"
    old = server_command("llama-server", SPEC, 8080, OLD_HELP)
    assert _flag(old, "--draft-max") == "4" and _flag(old, "--draft-p-min") == "0"
    assert "--no-webui" not in old and "--spec-type" not in old


def test_plain_server_has_no_draft() -> None:
    cmd = server_command("llama-server", ServerSpec("v.gguf", "d.gguf", 0, 2, 4096), 1, NEW_HELP)
    assert "-md" not in cmd and "--spec-draft-n-max" not in cmd


def test_the_captured_help_lists_every_ngram_type_and_nothing_else() -> None:
    assert ngram_types(CAPTURED_HELP) == NGRAM_TYPES
    assert ngram_types(NEW_HELP) == ("ngram-simple",)
    assert ngram_types(OLD_HELP) == ()


@pytest.mark.parametrize("spec_type", NGRAM_TYPES)
def test_an_ngram_server_runs_the_verifier_alone_with_that_type_and_its_defaults(spec_type: str) -> None:
    spec = ServerSpec("v.gguf", None, 0, 2, 4096, ngram=spec_type)
    cmd = server_command("llama-server", spec, 8080, CAPTURED_HELP)
    assert _flag(cmd, "--spec-type") == spec_type and cmd.count("--spec-type") == 1
    assert (_flag(cmd, "-m"), _flag(cmd, "-c"), _flag(cmd, "-t"), _flag(cmd, "-tb")) == (
        "v.gguf",
        "4096",
        "2",
        "2",
    )
    assert (_flag(cmd, "-ngl"), _flag(cmd, "-np"), _flag(cmd, "--port")) == ("0", "1", "8080")
    assert "-md" not in cmd and "--no-webui" in cmd
    # llama.cpp's own lookup and draft lengths: no draft-model or n-gram size option is passed
    assert not [a for a in cmd if a.startswith(("--spec-draft", "--spec-ngram", "--draft"))]


def test_the_draft_server_still_names_draft_simple_in_this_build() -> None:
    cmd = server_command("llama-server", SPEC, 8080, CAPTURED_HELP)
    assert _flag(cmd, "--spec-type") == "draft-simple" and _flag(cmd, "-md") == "d.gguf"
    assert _flag(cmd, "--spec-draft-n-max") == "4" and _flag(cmd, "--spec-draft-n-min") == "0"


def _planned(
    configs: list[bc.BenchConfig], draft: str | None = "d.gguf"
) -> dict[str, tuple[str, ServerSpec]]:
    return {
        s.name: (s.tandem, s.spec) for s in plan_servers("v.gguf", draft, 2, 4096, configs, CAPTURED_HELP)
    }


def test_model_free_configs_bring_every_ngram_type_and_only_then() -> None:
    by_name = {c.name: c for c in bc.configurations()}
    free = _planned([by_name[bc.PLAIN], by_name[bc.SUFFIX], by_name[bc.NGRAM]])
    assert list(free) == ["llama-server plain", *(f"llama-server {t}" for t in NGRAM_TYPES)]
    assert free["llama-server plain"] == ("verifier alone", ServerSpec("v.gguf", "d.gguf", 0, 2, 4096))
    assert free["llama-server ngram-cache"] == (
        "",
        ServerSpec("v.gguf", None, 0, 2, 4096, ngram="ngram-cache"),
    )
    drafts = _planned([by_name[bc.PLAIN], by_name[bc.fixed_name(4)], by_name[bc.FASTEST]])
    assert list(drafts) == ["llama-server plain", "llama-server k=4"]
    assert drafts["llama-server k=4"][0] == "draft k=4"
    everything = _planned(bc.configurations())
    assert [n for n in everything if "k=" in n] == [f"llama-server k={k}" for k in bc.FIXED_LENGTHS]
    assert not any("k=" in n for n in _planned(bc.configurations(), draft=None))


def test_completion_sends_the_token_ids_greedily_and_reads_the_timings(fake: str) -> None:
    c = complete(fake, (1, 2, 3), 16)
    assert (c.tokens, c.tokens_per_s, c.drafted, c.accepted) == (16, 42.5, 20, 15)
    sent = fake_server.Handler.requests[-1]
    assert sent["prompt"] == [1, 2, 3]
    assert (sent["n_predict"], sent["temperature"], sent["top_k"], sent["cache_prompt"]) == (16, 0, 1, True)


def test_first_token_streams_one_token_with_the_prompt_cache_off(fake: str) -> None:
    f = first_token(fake, (4, 5, 6))
    assert (f.prompt_ms, f.prompt_n) == (12.5, 3) and 0 < f.wall_s < 60
    sent = fake_server.Handler.requests[-1]
    assert (sent["prompt"], sent["n_predict"], sent["stream"], sent["cache_prompt"]) == (
        [4, 5, 6],
        1,
        True,
        False,
    )
    with pytest.raises(BenchError, match="streamed"):
        first_token("http://127.0.0.1:9", (1,), timeout=2.0)


def test_extra_flags_reach_the_command_line() -> None:
    spec = ServerSpec("v.gguf", None, 0, 1, 4096, extra=("--cache-ram", "0"))
    assert _flag(server_command("llama-server", spec, 1, CAPTURED_HELP), "--cache-ram") == "0"


def test_server_contestant_reports_a_sample(fake: str) -> None:
    s = ServerContestant("llama-server k=4", fake, 16).run(PreparedPrompt("p", "chat", (5, 6)))
    assert (s.prompt_id, s.config, s.engine) == ("p", "llama-server k=4", "llama-server")
    assert (s.tokens_per_s, s.drafted, s.accepted, s.steps) == (42.5, 20, 15, 0)


def test_health_wait_and_failures(fake: str) -> None:
    wait_healthy(fake, 5.0)
    with pytest.raises(BenchError, match="exited"):
        wait_healthy("http://127.0.0.1:9", 5.0, alive=lambda: False)
    with pytest.raises(BenchError, match="did not become healthy"):
        wait_healthy("http://127.0.0.1:9", 0.3)
    with pytest.raises(BenchError, match="/completion failed"):
        complete("http://127.0.0.1:9", (1,), 4, timeout=2.0)


def _fake_binary(tmp_path: Path, body: str) -> str:
    path = tmp_path / "llama-server"
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_server_process_starts_answers_and_is_always_stopped(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    binary = _fake_binary(
        tmp_path,
        f"import runpy, sys\nsys.path.insert(0, {str(root)!r})\n"
        "runpy.run_module('tests.bench.fake_server', run_name='__main__')\n",
    )
    help_text = server_help(binary)
    assert "--spec-draft-n-max" in help_text
    server = LlamaServer(binary, SPEC, help_text)
    with server:
        proc = server._proc
        assert proc is not None and proc.poll() is None
        assert complete(server.base_url, (1,), 16).tokens_per_s == 42.5
    assert proc.poll() is not None  # stopped on leaving the block
    server.stop()  # idempotent


def test_an_ngram_server_is_started_for_each_reply_and_stopped_after(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    pids = tmp_path / "pids"
    binary = _fake_binary(
        tmp_path,
        f"import os, runpy, sys\nsys.path.insert(0, {str(root)!r})\n"
        f"open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
        "runpy.run_module('tests.bench.fake_server', run_name='__main__')\n",
    )
    spec = ServerSpec("v.gguf", None, 0, 1, 4096, ngram="ngram-mod")
    fresh = FreshServerContestant("llama-server ngram-mod", binary, spec, "", 16)
    prompt = PreparedPrompt("p", "rewriting", (5, 6))
    assert [fresh.run(prompt).tokens_per_s for _ in range(2)] == [42.5, 42.5]
    started = [int(x) for x in pids.read_text().split()]
    assert len(set(started)) == 2  # a new process each time: no memory of the last reply
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone (reaped) once its reply is in
    planned = plan_servers("v.gguf", "d.gguf", 1, 4096, bc.configurations(), CAPTURED_HELP)
    assert [s.name for s in planned if s.fresh] == [f"llama-server {t}" for t in NGRAM_TYPES]


def test_a_server_that_dies_while_loading_is_reported_with_its_log(tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path, "import sys\nprint('error: model not found')\nsys.exit(1)\n")
    with pytest.raises(BenchError, match="exited while loading") as info, LlamaServer(binary, SPEC, ""):
        pass
    assert "model not found" in str(info.value)


def test_llama_bench_json_gives_the_tg_rate() -> None:
    rows = [
        {"n_prompt": 512, "n_gen": 0, "avg_ts": 300.0},
        {"n_prompt": 0, "n_gen": 64, "avg_ts": 31.5},
    ]
    assert parse_llama_bench(json.dumps(rows)) == 31.5
    with pytest.raises(BenchError, match="llama-bench"):
        parse_llama_bench("[]")
    with pytest.raises(BenchError, match="llama-bench"):
        parse_llama_bench("not json")
