"""One model's GPU layers in the pair dialog: "Auto" with what it chose and why, or a count."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from desktop.engine.offload import (
    ALL_LAYERS,
    AUTO_GPU_LAYERS,
    ModelFootprint,
    OffloadChoice,
    choose_gpu_layers,
    plan_pair,
)


def model_footprint(path: str) -> ModelFootprint | None:
    """Layers and size from the GGUF header; None when the file cannot be read."""
    from desktop.models.gguf_header import GgufError, read_header

    try:
        meta = read_header(Path(path)).metadata
        layers = meta.get(f"{meta.get('general.architecture')}.block_count")
        return ModelFootprint(int(str(layers)), Path(path).stat().st_size) if layers is not None else None
    except (OSError, GgufError, ValueError):
        return None


def device_free_bytes() -> int | None:
    """Free GPU memory as llama.cpp sees it; None without a GPU device."""
    try:
        from desktop.engine.llamacpp import gpu_free_bytes
    except ImportError:
        return None
    return gpu_free_bytes()


def auto_choices(
    verifier: tuple[int, str], draft: tuple[int, str] | None, gpu_backend: bool
) -> tuple[OffloadChoice, OffloadChoice | None]:
    """What "auto" would offload of each (requested layers, file), whatever is set now; the
    draft's from what the verifier, as set, leaves. Files are read only on a GPU build."""
    if not gpu_backend:
        return plan_pair((AUTO_GPU_LAYERS, None), (AUTO_GPU_LAYERS, None) if draft else None, False, None)
    free = device_free_bytes()
    v = model_footprint(verifier[1]) if free is not None else None
    d = (AUTO_GPU_LAYERS, model_footprint(draft[1]) if free is not None else None) if draft else None
    _, draft_auto = plan_pair((verifier[0], v), d, True, free)
    return choose_gpu_layers(AUTO_GPU_LAYERS, True, v, free), draft_auto


class OffloadField(QWidget):
    """Auto (the default) or a layer count the user sets; below, what auto chose and why."""

    def __init__(self, layers: int, gpu_backend: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        self.auto = QCheckBox("Auto")
        self.auto.setToolTip("Offload what fits in the GPU's memory; nothing on a build with no GPU backend")
        self.count = QSpinBox()
        self.count.setRange(ALL_LAYERS, 999)
        self.count.setSpecialValueText("all")
        self.count.setSuffix(" layers")
        self.count.setAccessibleName("GPU layers")
        row.addWidget(self.auto)
        row.addWidget(self.count)
        row.addStretch(1)
        column.addLayout(row)
        self.reason = QLabel()
        self.reason.setObjectName("muted")
        self.reason.setWordWrap(True)
        column.addWidget(self.reason)
        self._gpu = gpu_backend
        self._chosen: OffloadChoice | None = None
        self.auto.setChecked(layers == AUTO_GPU_LAYERS)
        self.count.setValue(ALL_LAYERS if layers == AUTO_GPU_LAYERS else layers)
        self.count.setEnabled(gpu_backend and not self.auto.isChecked())
        self.auto.setEnabled(gpu_backend)  # a CPU build offloads nothing, whatever is set
        self.auto.toggled.connect(self._toggled)

    def value(self) -> int:
        """AUTO_GPU_LAYERS, or the count the user set (-1: all)."""
        return AUTO_GPU_LAYERS if self.auto.isChecked() else self.count.value()

    def show_choice(self, chosen: OffloadChoice | None) -> None:
        """What auto chooses for the model chosen now (None: no model file to judge)."""
        self._chosen = chosen
        self._show()

    @Slot(bool)
    def _toggled(self, auto: bool) -> None:
        self.count.setEnabled(self._gpu and not auto)
        self._show()  # an override starts from auto's choice, which the count shows

    def _show(self) -> None:
        chosen = self._chosen
        if self.auto.isChecked() and chosen is not None:
            self.count.setValue(chosen.layers)
        if not self.auto.isChecked():
            said = f" {chosen.reason}." if chosen is not None else ""
            cpu = "Set by you; this build runs on the CPU."
            self.reason.setText(f"Set by you.{said}" if self._gpu else cpu)
        elif chosen is not None:
            self.reason.setText(chosen.reason)
        else:
            self.reason.setText("Auto: decided when the model loads")
