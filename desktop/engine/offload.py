"""GPU offload "auto": what fits in device memory on a build with a GPU backend, none on a CPU build.

llama-cpp-python 0.3.36 does not expose llama.cpp's own fitting (`--fit`), so this is an
estimate: a model's layers weigh about the same (its file spread over its repeating layers plus
one for the embeddings and output), and HEADROOM stays free for KV caches and compute buffers.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTO_GPU_LAYERS = -2  # ModelConfig.n_gpu_layers meaning "decide from the build"
ALL_LAYERS = -1  # llama.cpp: offload every layer
GIB = 1 << 30
HEADROOM_BYTES = GIB // 2  # left free for the KV cache and compute buffers
HEADROOM_FRACTION = 0.1  # or this share of the free memory, whichever is larger


@dataclass(frozen=True, slots=True)
class OffloadChoice:
    """The layers to offload and why, in words the settings can show."""

    layers: int
    reason: str


@dataclass(frozen=True, slots=True)
class ModelFootprint:
    """What offloading a model takes: its repeating layers and its file size."""

    n_layers: int
    file_bytes: int

    @property
    def layer_bytes(self) -> float:
        return self.file_bytes / (self.n_layers + 1)  # + 1: the embeddings and output layer

    def bytes_for(self, layers: int) -> float:
        return self.file_bytes if layers in (ALL_LAYERS, self.n_layers) else layers * self.layer_bytes


def gigabytes(n: float) -> str:
    """Device memory as a person says it: "8 GB", "1.5 GB"."""
    g = n / GIB
    return f"{g:.0f} GB" if g >= 10 or g == int(g) else f"{g:.1f} GB"


def choose_gpu_layers(
    requested: int, gpu_backend: bool, model: ModelFootprint | None = None, free_bytes: int | None = None
) -> OffloadChoice:
    """What `requested` (a count, -1 for all, or AUTO_GPU_LAYERS) means on this build, for
    `model` with `free_bytes` of device memory free (None: not known, so every layer)."""
    if requested != AUTO_GPU_LAYERS:
        return OffloadChoice(requested, "as set")
    if not gpu_backend:
        return OffloadChoice(0, "Auto: 0 layers — this build has no GPU backend")
    if model is None or free_bytes is None:
        return OffloadChoice(ALL_LAYERS, "Auto: all layers — this build has a GPU backend")
    usable = free_bytes - max(HEADROOM_BYTES, HEADROOM_FRACTION * free_bytes)
    free = gigabytes(free_bytes)
    if model.file_bytes <= usable:
        return OffloadChoice(ALL_LAYERS, f"Auto: all {model.n_layers} layers fit in {free}")
    layers = max(0, min(model.n_layers - 1, int(usable // model.layer_bytes)))
    if layers == 0:
        return OffloadChoice(0, f"Auto: 0 layers — {free} free is not enough for one layer")
    return OffloadChoice(layers, f"Auto: {layers} of {model.n_layers} layers fit in {free}")


def plan_pair(
    verifier: tuple[int, ModelFootprint | None],
    draft: tuple[int, ModelFootprint | None] | None,
    gpu_backend: bool,
    free_bytes: int | None,
) -> tuple[OffloadChoice, OffloadChoice | None]:
    """Both models' choices, (requested, footprint) each: the verifier is loaded first, so the
    draft gets what the verifier leaves."""
    v = choose_gpu_layers(verifier[0], gpu_backend, verifier[1], free_bytes)
    if draft is None:
        return v, None
    left = free_bytes
    if free_bytes is not None and verifier[1] is not None and gpu_backend:
        left = max(0, int(free_bytes - verifier[1].bytes_for(v.layers)))
    return v, choose_gpu_layers(draft[0], gpu_backend, draft[1], left)
