"""`tandem generate` end to end on the tiny pair, and its refusals of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ggufs import read_merges, write_vocab_gguf

pytestmark = pytest.mark.slow


def tandem(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], capture_output=True, text=True, timeout=300
    )


def test_json_steps_reassemble_and_end_with_stats() -> None:
    r = tandem(
        "generate", "--pair", "tiny", "--prompt", "Write a haiku about rain.", "--max-tokens", "40", "--json"
    )
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    steps, done = lines[:-1], lines[-1]
    assert steps and all(s["type"] == "step" for s in steps)
    assert [s["index"] for s in steps] == list(range(len(steps)))
    assert done["type"] == "done"
    assert "".join(s["text"] for s in steps) == done["text"]
    assert done["stats"]["tokens"] == sum(len(s["accepted"]) + 1 for s in steps)
    assert done["stats"]["steps"] == len(steps)
    for s in steps:
        assert s["drafted"][: len(s["accepted"])] == s["accepted"]
        assert len(s["accepted"]) + len(s["rejected"]) == len(s["drafted"])


def test_coloured_output_marks_both_sources() -> None:
    r = tandem("generate", "--pair", "tiny", "--prompt", "Count from one to ten.", "--max-tokens", "40")
    assert r.returncode == 0, r.stderr
    assert "\x1b[32m" in r.stdout and "\x1b[34m" in r.stdout
    assert "tokens/step" in r.stderr and "accepted" in r.stderr


def test_plain_decoding_drafts_nothing() -> None:
    r = tandem("generate", "--pair", "tiny", "--no-draft", "--prompt", "Hi", "--max-tokens", "8", "--json")
    assert r.returncode == 0, r.stderr
    steps = [json.loads(line) for line in r.stdout.splitlines()][:-1]
    assert steps and all(s["drafted"] == [] for s in steps)


def one_clear_line(r: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    for needle in needles:
        assert needle in lines[0]


def test_a_draft_with_another_vocabulary_is_refused(tmp_path: Path, tiny_paths) -> None:
    other = write_vocab_gguf(
        tmp_path / "other.gguf", ["<unk>", "<s>", "</s>", "a", "b", "ab", *(f"w{i}" for i in range(60))]
    )
    r = tandem("generate", "--verifier", str(tiny_paths[0]), "--draft", str(other), "--prompt", "hi")
    one_clear_line(r, "vocabulary sizes within 128", "49,152")


def test_a_draft_with_different_token_text_is_refused(tmp_path: Path, tiny_paths) -> None:
    from desktop.engine.llamacpp import read_vocab

    texts = list(read_vocab(tiny_paths[0]).texts)
    texts[1234] = "not-the-same"
    other = write_vocab_gguf(tmp_path / "renamed.gguf", texts, read_merges(tiny_paths[0]))
    r = tandem("generate", "--verifier", str(tiny_paths[0]), "--draft", str(other), "--prompt", "hi")
    one_clear_line(r, "identical token text", "token 1234")


def test_missing_and_non_gguf_files_are_refused(tmp_path: Path) -> None:
    one_clear_line(
        tandem("generate", "--verifier", str(tmp_path / "nope.gguf"), "--prompt", "x"), "not found"
    )
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"PK\x03\x04 not a model")
    one_clear_line(tandem("generate", "--verifier", str(junk), "--prompt", "x"), "not a GGUF")


def test_bad_options_are_refused() -> None:
    one_clear_line(tandem("generate", "--pair", "tiny", "--prompt", "x", "--top-p", "2"), "top-p")
    one_clear_line(tandem("generate", "--pair", "tiny", "--prompt", "x", "--draft", "a.gguf"), "--verifier")


def test_an_over_long_prompt_gets_a_clear_error() -> None:
    r = tandem("generate", "--pair", "tiny", "--ctx", "256", "--prompt", "word " * 400)
    one_clear_line(r, "only", "fit in the context")
