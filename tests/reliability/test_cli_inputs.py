"""Every bad `tandem` input gives one clear line on stderr and exit 2, before any model loads."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.engine.text_input import InvalidTextError, clean_user_text

GENERATE = ("generate", "--pair", "tiny", "--prompt", "hi", "--max-tokens", "4")


def tandem(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def one_clear_line(r: subprocess.CompletedProcess[str], *needles: str, status: int = 2) -> str:
    assert r.returncode == status, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("tandem: ")
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run `tandem argv` in this process; it must exit 2 with one line and print nothing else."""
    try:
        status = main(list(argv))
    except SystemExit as e:
        status = int(e.code or 0)
    out, err = capsys.readouterr()
    assert status == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tandem: "), err
    return lines[0]


# -- text that is not text --------------------------------------------------------------


@pytest.mark.parametrize("option", ["--prompt", "--system"])
def test_argv_bytes_that_are_not_utf8_are_refused(option: str) -> None:
    args = [a.encode() for a in GENERATE]
    r = tandem(*args, option.encode(), b"hello \xff\xfe")
    one_clear_line(r, option, "not valid UTF-8", "0xff")


def test_clean_user_text_names_the_bad_character() -> None:
    assert clean_user_text("héllo 👋") == "héllo 👋"
    with pytest.raises(InvalidTextError, match=r"the message .*lone surrogate U\+D83D at character 3"):
        clean_user_text("ab\ud83d")
    with pytest.raises(InvalidTextError, match="NUL character"):
        clean_user_text("a\0b")
    with pytest.raises(InvalidTextError, match="--stop is not valid UTF-8 \\(byte 0xfe"):
        clean_user_text("\udcfe", "--stop")


# -- numbers out of range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--seed", "-1", "between 0 and 4,294,967,295"),
        ("--seed", str(2**32), "between 0 and 4,294,967,295"),
        ("--temperature", "nan", "not a finite number"),
        ("--temperature", "inf", "not a finite number"),
        ("--temperature", "1e308", "between 0 and 5"),
        ("--top-p", "nan", "not a finite number"),
        ("--min-p", "nan", "not a finite number"),
        ("--p-min", "inf", "not a finite number"),
        ("--top-k", "nan", "is not a whole number"),
        ("--max-tokens", "0", "at least 1"),
        ("--draft-max", "33", "between 0 and 32"),
        ("--ctx", str(2**32), "between 1 and 1,048,576"),
        ("--gpu-layers", "-2", "at least -1"),
    ],
)
def test_numbers_out_of_range_are_refused(
    capsys: pytest.CaptureFixture[str], option: str, value: str, needle: str
) -> None:
    line = refused(capsys, *GENERATE, option, value)
    assert f"argument {option}" in line and needle in line


def test_more_threads_than_cpus_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    cpus = os.cpu_count() or 1
    line = refused(capsys, *GENERATE, "--threads", str(cpus + 1))
    assert f"the {cpus} logical CPUs" in line


def test_an_empty_stop_string_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "stop string must not be empty" in refused(capsys, *GENERATE, "--stop", "")


# -- help hints -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["--bogus"], "(see 'tandem --help')"),
        (["models", "fetch", "huge"], "(see 'tandem models fetch --help')"),
        (["generate", "--pair", "tiny"], "(see 'tandem generate --help')"),
    ],
)
def test_parse_errors_point_at_the_right_help(
    capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    assert refused(capsys, *argv).endswith(hint)


# -- folders and files that cannot be written ---------------------------------------------


def test_fetch_into_a_path_under_a_file_names_the_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = tandem("models", "fetch", "tiny", env={"TANDEM_DATA_DIR": str(blocker / "data")})
    one_clear_line(r, str(blocker / "data"), f"{blocker} is a file, not a folder", "TANDEM_DATA_DIR")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_fetch_into_a_read_only_folder_names_the_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o555)
    r = tandem("models", "fetch", "tiny", env={"TANDEM_DATA_DIR": str(data)})
    one_clear_line(r, str(data), "Permission denied")


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t"])
def test_a_screenshot_of_an_empty_prompt_is_refused(tmp_path: Path, prompt: str) -> None:
    r = tandem("--screenshot", str(tmp_path / "x.png"), "--prompt", prompt)
    one_clear_line(r, "--prompt is empty")


@pytest.mark.parametrize(
    ("where", "needle"),
    [("missing/x.png", "does not exist"), ("a-file/x.png", "is not a folder"), (".", "is a folder")],
)
def test_a_screenshot_path_that_cannot_be_written_is_refused_first(
    tmp_path: Path, where: str, needle: str
) -> None:
    (tmp_path / "a-file").write_text("")
    r = tandem("--screenshot", str(tmp_path / where), "--prompt", "hi", "--pair", "tiny")
    one_clear_line(r, "--screenshot", needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_the_screenshot_check_leaves_no_file_behind(tmp_path: Path) -> None:
    from desktop.cli_checks import check_writable

    check_writable(tmp_path / "x.png", "--screenshot")
    assert not (tmp_path / "x.png").exists()


# -- a reader that goes away --------------------------------------------------------------


def test_models_list_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "TANDEM_DATA_DIR": str(tmp_path)}
    with subprocess.Popen(
        [sys.executable, "-m", "desktop", "models", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as p:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()  # before the child writes: its first write finds no reader
        err = p.stderr.read().decode()
        assert p.wait(timeout=60) == 141
    assert err == ""


# -- with the real tiny pair ----------------------------------------------------------------

# One model (--no-draft) keeps these quick; a long reply is still running when the test acts.
LONG = ("--no-draft", "--prompt", "Count from 1 to 500, one number per line.", "--max-tokens", "400")


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for(ready: Callable[[], bool], p: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert p.poll() is None, p.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)


def reading_a_model(pid: int) -> bool:
    """True while process `pid` has a GGUF open, i.e. llama.cpp is loading it."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:  # a descriptor closed between the listing and the readlink
        return False
    return any(link.endswith(".gguf") for link in links)


@pytest.mark.slow
def test_ctrl_c_while_the_model_loads_exits_130() -> None:
    p = start("generate", "--pair", "tiny", *LONG)
    wait_for(lambda: reading_a_model(p.pid), p)
    p.send_signal(signal.SIGINT)  # lands in llama.cpp's load callbacks, which used to swallow it
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.decode().strip().splitlines() == ["tandem: interrupted"]


@pytest.mark.slow
def test_ctrl_c_while_replying_exits_130() -> None:
    p = start("generate", "--pair", "tiny", "--json", *LONG)
    assert p.stdout is not None
    first = p.stdout.readline()
    assert first.startswith(b'{"type": "step"')
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.decode().strip().splitlines() == ["tandem: interrupted"]
    assert b'"type": "done"' not in out


@pytest.mark.slow
def test_generate_into_a_closed_pipe_exits_quietly() -> None:
    with start("generate", "--pair", "tiny", "--no-draft", "--max-tokens", "4", "--prompt", "Hi.") as p:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        err = p.stderr.read().decode()
        assert p.wait(timeout=120) == 141
    assert err == ""


@pytest.mark.slow
def test_generate_piped_into_head_leaves_no_traceback() -> None:
    cmd = f"set -o pipefail; {sys.executable} -m desktop generate --pair tiny {shlex.join(LONG)}"
    r = subprocess.run(["bash", "-c", cmd + " | head -c 10"], capture_output=True, timeout=120)
    assert len(r.stdout) == 10
    assert r.returncode in (0, 141), r.stderr
    assert b"Traceback" not in r.stderr and b"Exception" not in r.stderr


@pytest.mark.slow
def test_a_load_error_does_not_start_with_progress_dots() -> None:
    from desktop.engine.config import ModelConfig
    from desktop.engine.errors import ModelLoadError
    from desktop.engine.llamacpp import LlamaModel
    from desktop.models.listing import pair_paths

    verifier, _ = pair_paths("tiny")
    # The weights load (llama.cpp prints its progress dots), then a KV cache of 2**24 tokens
    # (384 GB) cannot be allocated; larger contexts fail just as surely but take minutes.
    with pytest.raises(ModelLoadError) as caught:
        LlamaModel(ModelConfig(str(verifier), n_ctx=2**24))
    why = str(caught.value).split(": ", 1)[1]
    assert not why.startswith("."), why
    assert ".;" not in why
