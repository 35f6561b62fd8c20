"""GPU offload "auto": the decision from the build, and the command line's spelling of it."""

from __future__ import annotations

from desktop.cli import build_parser
from desktop.engine.config import ModelConfig
from desktop.engine.offload import (
    ALL_LAYERS,
    AUTO_GPU_LAYERS,
    ModelFootprint,
    OffloadChoice,
    choose_gpu_layers,
    plan_pair,
)


class FakeBuild:
    """Stands in for llama.cpp's llama_supports_gpu_offload."""

    def __init__(self, gpu: bool) -> None:
        self.gpu = gpu

    def supports_gpu_offload(self) -> bool:
        return self.gpu


def test_auto_offloads_everything_on_a_gpu_build_and_nothing_on_a_cpu_build() -> None:
    gpu = choose_gpu_layers(AUTO_GPU_LAYERS, FakeBuild(True).supports_gpu_offload())
    cpu = choose_gpu_layers(AUTO_GPU_LAYERS, FakeBuild(False).supports_gpu_offload())
    assert (gpu.layers, cpu.layers) == (ALL_LAYERS, 0)
    assert "GPU backend" in gpu.reason and "no GPU backend" in cpu.reason


def test_a_count_the_user_set_is_kept_on_any_build() -> None:
    for gpu in (True, False):
        assert choose_gpu_layers(12, gpu).layers == 12
        assert choose_gpu_layers(0, gpu).layers == 0
        assert choose_gpu_layers(ALL_LAYERS, gpu).layers == ALL_LAYERS


def test_auto_is_the_default_everywhere() -> None:
    assert ModelConfig("m.gguf").n_gpu_layers == AUTO_GPU_LAYERS
    gen = ["generate", "--prompt", "hi"]
    assert build_parser().parse_args(gen).gpu_layers == AUTO_GPU_LAYERS
    assert build_parser().parse_args([*gen, "--gpu-layers", "auto"]).gpu_layers == AUTO_GPU_LAYERS
    assert build_parser().parse_args([*gen, "--gpu-layers", "7"]).gpu_layers == 7


GB = 1 << 30
QWEN_1_5B = ModelFootprint(n_layers=28, file_bytes=1_117_320_768)
QWEN_0_5B = ModelFootprint(n_layers=24, file_bytes=491_400_064)


def test_auto_offloads_every_layer_when_the_model_fits_in_device_memory() -> None:
    chosen = choose_gpu_layers(AUTO_GPU_LAYERS, True, QWEN_1_5B, 8 * GB)
    assert chosen == OffloadChoice(ALL_LAYERS, "Auto: all 28 layers fit in 8 GB")


def test_auto_offloads_what_fits_when_the_model_does_not() -> None:
    chosen = choose_gpu_layers(AUTO_GPU_LAYERS, True, QWEN_1_5B, GB)  # 1 GB free, 0.5 GB kept back
    expected = int((GB - GB // 2) // QWEN_1_5B.layer_bytes)
    assert 0 < chosen.layers == expected < 28
    assert chosen.reason == f"Auto: {expected} of 28 layers fit in 1 GB"
    none = choose_gpu_layers(AUTO_GPU_LAYERS, True, QWEN_1_5B, GB // 2)
    assert none.layers == 0 and "not enough for one layer" in none.reason


def test_auto_says_why_on_a_cpu_build_and_without_memory_figures() -> None:
    assert choose_gpu_layers(AUTO_GPU_LAYERS, False, QWEN_1_5B, 8 * GB) == OffloadChoice(
        0, "Auto: 0 layers — this build has no GPU backend"
    )
    assert choose_gpu_layers(AUTO_GPU_LAYERS, True, None, None).layers == ALL_LAYERS


def test_the_draft_gets_what_the_verifier_leaves() -> None:
    free = 1800 << 20
    v, d = plan_pair((AUTO_GPU_LAYERS, QWEN_1_5B), (AUTO_GPU_LAYERS, QWEN_0_5B), True, free)
    assert v.layers == ALL_LAYERS  # 1.04 GB of 1.76 GB, with 0.5 GB headroom: fits
    # The 0.7 GB left, less the headroom, holds part of the draft's 0.46 GB.
    assert d is not None and 0 < d.layers < 24 and f"{d.layers} of 24 layers fit in 0.7 GB" in d.reason
    alone = choose_gpu_layers(AUTO_GPU_LAYERS, True, QWEN_0_5B, free)
    assert alone.layers == ALL_LAYERS  # on its own it would fit
    v, d = plan_pair((0, QWEN_1_5B), (AUTO_GPU_LAYERS, QWEN_0_5B), True, free)
    assert v == OffloadChoice(0, "as set") and d is not None and d.layers == ALL_LAYERS
    assert plan_pair((AUTO_GPU_LAYERS, QWEN_1_5B), None, True, free)[1] is None
