"""GPU offload "auto": the decision from the build, and the command line's spelling of it."""

from __future__ import annotations

from desktop.cli import build_parser
from desktop.engine.config import ModelConfig
from desktop.engine.offload import ALL_LAYERS, AUTO_GPU_LAYERS, choose_gpu_layers


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
