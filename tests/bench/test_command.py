"""`tandem bench` arguments: defaults, and bad input refused with one line and status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.bench.command import plan
from desktop.cli import build_parser, main


def _files(tmp_path: Path) -> tuple[str, str]:
    v, d = tmp_path / "v.gguf", tmp_path / "d.gguf"
    v.write_bytes(b"GGUF")
    d.write_bytes(b"GGUF")
    return str(v), str(d)


def test_quick_means_the_quick_suite_and_fewer_tokens(tmp_path: Path) -> None:
    v, d = _files(tmp_path)
    p = plan(build_parser().parse_args(["bench", "--verifier", v, "--draft", d, "--quick"]))
    assert (p.suite, p.max_tokens, p.quick) == ("quick", 48, True)
    p = plan(build_parser().parse_args(["bench", "--verifier", v, "--max-tokens", "7", "--threads", "3"]))
    assert (p.suite, p.max_tokens, p.threads, p.draft) == ("default", 7, 3, None)
    args = ["bench", "--verifier", v, "--suite", "unseen", "--configs", "fastest, n-gram"]
    p = plan(build_parser().parse_args(args))
    assert (p.suite, p.configs) == ("unseen", ("fastest", "n-gram"))


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--draft", "{d}"], "--draft needs --verifier"),
        (["--verifier", "{tmp}/missing.gguf"], "model file not found"),
        (["--verifier", "{v}", "--native-server", "{tmp}/no-server"], "not an executable"),
        (["--verifier", "{v}", "--llama-bench", "{v}"], "not an executable"),
        (["--verifier", "{v}", "--max-tokens", "0"], "at least 1"),
        (["--pair", "huge"], "invalid choice"),
        (["--verifier", "{v}", "--configs", "fastest,turbo"], "unknown turbo"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], why: str
) -> None:
    v, d = _files(tmp_path)
    argv = ["bench", *(a.format(v=v, d=d, tmp=tmp_path) for a in args)]
    try:
        code = main(argv)
    except SystemExit as e:  # argparse's own refusals
        code = int(e.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert why in err and len(err.strip().splitlines()) == 1
