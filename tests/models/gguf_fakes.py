"""Tiny synthetic GGUFs (written with the `gguf` package) and a fake home laid out like other apps."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

F16, Q4_K_M, Q3_K_M, Q8_0 = 1, 15, 12, 7  # llama.h LLAMA_FTYPE_*


def tokens(n: int, prefix: str = "t") -> list[str]:
    """`n` distinct token texts."""
    return [f"{prefix}{i}" for i in range(n)]


@dataclass
class Spec:
    """What a synthetic GGUF carries; `params` sets its size (one F16 tensor of that many zeros)."""

    vocab: list[str] = field(default_factory=lambda: tokens(700))
    arch: str = "llama"
    name: str = "Fake"
    params: int = 4096
    file_type: int | None = Q4_K_M
    model: str = "gpt2"
    pre: str = "default"
    bos: int = 1
    eos: int = 2
    add_bos: bool | None = None
    add_eos: bool | None = None


def write_gguf(path: Path, spec: Spec) -> Path:
    """A GGUF with llama-style hyper-parameters, the vocabulary in `spec`, and `spec.params` weights."""
    import gguf
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(str(path), spec.arch)
    w.add_name(spec.name)
    if spec.file_type is not None:
        w.add_file_type(spec.file_type)
    w.add_context_length(256)
    w.add_embedding_length(64)
    w.add_block_count(1)
    w.add_feed_forward_length(128)
    w.add_head_count(4)
    w.add_head_count_kv(4)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model(spec.model)
    w.add_tokenizer_pre(spec.pre)
    w.add_token_list(spec.vocab)
    w.add_token_types([gguf.TokenType.NORMAL] * len(spec.vocab))
    if spec.model == "llama":
        w.add_token_scores([0.0] * len(spec.vocab))
    else:
        w.add_token_merges(["a b"])
    w.add_bos_token_id(spec.bos)
    w.add_eos_token_id(spec.eos)
    if spec.add_bos is not None:
        w.add_add_bos_token(spec.add_bos)
    if spec.add_eos is not None:
        w.add_add_eos_token(spec.add_eos)
    if spec.params:
        w.add_tensor("token_embd.weight", np.zeros(spec.params, dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def link(path: Path, target: Path) -> Path:
    """A symlink at `path` to `target` (parents made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def ollama_model(root: Path, name: tuple[str, str, str, str], blob_target: Path) -> Path:
    """An Ollama manifest `host/namespace/model/tag` whose model layer is a blob linked to `blob_target`."""
    digest = hashlib.sha256(str(blob_target).encode()).hexdigest()
    blob = link(root / "blobs" / f"sha256-{digest}", blob_target)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "digest": "sha256:00",
            "size": 2,
        },
        "layers": [
            {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:11", "size": 10},
            {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}", "size": 1},
        ],
    }
    path = root / "manifests" / Path(*name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return blob


def jan_model(data: Path, model_id: str, target: Path) -> Path:
    """A Jan ≥ 0.6 model folder whose model.yml points (relative to the data folder) at a link to `target`."""
    folder = data / "llamacpp" / "models" / model_id
    link(folder / "model.gguf", target)
    rel = (folder / "model.gguf").relative_to(data).as_posix()
    (folder / "model.yml").write_text(
        f"model_path: {rel}\nname: {model_id}\nembedding: false\n", encoding="utf-8"
    )
    return folder / "model.gguf"


def hf_cached(hub: Path, repo: str, file: str, target: Path) -> Path:
    """A Hugging Face cache entry: a snapshot symlink into blobs/, the blob linked to `target`."""
    folder = hub / f"models--{repo.replace('/', '--')}"
    blob = link(folder / "blobs" / hashlib.sha256(file.encode()).hexdigest(), target)
    snapshot = folder / "snapshots" / ("a" * 40) / file
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.symlink_to(Path("../..") / "blobs" / blob.name)
    (folder / "refs").mkdir(exist_ok=True)
    (folder / "refs" / "main").write_text("a" * 40, encoding="utf-8")
    return snapshot


def clone_vocab(src: Path, dst: Path, params: int, arch: str = "llama") -> Path:
    """A small synthetic GGUF with `src`'s vocabulary and tokenizer settings (a draft that fits it)."""
    from desktop.models.gguf_header import read_header

    meta = read_header(src).metadata
    texts = [t.decode("utf-8") for t in meta["tokenizer.ggml.tokens"]]  # type: ignore[attr-defined]
    flags = {k: meta.get(f"tokenizer.ggml.{k}_token") for k in ("add_bos", "add_eos")}
    spec = Spec(
        vocab=texts,
        arch=arch,
        name="clone",
        params=params,
        file_type=Q8_0,
        model=str(meta["tokenizer.ggml.model"]),
        pre=str(meta.get("tokenizer.ggml.pre", "default")),
        bos=int(meta["tokenizer.ggml.bos_token_id"]),  # type: ignore[call-overload]
        eos=int(meta["tokenizer.ggml.eos_token_id"]),  # type: ignore[call-overload]
        add_bos=None if flags["add_bos"] is None else bool(flags["add_bos"]),
        add_eos=None if flags["add_eos"] is None else bool(flags["add_eos"]),
    )
    return write_gguf(dst, spec)


LM_STUDIO_VERIFIER = "bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q4_1.gguf"
OLLAMA_DRAFT = "smollm2:135m"
HF_CLONE = "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF/smollm2-clone.gguf"


def build_home(home: Path, verifier: Path, draft: Path, store: Path, extra: Path) -> dict[str, set[str]]:
    """A home folder laid out like LM Studio, Ollama, Jan, GPT4All, the HF and llama.cpp caches,
    using `verifier` and `draft` through links and synthetic GGUFs written into `store`; `extra`
    is a folder for --folder. Returns the names each source should show."""
    other = write_gguf(store / "other-vocab.gguf", Spec(vocab=tokens(900, "o"), params=3000))
    qwen3 = write_gguf(store / "qwen3.gguf", Spec(arch="qwen3", vocab=tokens(800, "q"), params=3000))
    qwen3next = write_gguf(
        store / "qwen3next.gguf", Spec(arch="qwen3next", vocab=tokens(800, "q"), params=9000)
    )
    clone = clone_vocab(verifier, store / "clone.gguf", params=2000)
    lm = home / ".lmstudio" / "models"
    link(lm / LM_STUDIO_VERIFIER, verifier)
    link(lm / "bartowski/Gone-GGUF/gone.gguf", store / "missing.gguf")
    ollama = home / ".ollama" / "models"
    ollama_model(ollama, ("registry.ollama.ai", "library", "smollm2", "135m"), draft)
    ollama_model(ollama, ("hf.co", "bartowski", "Qwen3-GGUF", "Q4_K_M"), qwen3)
    jan_model(home / ".local/share/Jan/data", "other-vocab", other)
    gpt4all = home / ".local/share/nomic.ai/GPT4All"
    gpt4all.mkdir(parents=True)
    (gpt4all / "notes.gguf").write_text("hello, I am a text file")
    write_gguf(gpt4all / "Llama-Vocab-Q4_K_M.gguf", Spec(vocab=tokens(600, "l"), params=2500))
    hf_cached(
        home / ".cache/huggingface/hub",
        "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF",
        "smollm2-clone.gguf",
        clone,
    )
    link(home / ".cache/llama.cpp/unsloth_Qwen3-Next_qwen3next.gguf", qwen3next)
    link(home / ".cache/llama.cpp/duplicate.gguf", verifier)  # the LM Studio file again
    write_gguf(extra / "nested" / "added.gguf", Spec(vocab=tokens(700, "a"), params=1500))
    return {
        "LM Studio": {LM_STUDIO_VERIFIER},
        "Ollama": {OLLAMA_DRAFT, "hf.co/bartowski/Qwen3-GGUF:Q4_K_M"},
        "Jan": {"other-vocab"},
        "GPT4All": {"Llama-Vocab-Q4_K_M.gguf"},
        "Hugging Face cache": {HF_CLONE},
        "llama.cpp cache": {"unsloth_Qwen3-Next_qwen3next.gguf"},
        "added folder": {"nested/added.gguf"},
    }


def home_env(home: Path, tmp: Path) -> dict[str, str]:
    """The environment of a `tandem` process that sees only `home` (and empty Tandem folders)."""
    import os

    moved = ("XDG_", "HF_", "OLLAMA_MODELS", "JAN_DATA_FOLDER", "LLAMA_CACHE", "TANDEM_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(moved)}
    env.update(HOME=str(home), TANDEM_DATA_DIR=str(tmp / "data"), TANDEM_CACHE_DIR=str(tmp / "cache"))
    return env
