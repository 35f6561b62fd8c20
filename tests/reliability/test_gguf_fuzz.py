"""Damaged GGUF headers: each is refused with one line or loads; none may crash the process.

The variants are made from one valid tiny model (random weights, written with the `gguf`
package) by mutating header fields with seeded randomness. They are all loaded in ONE child
process, which reports each outcome as it goes, so a crash shows as the child dying on a
signal, and the file it died on is named.
"""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

N_VARIANTS = 66
TOKENS = ["<unk>", "<s>", "</s>", *"abcdefghijklmnopqrstuvwxyz", "ab", "cd", " ", "Ġ", "Ċ"]

CHILD = r"""
import json, sys
from desktop.engine.config import ModelConfig
from desktop.engine.errors import TandemError
from desktop.engine.llamacpp import LlamaModel, read_vocab
for path in sys.argv[1:]:
    print(json.dumps({"start": path}), flush=True)
    try:
        read_vocab(path)
        model = LlamaModel(ModelConfig(path=path, n_ctx=64, n_batch=64, n_threads=1))
        model.decode(model.tokenize("abc", add_special=True, parse_special=False), 0, 1)
        model.close()
        outcome = {"path": path, "ok": True}
    except TandemError as e:
        outcome = {"path": path, "ok": False, "error": type(e).__name__, "message": str(e)}
    print(json.dumps(outcome), flush=True)
"""


def write_tiny_model(path: Path, seed: int = 0, chat_template: bool = True) -> Path:
    """A one-block llama trained (it says) on 64 tokens of context, with a 34-token BPE
    vocabulary and random float32 weights."""
    import gguf

    rng = np.random.default_rng(seed)
    n_vocab, n_embd, n_ff = len(TOKENS), 32, 64
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(64)
    w.add_embedding_length(n_embd)
    w.add_block_count(1)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(2)
    w.add_head_count_kv(2)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(TOKENS)
    w.add_token_types([gguf.TokenType.CONTROL] * 3 + [gguf.TokenType.NORMAL] * (n_vocab - 3))
    w.add_token_merges(["a b", "c d"])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    if chat_template:
        w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")

    def add(name: str, *shape: int) -> None:
        w.add_tensor(name, rng.standard_normal(shape).astype(np.float32) * 0.02)

    add("token_embd.weight", n_vocab, n_embd)
    add("output_norm.weight", n_embd)
    add("output.weight", n_vocab, n_embd)
    add("blk.0.attn_norm.weight", n_embd)
    for t in ("q", "k", "v", "output"):
        add(f"blk.0.attn_{t}.weight", n_embd, n_embd)
    add("blk.0.ffn_norm.weight", n_embd)
    add("blk.0.ffn_gate.weight", n_ff, n_embd)
    add("blk.0.ffn_up.weight", n_ff, n_embd)
    add("blk.0.ffn_down.weight", n_embd, n_ff)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def header_fields(path: Path) -> tuple[list[int], list[int], list[int], int]:
    """Offsets of string lengths, of type tags and of tensor dimension counts, and where the
    header ends (the first tensor's data)."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    lengths, tags, dims = [], [], []
    for field in reader.fields.values():
        if field.name.startswith("GGUF."):
            continue
        key_len = int(field.parts[0][0])
        lengths.append(field.offset)
        tags.append(field.offset + 8 + key_len)
        if field.types and field.types[0] == gguf.GGUFValueType.STRING:
            lengths.append(field.offset + 8 + key_len + 4)
        elif field.types and field.types[0] == gguf.GGUFValueType.ARRAY:
            tags.append(field.offset + 8 + key_len + 4)  # the element type
            lengths.append(field.offset + 8 + key_len + 4 + 4)  # the element count
    for tensor in reader.tensors:
        name_len = len(tensor.name.encode())
        lengths.append(tensor.field.offset)
        dims.append(tensor.field.offset + 8 + name_len)
        tags.append(tensor.field.offset + 8 + name_len + 4 + 8 * len(tensor.shape))
    return lengths, tags, dims, int(reader.data_offset)


def mutate(good: bytes, fields: tuple[list[int], list[int], list[int], int], seed: int) -> bytes:
    """One damaged variant of `good`; the kind of damage cycles with the seed."""
    rng = random.Random(seed)
    lengths, tags, dims, header_end = fields
    data = bytearray(good)
    huge = [0, 1, 2**31 - 1, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1, rng.randrange(2**64)]
    kind = seed % 9
    if kind == 0:
        data[:4] = rng.choice([b"GGUG", b"FUGG", b"\0\0\0\0", b"GGML", bytes(rng.randbytes(4))])
    elif kind == 1:
        struct.pack_into("<I", data, 4, rng.choice([0, 1, 4, 2**31, 2**32 - 1, rng.randrange(2**32)]))
    elif kind in (2, 3):  # tensor count, key/value count
        struct.pack_into("<Q", data, 8 if kind == 2 else 16, rng.choice(huge))
    elif kind == 4:
        struct.pack_into("<Q", data, rng.choice(lengths), rng.choice([*huge, rng.randrange(1, 4096)]))
    elif kind == 5:
        struct.pack_into("<I", data, rng.choice(tags), rng.choice([9, 13, 255, 2**31, 2**32 - 1, 40, 100]))
    elif kind == 6:
        struct.pack_into("<I", data, rng.choice(dims), rng.choice([0, 5, 64, 2**32 - 1]))
    elif kind == 7:
        del data[rng.randrange(1, len(data)) :]
    else:
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(header_end)] = rng.randrange(256)
    return bytes(data)


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    good = write_tiny_model(folder / "good.gguf")
    fields = header_fields(good)
    data = good.read_bytes()
    paths = []
    for seed in range(N_VARIANTS):
        path = folder / f"variant-{seed:02d}.gguf"
        path.write_bytes(mutate(data, fields, seed))
        paths.append(path)
    return good, paths


def run_child(paths: list[Path]) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    r = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, paths)], capture_output=True, text=True, timeout=600
    )
    return r, [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def test_the_valid_tiny_model_loads_and_decodes(variants: tuple[Path, list[Path]]) -> None:
    good, _ = variants
    r, lines = run_child([good])
    assert r.returncode == 0, r.stderr[-2000:]
    assert lines[-1] == {"path": str(good), "ok": True}


def test_no_damaged_header_crashes_the_process(variants: tuple[Path, list[Path]]) -> None:
    _, paths = variants
    assert len(paths) >= 50
    r, lines = run_child(paths)
    started = [line["start"] for line in lines if "start" in line]
    assert r.returncode == 0, (
        f"the child died with status {r.returncode} while loading {started[-1] if started else '?'}:"
        f" {r.stderr[-1500:]}"
    )
    outcomes = [line for line in lines if "path" in line]
    assert len(outcomes) == len(paths)
    refused = [o for o in outcomes if not o["ok"]]
    assert len(refused) >= len(paths) // 2  # most mutations must be noticed
    for o in refused:
        assert o["error"] == "ModelLoadError", o
        message = str(o["message"])
        assert "\n" not in message and Path(str(o["path"])).name in message, o


def test_the_cli_refuses_a_damaged_file_with_one_line(variants: tuple[Path, list[Path]]) -> None:
    _, paths = variants
    bad = str(paths[0])  # a wrong magic number
    r = subprocess.run(
        [sys.executable, "-m", "desktop", "generate", "--verifier", bad, "--draft", bad, "--prompt", "hi"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
