"""What a GGUF file is (architecture, size, quantization, context, vocabulary) without loading it.

The header is read once per file and cached by path, size and modification time, so listing a
library of many gigabytes costs a stat per file after the first time.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from desktop.models import gguf_header
from desktop.models.gguf_header import GgufError, Header
from desktop.models.vocab_print import VocabPrint, make_print

CACHE_FORMAT = 1

# llama.h LLAMA_FTYPE_* (general.file_type)
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M",
    30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE", 39: "NVFP4",
    40: "Q1_0", 41: "Q2_0",
}  # fmt: skip
_QUANT_IN_NAME = re.compile(
    r"(?i)(?<![A-Z0-9])(IQ\d_[A-Z]+|Q\d_K_[SML]|Q\d_K|Q\d_\d|BF16|F16|F32)(?![A-Z0-9])"
)

# tokenizer.ggml.model -> llama_vocab_type, and the BOS/EOS ids llama.cpp assumes when the file
# names none (llama-vocab.cpp); -1 is LLAMA_TOKEN_NULL.
VOCAB_TYPES = {"no_vocab": 0, "none": 0, "llama": 1, "gpt2": 2, "hybriddna": 2, "whitespace": 2, "gemma4": 2}
VOCAB_TYPES.update({"bert": 3, "t5": 4, "rwkv": 5, "plamo2": 6})
_DEFAULT_IDS = {
    "llama": (1, 2),
    "bert": (101, -1),
    "gpt2": (11, 11),
    "hybriddna": (11, 11),
    "whitespace": (11, 11),
}
_DEFAULT_IDS.update({"t5": (-1, 1), "rwkv": (-1, -1), "plamo2": (1, 2), "gemma4": (-1, -1)})
# BPE pre-tokenizers for which llama.cpp adds BOS unless the file says otherwise.
_BPE_ADD_BOS = {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"}
_BPE_ADD_BOS |= {"jina-v5-nano", "tekken", "chameleon"}


@dataclass(frozen=True)
class GgufInfo:
    """A GGUF file's description; `vocab` is None for a file without a tokenizer."""

    size: int
    architecture: str
    name: str
    size_label: str
    parameters: int
    quantization: str
    context_length: int
    tokenizer: str
    vocab: VocabPrint | None
    split_no: int = 0
    split_count: int = 1


def _int(meta: dict[str, object], key: str, default: int) -> int:
    value = meta.get(key, default)
    return int(value) if isinstance(value, int | float) else default


def _add_flags(meta: dict[str, object], model: str, pre: str) -> tuple[bool, bool]:
    add_bos = {"llama": True, "bert": True}.get(model, model == "gpt2" and pre in _BPE_ADD_BOS)
    add_eos = model == "t5"
    add_bos = bool(meta.get("tokenizer.ggml.add_bos_token", add_bos))
    add_eos = bool(meta.get("tokenizer.ggml.add_eos_token", add_eos))
    if model == "gemma4" or pre in ("gemma4", "granite-embed-multi-311m"):
        add_bos = True  # llama.cpp forces it for Gemma 4
    return add_bos, add_eos


def vocab_print(meta: dict[str, object]) -> VocabPrint | None:
    """The vocabulary as llama.cpp would load it, or None when the file carries none."""
    model = str(meta.get("tokenizer.ggml.model", ""))
    tokens = meta.get("tokenizer.ggml.tokens")
    if model not in VOCAB_TYPES or VOCAB_TYPES[model] == 0 or not isinstance(tokens, list):
        return None
    n = len(tokens)
    ids = []
    for key, default in zip(("bos", "eos"), _DEFAULT_IDS[model], strict=True):
        default = default if 0 <= default < n else -1  # out of range defaults are disabled
        chosen = _int(meta, f"tokenizer.ggml.{key}_token_id", default)
        ids.append(chosen if 0 <= chosen < n else default)
    add_bos, add_eos = _add_flags(meta, model, str(meta.get("tokenizer.ggml.pre", "")))
    return make_print(tokens, VOCAB_TYPES[model], add_bos, add_eos, ids[0], ids[1])


def size_label(parameters: int) -> str:
    """`1.5B`, `135M` (`4K` for test files): the size class as model cards write it."""
    if parameters >= 10**9:
        return f"{parameters / 1e9:.1f}".rstrip("0").rstrip(".") + "B"
    if parameters >= 10**6:
        return f"{parameters / 1e6:.0f}M"
    return f"{parameters / 1e3:.0f}K"


def describe(header: Header, size: int, file_name: str) -> GgufInfo:
    """Interpret a parsed header (of a file of `size` bytes named `file_name`)."""
    meta = header.metadata
    arch = str(meta.get("general.architecture", ""))
    ftype = meta.get("general.file_type")
    quant = FILE_TYPES.get(ftype, "") if isinstance(ftype, int) else ""
    if not quant and (m := _QUANT_IN_NAME.search(file_name)):
        quant = m.group(1).upper()
    return GgufInfo(
        size=size,
        architecture=arch,
        name=str(meta.get("general.name", "")),
        size_label=str(meta.get("general.size_label") or size_label(header.parameters)),
        parameters=header.parameters,
        quantization=quant,
        context_length=_int(meta, f"{arch}.context_length", 0),
        tokenizer=str(meta.get("tokenizer.ggml.model", "")),
        vocab=vocab_print(meta),
        split_no=_int(meta, "split.no", 0),
        split_count=_int(meta, "split.count", 1),
    )


def read_info(path: Path) -> GgufInfo:
    """Read and interpret `path`'s header; GgufError says why a file is not usable."""
    header = gguf_header.read_header(path)
    return describe(header, path.stat().st_size, path.name)


def _from_json(record: dict[str, object]) -> GgufInfo:
    fields = dict(record)
    vocab = fields.pop("vocab")
    if isinstance(vocab, dict):
        vocab = VocabPrint(
            **{**vocab, "block_hashes": tuple(vocab["block_hashes"]), "tail": tuple(vocab["tail"])}
        )
    return GgufInfo(**fields, vocab=vocab)  # type: ignore[arg-type]


class InfoCache:
    """`read_info` results (or the reason a file was refused) kept in a JSON file."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self._entries: dict[str, dict[str, object]] = {}
        self._dirty = False
        if file is not None:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                if data.get("format") == CACHE_FORMAT:
                    self._entries = dict(data["files"])
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self._entries = {}  # a damaged cache is rebuilt, never trusted

    def info(self, path: Path) -> GgufInfo | str:
        """`path`'s description, or the reason it cannot be used (from the cache while unchanged)."""
        st = path.stat()
        key = str(path)
        entry = self._entries.get(key)
        if entry and entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns:
            try:
                return str(entry["error"]) if "error" in entry else _from_json(entry["info"])  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                pass
        result: GgufInfo | str
        try:
            result = read_info(path)
            record: dict[str, object] = {"info": asdict(result)}
        except GgufError as e:
            result, record = str(e), {"error": str(e)}
        self._entries[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, **record}
        self._dirty = True
        return result

    def save(self) -> None:
        """Write the cache back (atomically), dropping files that no longer exist."""
        if self.file is None or not self._dirty:
            return
        files = {k: v for k, v in self._entries.items() if os.path.exists(k)}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_name(self.file.name + ".partial")
        tmp.write_text(json.dumps({"format": CACHE_FORMAT, "files": files}), encoding="utf-8")
        os.replace(tmp, self.file)
        self._dirty = False


def infos(paths: Iterable[Path], cache_file: Path | None) -> dict[Path, GgufInfo | str]:
    """Describe every path, reading only files that changed since `cache_file` last saw them."""
    cache = InfoCache(cache_file)
    result = {p: cache.info(p) for p in paths}
    cache.save()
    return result
