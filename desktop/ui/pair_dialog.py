"""Choose the verifier and draft (an installed pair or files), how to load them, and how to sample.

The compatibility verdict is shown before anything loads, and Load stays disabled while the
draft is incompatible: an incompatible draft is never loaded, silently or otherwise.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.engine.config import DraftConfig, DraftPolicy, GenerationConfig, Mode, SamplingConfig
from desktop.engine.errors import TandemError
from desktop.qt.payloads import CheckResult
from desktop.ui.library.draft_list import DraftList, VerifierCombo
from desktop.ui.library.model_library import ModelLibrary
from desktop.ui.offload_field import OffloadField, auto_choices
from desktop.ui.preferences import PairChoice, format_stop_strings, parse_stop_strings

MODES = (
    (Mode.SPECULATIVE, "Speculative (always draft, to watch the steps)"),
    (Mode.FASTEST, "Fastest (draft only when it pays on this machine)"),
)
MODE_NOTE = (
    "Speculative mode drafts every step, so every step shows what the draft proposed. Fastest mode "
    "picks each step's draft length, zero included, from this machine's measured costs and the "
    "recent acceptance rate. On many CPUs checking k tokens costs nearly k single tokens, so "
    "drafting rarely pays there; the stats strip shows the speed-up you actually get."
)
SUFFIX_NOTE = (
    "Suffix drafting proposes the most frequent earlier continuation of the text's longest "
    "repeated ending, only when its own record says it is likely to be kept; it needs no model."
)
NGRAM_NOTE = (
    "Prompt lookup proposes the tokens that followed the same few tokens earlier in the "
    "conversation; it needs no model and shines when a reply repeats or edits what it was given."
)

CPU_ONLY = (
    "This build of llama.cpp runs on the CPU, so GPU layers have no effect. To offload to a GPU, "
    'rebuild llama-cpp-python with e.g. CMAKE_ARGS="-DGGML_CUDA=on" (or Vulkan, or Metal on a Mac).'
)


@dataclass(frozen=True, slots=True)
class PairDialogResult:
    choice: PairChoice
    generation: GenerationConfig


def _note(text: str = "", muted: bool = True) -> QLabel:
    """A wrapped label wide enough to read (word-wrapped labels otherwise shrink in forms)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMinimumWidth(label.fontMetrics().averageCharWidth() * 64)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    if muted:
        label.setObjectName("muted")
    return label


def _spin(low: int, high: int, value: int, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def _dspin(low: float, high: float, value: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setValue(value)
    return box


class FileField(QWidget):
    """A path with a Browse… button."""

    changed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("path to a .gguf file")
        self.edit.setAccessibleName(title)
        self.browse = QPushButton("Browse…")
        self.browse.setAutoDefault(False)  # Enter in the dialog means Load, wherever the focus was
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.browse)
        self.browse.clicked.connect(self._browse)
        self.edit.editingFinished.connect(self.changed)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str) -> None:
        self.edit.setText(path)
        self.changed.emit()

    @Slot()
    def _browse(self) -> None:
        start = str(Path(self.path()).parent) if self.path() else ""
        path, _ = QFileDialog.getOpenFileName(self, self.title, start, "GGUF models (*.gguf);;All files (*)")
        if path:
            self.set_path(path)


class PairDialog(QDialog):
    """Asks the window to check files (`check_requested`) and shows the verdict it gets back."""

    check_requested = Signal(str, str)

    def __init__(
        self,
        choice: PairChoice,
        generation: GenerationConfig,
        pairs: list[tuple[str, str, bool]],
        gpu_offload: bool,
        parent: QWidget | None = None,
        library: ModelLibrary | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model pair")
        self._library = library
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 110)
        self._pairs = pairs
        self._checked: tuple[str, str] | None = None
        self._kind = "warning"
        self.tabs = tabs = QTabWidget()
        tabs.addTab(self._models_tab(choice, gpu_offload), "Models")
        tabs.addTab(self._sampling_tab(generation), "Sampling")
        tabs.addTab(self._drafting_tab(generation), "Drafting")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.load_button = self.buttons.addButton("Load", QDialogButtonBox.ButtonRole.AcceptRole)
        self.load_button.setObjectName("primary")
        self.load_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.buttons)
        self._source_changed()
        self.show_offload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.load_button.setDefault(True)  # Enter loads (when the verdict allows it)

    # -- tabs ---------------------------------------------------------------------------

    def _models_tab(self, choice: PairChoice, gpu_offload: bool) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.use_installed = QRadioButton("An installed pair")
        self.use_files = QRadioButton("GGUF files")
        self.pair_combo = QComboBox()
        for name, title, installed in self._pairs:
            self.pair_combo.addItem(f"{name}: {title}" + ("" if installed else " (not installed)"), name)
        form.addRow(self.use_installed, self.pair_combo)
        form.addRow(self.use_files)
        self.verifier = FileField("Verifier model")
        self.draft = FileField("Draft model")
        self.no_draft = QCheckBox("No draft: plain decoding with the verifier alone")
        self.verifier_combo = VerifierCombo()
        self.drafts = DraftList()
        form.addRow("Verifier", self.verifier_combo)
        form.addRow("", self.verifier)
        form.addRow("Draft", self.draft)
        form.addRow("Drafts found", self.drafts)
        form.addRow("", self.no_draft)
        self.verdict = _note(muted=False)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setAccessibleName("Compatibility verdict")
        self.verdict.setMinimumHeight(self.fontMetrics().lineSpacing() * 2)
        form.addRow("Compatibility", self.verdict)
        self.verifier_gpu = OffloadField(choice.verifier_gpu_layers, gpu_offload)
        self.draft_gpu = OffloadField(choice.draft_gpu_layers, gpu_offload)
        form.addRow("Verifier GPU layers", self.verifier_gpu)
        form.addRow("Draft GPU layers", self.draft_gpu)
        if not gpu_offload:
            form.addRow("", _note(CPU_ONLY))
        self._gpu_backend = gpu_offload
        changes = (self.pair_combo.currentIndexChanged, self.use_installed.toggled, self.no_draft.toggled)
        for signal in (*changes, self.verifier.changed, self.draft.changed):
            signal.connect(self.show_offload)
        self.n_ctx = _spin(512, 131072, choice.n_ctx, 512)
        self.n_ctx.setSuffix(" tokens")
        self.n_threads = _spin(1, max(64, os.cpu_count() or 1), choice.n_threads)
        form.addRow("Context size", self.n_ctx)
        form.addRow("CPU threads", self.n_threads)

        names = [p[0] for p in self._pairs]
        if choice.pair and choice.pair in names:
            self.use_installed.setChecked(True)
            self.pair_combo.setCurrentIndex(names.index(choice.pair))
        else:
            self.use_files.setChecked(True)
        self.verifier.edit.setText(choice.verifier)
        self.draft.edit.setText(choice.draft)
        self.no_draft.setChecked(not choice.use_draft)
        for signal in (
            self.use_installed.toggled,
            self.pair_combo.currentIndexChanged,
            self.no_draft.toggled,
        ):
            signal.connect(self._source_changed)
        self.verifier.changed.connect(self._source_changed)
        self.draft.changed.connect(self._source_changed)
        self.verifier_combo.chosen.connect(self.verifier.set_path)
        self.drafts.chosen.connect(self.draft.set_path)
        if self._library is None:  # no library to search: the two path fields alone
            form.setRowVisible(self.verifier_combo, False)
            form.setRowVisible(self.drafts, False)
        else:
            self._library.changed.connect(self._library_changed)
            self._library.refresh()
            if self._library.library is not None:
                self.verifier_combo.show_library(self._library.library, choice.verifier)
        return page

    @Slot(object)
    def _library_changed(self, _library: object) -> None:
        if self._library is not None and self._library.library is not None:
            self.verifier_combo.show_library(self._library.library, self.verifier.path())
        self._source_changed()

    def _sampling_tab(self, g: GenerationConfig) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        s = g.sampling
        self._repeat_last_n = s.repeat_last_n  # not in the dialog: kept as it was
        self.temperature = _dspin(0.0, 2.0, s.temperature, 0.05)
        self.temperature.setSpecialValueText("0 (greedy)")
        self.top_p = _dspin(0.0, 1.0, s.top_p, 0.01)
        self.top_k = _spin(0, 1000, s.top_k)
        self.top_k.setSpecialValueText("off")
        self.min_p = _dspin(0.0, 1.0, s.min_p, 0.01)
        self.seed = QLineEdit("" if s.seed is None else str(s.seed))
        self.seed.setPlaceholderText("random")
        self.max_tokens = _spin(1, 32768, g.max_tokens, 64)
        self.repeat_penalty = _dspin(1.0, 3.0, s.repeat_penalty, 0.05)
        self.repeat_penalty.setSpecialValueText("1 (off)")
        self.repeat_penalty.setToolTip(
            f"Makes tokens from the last {s.repeat_last_n} less likely; applied to the verifier and "
            "the draft alike, so speculation stays exact"
        )
        self.stop_strings = QPlainTextEdit(format_stop_strings(g.stop))
        self.stop_strings.setPlaceholderText("One per line; \\n is a line break")
        self.stop_strings.setTabChangesFocus(True)
        self.stop_strings.setFixedHeight(self.stop_strings.fontMetrics().lineSpacing() * 3 + 14)
        form.addRow("Temperature", self.temperature)
        form.addRow("Top-p", self.top_p)
        form.addRow("Top-k", self.top_k)
        form.addRow("Min-p", self.min_p)
        form.addRow("Seed", self.seed)
        form.addRow("Max tokens per reply", self.max_tokens)
        form.addRow("Repeat penalty", self.repeat_penalty)
        form.addRow("Stop strings", self.stop_strings)
        form.addRow(
            "",
            _note(
                "At temperature 0 the verifier keeps a draft token only when it is its own first choice; "
                "above 0, speculative sampling keeps the verifier's distribution exactly."
            ),
        )
        return page

    def _drafting_tab(self, g: GenerationConfig) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.mode = QComboBox()
        for mode, text in MODES:
            self.mode.addItem(text, mode)
        self.mode.setCurrentIndex([m for m, _ in MODES].index(g.draft.mode))
        self.mode.setAccessibleName("Mode")
        form.addRow("Mode", self.mode)
        form.addRow("", _note(MODE_NOTE))
        self.ngram = QCheckBox("Prompt lookup (n-gram) drafting")
        self.ngram.setChecked(g.draft.ngram)
        self.ngram.setToolTip(NGRAM_NOTE)
        form.addRow("", self.ngram)
        form.addRow("", _note(NGRAM_NOTE))
        self.suffix = QCheckBox("Suffix drafting")
        self.suffix.setChecked(g.draft.suffix)
        self.suffix.setToolTip(SUFFIX_NOTE)
        form.addRow("", self.suffix)
        self.draft_max = _spin(0, 32, g.draft.draft_max)
        self.draft_max.setSpecialValueText("0 (plain decoding)")
        self.p_min = _dspin(0.0, 1.0, g.draft.p_min, 0.05)
        self.adaptive = QCheckBox("Adapt the draft length to recent acceptance")
        self.adaptive.setChecked(g.draft.policy is DraftPolicy.ADAPTIVE)
        form.addRow("Draft tokens per step", self.draft_max)
        form.addRow("Stop drafting below p", self.p_min)
        form.addRow("", self.adaptive)
        form.addRow(
            "",
            _note(
                "The draft proposes up to this many tokens each step; the verifier checks them in one "
                "batch. Drafting stops early when the draft's confidence falls below p."
            ),
        )
        return page

    # -- verdict ------------------------------------------------------------------------

    def files(self) -> tuple[str, str] | None:
        """(verifier, draft) as chosen now; None when a catalog pair is not installed."""
        if self.use_installed.isChecked():
            name = self.pair_combo.currentData()
            try:
                return PairChoice(pair=name).files()
            except TandemError:
                return None
        return self.verifier.path(), self.draft.path()

    @Slot()
    def _source_changed(self) -> None:
        files_mode = self.use_files.isChecked()
        for w in (self.verifier, self.draft, self.no_draft, self.verifier_combo, self.drafts):
            w.setEnabled(files_mode)
        self.pair_combo.setEnabled(not files_mode)
        self._show_drafts(files_mode)
        files = self.files()
        if files is None:
            self._show("warning", "This pair is not installed: run <code>tandem models fetch</code> first.")
        elif not files[0] or not Path(files[0]).is_file():
            self._show("warning", "Choose the verifier model file.")
        elif not self._wants_draft():
            self._show("ok", "No draft: every token comes from the verifier (plain decoding).")
        elif not files[1] or not Path(files[1]).is_file():
            self._show("warning", "Choose the draft model file, or tick “No draft”.")
        else:
            self._checked = files
            self._show("busy", "Checking the two vocabularies…")
            self.check_requested.emit(files[0], files[1])
            return
        self._update_load()

    def _show_drafts(self, files_mode: bool) -> None:
        """The drafts found for the verifier in the path field (the library is scanned meanwhile)."""
        self.verifier_combo.match(self.verifier.path())
        if self._library is not None and files_mode:
            self.drafts.show_for(self.verifier.path(), self._library.library, self.draft.path())

    @Slot()
    def show_offload(self) -> None:
        """What "Auto" offloads of the models chosen now, and why (GPU rows)."""
        files = self.files()
        if files is None or not files[0]:
            self.verifier_gpu.show_choice(None)
            self.draft_gpu.show_choice(None)
            return
        draft = (self.draft_gpu.value(), files[1]) if self._wants_draft() and files[1] else None
        v, d = auto_choices((self.verifier_gpu.value(), files[0]), draft, self._gpu_backend)
        self.verifier_gpu.show_choice(v)
        self.draft_gpu.show_choice(d)

    def _wants_draft(self) -> bool:
        return self.use_installed.isChecked() or not self.no_draft.isChecked()

    @Slot(object)
    def show_verdict(self, result: CheckResult) -> None:
        """The worker's answer; ignored when the choice changed since the question."""
        if self._checked != (result.verifier, result.draft):
            return
        if result.error:
            self._show("bad", f"Could not read the files: {html.escape(result.error)}")
        elif result.ok:
            self._show("ok", "Compatible: the draft can serve this verifier.")
        else:
            self._show(
                "bad",
                f"<b>Incompatible draft</b> (rule: {html.escape(result.rule)}): "
                f"{html.escape(result.detail)}. "
                "Choose another draft, or tick “No draft”.",
            )
        self._update_load()

    def _show(self, kind: str, text: str) -> None:
        mark = {"ok": "✓ ", "bad": "✗ ", "warning": "", "busy": ""}[kind]
        colour = {"ok": "#2e8b57", "bad": "#d1453b"}.get(kind)
        style = f" style='color:{colour}'" if colour else ""
        self.verdict.setText(f"<span{style}>{mark}</span>{text}")
        self._kind = kind

    def _update_load(self) -> None:
        self.load_button.setEnabled(self._kind == "ok")

    # -- result -------------------------------------------------------------------------

    def result_value(self) -> PairDialogResult:
        installed = self.use_installed.isChecked()
        choice = PairChoice(
            pair=self.pair_combo.currentData() if installed else None,
            verifier="" if installed else self.verifier.path(),
            draft="" if installed else self.draft.path(),
            use_draft=self._wants_draft(),
            verifier_gpu_layers=self.verifier_gpu.value(),
            draft_gpu_layers=self.draft_gpu.value(),
            n_ctx=self.n_ctx.value(),
            n_threads=self.n_threads.value(),
        )
        seed = self.seed.text().strip()
        generation = GenerationConfig(
            max_tokens=self.max_tokens.value(),
            sampling=SamplingConfig(
                temperature=self.temperature.value(),
                top_k=self.top_k.value(),
                top_p=self.top_p.value(),
                min_p=self.min_p.value(),
                seed=int(seed) if seed.lstrip("-").isdigit() else None,
                repeat_penalty=self.repeat_penalty.value(),
                repeat_last_n=self._repeat_last_n,
            ),
            stop=parse_stop_strings(self.stop_strings.toPlainText()),
            draft=DraftConfig(
                draft_max=self.draft_max.value(),
                p_min=self.p_min.value(),
                policy=DraftPolicy.ADAPTIVE if self.adaptive.isChecked() else DraftPolicy.FIXED,
                mode=self.mode.currentData(),
                ngram=self.ngram.isChecked(),
                suffix=self.suffix.isChecked(),
            ),
        )
        return PairDialogResult(choice, generation)
