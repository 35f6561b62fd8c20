"""Reading where llama.cpp put a model's layers from its load log."""

from __future__ import annotations

from desktop.engine.load_report import LoadReport, parse_load_log

VULKAN_LOG = """\
load_tensors: loading model tensors, this can take a while... (mmap = true)
load_tensors: offloading 30 repeating layers to GPU
load_tensors: offloading output layer to GPU
load_tensors: offloaded 31/31 layers to GPU
load_tensors:      Vulkan0 model buffer size =    88.52 MiB
load_tensors:   CPU_Mapped model buffer size =     9.12 MiB
sched_reserve:    Vulkan0 compute buffer size =    13.54 MiB
""".splitlines()


def test_every_layer_on_the_vulkan_device() -> None:
    report = parse_load_log(VULKAN_LOG)
    assert report == LoadReport(31, 31, (("Vulkan0", 88.52), ("CPU_Mapped", 9.12)))
    assert report.describe() == "31 of 31 layers on the GPU (Vulkan0)"


def test_part_offloaded() -> None:
    lines = ["load_tensors: offloaded 12/31 layers to GPU", "CUDA0 model buffer size = 1.0 MiB"]
    report = parse_load_log(lines)
    assert report.describe() == "12 of 31 layers on the GPU (CUDA0)"


def test_a_cpu_build_says_nothing_about_offload() -> None:
    report = parse_load_log(["load_tensors:          CPU model buffer size =    92.10 MiB"])
    assert report.gpu_layers == 0 and report.devices == ("CPU",)
    assert report.describe() == "on the CPU"
