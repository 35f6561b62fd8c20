"""Choosing llama.cpp's CPU variant in a GGML_BACKEND_DL build (no llama.cpp needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.engine.backends import (
    AVOIDED_VARIANTS,
    BUILT_IN,
    BackendError,
    BackendInfo,
    choose_variant,
    cpu_variants,
    load_backends,
)

# Scores as ggml's x86 variants give them on a Xeon with AMX (0 = an instruction is missing).
XEON = {"x64": 1, "sse42": 5, "haswell": 60, "icelake": 200, "zen4": 0, "sapphirerapids": 900}


def test_the_best_scoring_variant_wins() -> None:
    assert choose_variant({"x64": 1, "haswell": 60, "skylakex": 0}, None) == "haswell"


def test_the_amx_variant_is_skipped_unless_asked_for() -> None:
    assert "sapphirerapids" in AVOIDED_VARIANTS
    assert choose_variant(XEON, None) == "icelake"
    assert choose_variant(XEON, "sapphirerapids") == "sapphirerapids"


def test_asking_for_a_variant_the_cpu_cannot_run_is_one_clear_error() -> None:
    with pytest.raises(BackendError, match="zen4 needs instructions"):
        choose_variant(XEON, "zen4")
    with pytest.raises(BackendError, match="not in this build"):
        choose_variant(XEON, "pentium")
    with pytest.raises(BackendError, match=r"no llama\.cpp CPU backend"):
        choose_variant({"haswell": 0}, None)


def test_variant_libraries_are_found_by_ggml_naming(tmp_path: Path) -> None:
    for name in ("libggml-cpu-haswell.so", "libggml-cpu-x64.so", "libggml-base.so", "libggml.so"):
        (tmp_path / name).touch()
    assert sorted(cpu_variants(tmp_path)) == ["haswell", "x64"]


class _Fn:
    def __init__(self, result: Any, calls: list[Any] | None = None) -> None:
        self.result, self.calls = result, calls

    def __call__(self, *args: Any) -> Any:
        if self.calls is not None:
            self.calls.append(args)
        return self.result


class _FakeGgml:
    def __init__(self, registered: int) -> None:
        self.loaded: list[Any] = []
        self.ggml_backend_reg_count = _Fn(registered)
        self.ggml_backend_load = _Fn(1, self.loaded)


def test_a_build_with_backends_linked_in_loads_nothing(tmp_path: Path) -> None:
    ggml = _FakeGgml(registered=1)
    assert load_backends(ggml, tmp_path) == BUILT_IN  # type: ignore[arg-type]
    assert ggml.loaded == []


def test_a_build_missing_its_cpu_backend_says_so(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="CPU backend is missing"):
        load_backends(_FakeGgml(registered=0), tmp_path)  # type: ignore[arg-type]


def test_gpu_backend_is_named_apart_from_cpu() -> None:
    assert BackendInfo("haswell", ("CPU",), ()).gpu_backend == "none"
    assert BackendInfo("haswell", ("Vulkan", "CPU"), ()).gpu_backend == "Vulkan"
