"""What this Tandem is built from: its version, llama.cpp's, and the CPU variant and GPU backend in
use. `tandem --version` prints it; the About box shows it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from desktop.engine.errors import TandemError


def tandem_version() -> str:
    """The installed Tandem's version (the frozen app carries its package metadata)."""
    try:
        return metadata.version("tandem")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """Versions and the hardware path llama.cpp takes in this process."""

    tandem: str
    llama_cpp: str  # "0.3.36 (llama.cpp …)"
    cpu_variant: str
    gpu_backend: str
    devices: tuple[str, ...]
    frozen: bool  # the installed app (PyInstaller), not a venv

    def lines(self) -> list[str]:
        """The text `tandem --version` prints, one fact a line."""
        return [
            f"Tandem {self.tandem}" + (" (installed app)" if self.frozen else ""),
            f"llama-cpp-python {self.llama_cpp}",
            f"CPU variant: {self.cpu_variant}",
            f"GPU backend: {self.gpu_backend}",
            *(f"device: {d}" for d in self.devices),
        ]


def build_info() -> BuildInfo:
    """Load llama.cpp's backends (no model) and describe them."""
    from desktop.engine.llamacpp import backend_info, llama_cpp_version

    info = backend_info()
    return BuildInfo(
        tandem=tandem_version(),
        llama_cpp=llama_cpp_version(),
        cpu_variant=info.cpu_variant,
        gpu_backend=info.gpu_backend,
        devices=info.devices,
        frozen=bool(getattr(sys, "frozen", False)),
    )


class VersionAction(argparse.Action):
    """`--version`: computed only when asked, since it loads llama.cpp's backends."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print versions and the CPU/GPU backend, exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        try:
            print("\n".join(build_info().lines()))
        except TandemError as e:
            print(f"tandem: {e}", file=sys.stderr)
            parser.exit(2)
        parser.exit(0)
