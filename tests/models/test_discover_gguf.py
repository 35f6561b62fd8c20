"""Reading a GGUF's header without loading it: fields, refusals with reasons, and the cache."""

from __future__ import annotations

import json
import os
import random
import struct
from pathlib import Path

import pytest
from gguf_fakes import F16, Q3_K_M, Spec, tokens, write_gguf

from desktop.engine.compat import check
from desktop.engine.model import VocabInfo
from desktop.models import gguf_header
from desktop.models.gguf_header import GgufError
from desktop.models.gguf_info import InfoCache, infos, read_info
from desktop.models.vocab_print import make_print, same_texts

pytest.importorskip("gguf")


def test_reads_what_the_header_says(tmp_path: Path) -> None:
    path = write_gguf(
        tmp_path / "m.gguf", Spec(name="Tiny Thing", arch="qwen3", params=3000, file_type=Q3_K_M)
    )
    info = read_info(path)
    assert (info.architecture, info.name, info.quantization) == ("qwen3", "Tiny Thing", "Q3_K_M")
    assert (info.parameters, info.size_label, info.context_length) == (3000, "3K", 256)
    assert info.size == path.stat().st_size
    assert info.tokenizer == "gpt2" and info.vocab is not None and info.vocab.n_vocab == 700
    assert (info.vocab.vocab_type, info.vocab.bos, info.vocab.eos, info.vocab.add_bos) == (2, 1, 2, False)


def test_quantization_from_the_name_when_the_header_has_none(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "model-IQ4_XS.gguf", Spec(file_type=None))
    assert read_info(path).quantization == "IQ4_XS"


def test_fingerprint_tells_vocabularies_apart(tmp_path: Path) -> None:
    a = read_info(write_gguf(tmp_path / "a.gguf", Spec(params=10)))
    b = read_info(write_gguf(tmp_path / "b.gguf", Spec(params=20, file_type=F16)))
    c = read_info(write_gguf(tmp_path / "c.gguf", Spec(vocab=tokens(700, "u"))))
    assert a.vocab and b.vocab and c.vocab
    assert a.vocab.fingerprint == b.vocab.fingerprint != c.vocab.fingerprint


def _refusal(path: Path) -> str:
    with pytest.raises(GgufError) as e:
        read_info(path)
    return str(e.value)


def test_files_that_are_not_usable_say_why(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("hello, this is not a model")
    assert _refusal(text) == "not a GGUF file (starts with b'hell')"
    good = write_gguf(tmp_path / "good.gguf", Spec())
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(good.read_bytes()[:300])
    assert _refusal(cut) == "truncated header"
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    assert _refusal(empty) == "empty file"
    old = tmp_path / "v1.gguf"
    old.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(16))
    assert "version 1" in _refusal(old)
    big = tmp_path / "be.gguf"
    big.write_bytes(b"GGUF" + struct.pack(">I", 3) + bytes(16))
    assert "big-endian" in _refusal(big)


def test_a_huge_length_is_refused_without_allocating(tmp_path: Path) -> None:
    bad = tmp_path / "huge.gguf"
    key = b"general.name"
    # one key whose string value claims 2**62 bytes
    header = (
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", len(key))
        + key
        + struct.pack("<IQ", 8, 2**62)
    )
    bad.write_bytes(header + b"x" * 100)
    assert _refusal(bad) == "truncated header"


def test_cache_skips_the_parser_for_unchanged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write_gguf(tmp_path / "good.gguf", Spec())
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    calls: list[Path] = []
    real = gguf_header.read_header

    def counting(path: Path) -> gguf_header.Header:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(gguf_header, "read_header", counting)
    cache = tmp_path / "cache" / "gguf-info.json"
    first = infos([good, text], cache)
    assert len(calls) == 2 and cache.is_file()
    second = infos([good, text], cache)
    assert len(calls) == 2, "the second scan read a header again"
    assert first == second and second[text] == "not a GGUF file (starts with b'hell')"
    st = good.stat()
    os.utime(good, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    infos([good, text], cache)
    assert calls[2:] == [good]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    good = write_gguf(tmp_path / "good.gguf", Spec())
    cache = tmp_path / "gguf-info.json"
    cache.write_text("{not json")
    assert InfoCache(cache).info(good) == read_info(good)
    st = good.stat()
    record = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "info": {"bad": 1}}
    cache.write_text(json.dumps({"format": 1, "files": {str(good): record}}))
    assert InfoCache(cache).info(good) == read_info(good)


def _vocab(texts: list[str], bos: int = 1, eos: int = 2) -> VocabInfo:
    return VocabInfo(2, len(texts), False, False, bos, eos, texts)


def test_prints_agree_with_the_full_rule() -> None:
    """For vocabularies within 128 tokens of each other, comparing prints gives compat.check's verdict."""
    rng = random.Random(7)
    for _ in range(200):
        base = tokens(rng.choice([6, 300, 517, 1100, 2000]))
        other = base + tokens(rng.randrange(0, 129), "pad")
        if rng.random() < 0.6:
            i = rng.randrange(0, len(base))
            other[i] = "changed"
        pair = (base, other) if rng.random() < 0.5 else (other, base)
        prints = [make_print([t.encode() for t in p], 2, False, False, 1, 2) for p in pair]
        assert same_texts(*prints).ok == check(_vocab(pair[0]), _vocab(pair[1])).ok, pair


def test_header_vocabulary_matches_llama_cpp(tmp_path: Path) -> None:
    """BOS/EOS flags, ids and type as llama.cpp itself reads them, defaults included."""
    pytest.importorskip("llama_cpp")
    from desktop.engine.llamacpp import read_vocab

    specs = [
        Spec(),
        Spec(add_bos=True, bos=3, eos=4),
        Spec(pre="llama-bpe"),  # llama.cpp adds BOS for this pre-tokenizer by default
        Spec(model="llama", vocab=["<unk>", "<s>", "</s>", *tokens(300)]),  # SentencePiece: adds BOS
        Spec(add_eos=True, eos=5),
    ]
    for n, spec in enumerate(specs):
        path = write_gguf(tmp_path / f"v{n}.gguf", spec)
        ours, theirs = read_info(path).vocab, read_vocab(path)
        assert ours is not None
        got = (ours.vocab_type, ours.n_vocab, ours.add_bos, ours.add_eos, ours.bos, ours.eos)
        want = (theirs.vocab_type, theirs.n_vocab, theirs.add_bos, theirs.add_eos, theirs.bos, theirs.eos)
        assert got == want, spec
        assert list(ours.tail) == list(theirs.texts[ours.tail_start :])
