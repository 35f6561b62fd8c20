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
