"""GPU offload tested without a GPU: llama.cpp's Vulkan backend on Mesa's software driver.

Run by `make test-vulkan` in its own venv (`.venv-vulkan`, llama.cpp built with
`-DGGML_VULKAN=on`); `TANDEM_CPU_PYTHON` names the CPU build's python to compare with. Speed on
a software driver means nothing; the offload decision and the output do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.engine.config import ModelConfig
from desktop.engine.offload import ALL_LAYERS, AUTO_GPU_LAYERS, choose_gpu_layers
from desktop.models.listing import pair_paths

pytestmark = [pytest.mark.vulkan, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ("Name three rivers and one fact about each.", "def fizzbuzz(n):")


def test_this_build_offers_vulkan_and_auto_offloads_everything() -> None:
    from desktop.engine.llamacpp import backend_info, supports_gpu_offload

    assert supports_gpu_offload(), "this llama.cpp build has no GPU backend: run make test-vulkan"
    info = backend_info()
    assert "Vulkan" in info.gpu_backend, info
    assert any(d.startswith("Vulkan0") for d in info.devices), info.devices
    assert choose_gpu_layers(AUTO_GPU_LAYERS, True).layers == ALL_LAYERS


def test_auto_puts_every_layer_of_both_models_on_the_vulkan_device() -> None:
    from desktop.engine.llamacpp import LlamaModel

    for path in pair_paths("tiny"):
        model = LlamaModel(ModelConfig(path=str(path), n_ctx=256, n_gpu_layers=AUTO_GPU_LAYERS))
        try:
            report = model.load_report
            assert report.n_layers > 0 and report.gpu_layers == report.n_layers, report
            assert "Vulkan0" in report.devices, report
            assert report.describe().startswith(f"{report.n_layers} of {report.n_layers} layers on the GPU")
        finally:
            model.close()


def _greedy_tokens(python: str, prompt: str, gpu_layers: str) -> list[int]:
    command = [python, "-m", "desktop", "generate", "--pair", "tiny", "--json", "--temperature", "0",
               "--max-tokens", "40", "--gpu-layers", gpu_layers, "--prompt", prompt]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    tokens: list[int] = []
    for event in map(json.loads, done.stdout.splitlines()):
        if event["type"] == "step":
            tokens += [*event["accepted_ids"], event["verifier_id"]]
    return tokens


@pytest.mark.parametrize("prompt", PROMPTS)
def test_speculative_greedy_output_on_vulkan_matches_the_cpu_build(prompt: str) -> None:
    from desktop.engine.llamacpp import supports_gpu_offload

    assert supports_gpu_offload(), "no Vulkan device here: the comparison would be CPU against CPU"
    cpu_python = os.environ.get("TANDEM_CPU_PYTHON")
    assert cpu_python, "set TANDEM_CPU_PYTHON to the CPU build's python (make test-vulkan does)"
    on_gpu = _greedy_tokens(sys.executable, prompt, "-1")
    on_cpu = _greedy_tokens(cpu_python, prompt, "0")
    # The same tokens, or a first difference at a near tie: the two backends sum in different
    # orders, so where the CPU build's top two logits are within NEAR_TIE either may win.
    first = next((i for i, (a, b) in enumerate(zip(on_gpu, on_cpu, strict=False)) if a != b), None)
    if first is None:
        assert len(on_gpu) == len(on_cpu)
        return
    margin = _cpu_margin(cpu_python, prompt, on_cpu[:first])
    assert margin < NEAR_TIE, f"diverged at token {first} where the CPU build's top-2 margin is {margin:.3f}"


NEAR_TIE = 0.25  # logits; the same bound as the CPU build's batched-vs-single test
_MARGIN = """
import json, sys
import numpy as np
from desktop.engine.chat import Message
from desktop.engine.config import GenerationConfig, ModelConfig
from desktop.engine.llamacpp import LlamaBackend
from desktop.engine.pair import ModelPair, PairConfig
from desktop.models.listing import pair_paths
text, prefix = sys.argv[1], json.loads(sys.argv[2])
v, d = pair_paths("tiny")
cfg = GenerationConfig(max_tokens=40)
on_cpu = PairConfig(ModelConfig(str(v), n_gpu_layers=0), ModelConfig(str(d), n_gpu_layers=0))
pair = ModelPair.load(LlamaBackend(), on_cpu)
prompt = pair.prompt([Message("user", text)], cfg).tokens
row, _ = pair.decoder.verifier.sync([*prompt, *prefix])
top = np.sort(row)[-2:]
print(float(top[1] - top[0]))
"""


def _cpu_margin(python: str, prompt: str, prefix: list[int]) -> float:
    """The CPU build's top-1 minus top-2 verifier logit after `prompt` and `prefix`."""
    args = [python, "-c", _MARGIN, prompt, json.dumps(prefix)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return float(done.stdout.strip().splitlines()[-1])
