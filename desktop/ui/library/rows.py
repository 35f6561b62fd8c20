"""How a model reads in the library's list: its columns, in the words the user sees."""

from __future__ import annotations

from pathlib import Path

from desktop.models.app_folders import Source
from desktop.models.discover import Skipped
from desktop.models.gguf_info import GgufInfo
from desktop.models.library import LibraryModel

COLUMNS = ("Model", "App", "Architecture", "Size class", "Quantization", "Size", "Where")


def megabytes(size: int) -> str:
    """``1,117 MB``; ``0.8 MB`` below 10 MB."""
    return f"{size / 1e6:,.0f} MB" if size >= 10e6 else f"{size / 1e6:,.1f} MB"


def size_class(info: GgufInfo) -> str:
    """The size label the file names (``0.5B``), else one from its parameter count."""
    if info.size_label:
        return info.size_label
    if info.parameters >= 1e9:
        return f"{info.parameters / 1e9:.1f}B"
    if info.parameters >= 1e6:
        return f"{info.parameters / 1e6:.0f}M"
    return ""


def home_path(path: Path) -> str:
    """`path` with the home folder written as ``~``, as file managers show it."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def where(model: LibraryModel | Skipped) -> str:
    """Where the file lies; for a link (Ollama's blobs, the HF cache) also what it points at."""
    if isinstance(model, Skipped) or model.path == model.target:
        return home_path(model.path)
    return f"{home_path(model.path)} → {home_path(model.target)}"


def short_name(model: LibraryModel) -> str:
    """The file name for files kept as ``publisher/repo/file.gguf``; Ollama's own names stay."""
    return model.name if model.source is Source.OLLAMA else model.name.rsplit("/", 1)[-1]


def app(model: LibraryModel) -> str:
    """The app the file came from; Tandem's bundled pair files say so."""
    if model.source is Source.TANDEM and model.title:
        return "Tandem (bundled)"
    return model.source.value


def model_cells(model: LibraryModel) -> tuple[str, ...]:
    """The row of a usable model, in COLUMNS order."""
    i = model.info
    return (
        model.name,
        app(model),
        i.architecture,
        size_class(i),
        i.quantization,
        megabytes(model.size),
        where(model),
    )


def skipped_cells(item: Skipped) -> tuple[str, ...]:
    """The row of a file that cannot be used: the reason where the description would be."""
    return (
        item.name,
        item.source.value,
        "",
        "",
        "",
        "",
        f"Not usable: {item.reason} ({home_path(item.path)})",
    )


def describe(model: LibraryModel) -> str:
    """One line for a tooltip or a list: ``llama 135M Q4_K_M, 92 MB, LM Studio``."""
    i = model.info
    parts = " ".join(x for x in (i.architecture, size_class(i), i.quantization) if x)
    return f"{parts}, {megabytes(model.size)}, {app(model)}"
