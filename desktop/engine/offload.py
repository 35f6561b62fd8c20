"""GPU offload "auto": every layer on a build with a GPU backend, none on a CPU build."""

from __future__ import annotations

from dataclasses import dataclass

AUTO_GPU_LAYERS = -2  # ModelConfig.n_gpu_layers meaning "decide from the build"
ALL_LAYERS = -1  # llama.cpp: offload every layer


@dataclass(frozen=True, slots=True)
class OffloadChoice:
    """The layers to offload and why, in words the settings can show."""

    layers: int
    reason: str


def choose_gpu_layers(requested: int, gpu_backend: bool) -> OffloadChoice:
    """What `requested` (a count, -1 for all, or AUTO_GPU_LAYERS) means on this build.

    llama-cpp-python 0.3.36 does not expose llama.cpp's fitting (`--fit`), so "auto" asks
    for every layer; a model larger than the device memory then fails to load with
    llama.cpp's reason, and the user sets a count.
    """
    if requested != AUTO_GPU_LAYERS:
        return OffloadChoice(requested, "as set")
    if gpu_backend:
        return OffloadChoice(ALL_LAYERS, "auto: this build has a GPU backend, so every layer is offloaded")
    return OffloadChoice(0, "auto: this build has no GPU backend, so the CPU runs every layer")
