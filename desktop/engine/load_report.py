"""Where llama.cpp put a model: read from the lines it logs while loading, since the binding
has no call that says how many layers went to which device."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_OFFLOADED = re.compile(r"offloaded (\d+)/(\d+) layers to GPU")
_BUFFER = re.compile(r"^(?:\w+: )?\s*(\S+) model buffer size\s*=\s*([\d.]+) MiB")


@dataclass(frozen=True, slots=True)
class LoadReport:
    """How many layers run on a GPU, of how many, and the devices holding the weights (MiB)."""

    gpu_layers: int = 0
    n_layers: int = 0
    buffers: tuple[tuple[str, float], ...] = ()  # e.g. (("Vulkan0", 88.6), ("CPU_Mapped", 9.1))

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.buffers)

    def describe(self) -> str:
        """For the settings and `--verbose`: "30 of 31 layers on the GPU (Vulkan0)"."""
        gpus = [d for d in self.devices if not d.upper().startswith("CPU")]
        if not self.gpu_layers:
            return f"all {self.n_layers} layers on the CPU" if self.n_layers else "on the CPU"
        return f"{self.gpu_layers} of {self.n_layers} layers on the GPU ({', '.join(gpus) or 'GPU'})"


def parse_load_log(lines: Iterable[str]) -> LoadReport:
    """The report hidden in llama.cpp's load log; zeros when it says nothing about offload."""
    gpu_layers = n_layers = 0
    buffers: list[tuple[str, float]] = []
    for line in lines:
        if m := _OFFLOADED.search(line):
            gpu_layers, n_layers = int(m[1]), int(m[2])
        elif m := _BUFFER.search(line.strip()):
            buffers.append((m[1], float(m[2])))
    return LoadReport(gpu_layers, n_layers, tuple(buffers))
