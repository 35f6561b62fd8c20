"""The live numbers of the current reply, and a small chart of accepted tokens per step."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPainter, QPaintEvent, QResizeEvent, QTextDocumentFragment
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from desktop.engine.config import Mode
from desktop.engine.events import GenerationStats, StepEvent
from desktop.ui import speedup
from desktop.ui.elide import ElidedLabel
from desktop.ui.theme import LIGHT, Theme

MAX_BARS = 80
# What a narrow window drops first; what it drops is listed in the strip's tooltip instead.
FOLD_ORDER = ("chart", "counts", "steps", "per_step", "acceptance", "measure")


class AcceptanceChart(QWidget):
    """One bar per step (the most recent ones): accepted draft tokens, out of those drafted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = LIGHT
        self._bars: list[tuple[int, int]] = []  # (accepted, drafted)
        self.setToolTip("Accepted draft tokens per step (the latest steps, newest on the right)")
        self.setAccessibleName("Accepted tokens per step")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(h * 12, int(h * 1.6))

    def set_steps(self, steps: list[StepEvent] | tuple[StepEvent, ...]) -> None:
        self._bars = [(len(s.accepted), len(s.drafted)) for s in steps[-MAX_BARS:]]
        self.update()

    def add(self, step: StepEvent) -> None:
        self._bars.append((len(step.accepted), len(step.drafted)))
        del self._bars[:-MAX_BARS]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        painter.fillRect(0, 0, w, h, QColor(self.theme.base))
        top = max((d for _, d in self._bars), default=0) or 1
        slot = w / MAX_BARS
        bar = max(1.0, slot * 0.7)
        start = w - slot * len(self._bars)
        for i, (accepted, drafted) in enumerate(self._bars):
            x = start + i * slot
            if drafted:
                painter.fillRect(
                    QRectF(x, h - 2 - (h - 4) * drafted / top, bar, 1), QColor(self.theme.border)
                )
            height = (h - 4) * accepted / top
            colour = QColor(self.theme.accepted[1] if accepted else self.theme.verifier[1])
            painter.fillRect(QRectF(x, h - 2 - max(height, 1.5), bar, max(height, 1.5)), colour)
        painter.setPen(QColor(self.theme.border))
        painter.drawRect(0, 0, w - 1, h - 1)
        painter.end()


class StatsStrip(QWidget):
    """tokens/s · speed-up vs the verifier alone (Measure again) · acceptance · tokens per step ·
    steps · drafted/accepted, with the chart. A narrow strip folds the last ones into its tooltip.
    """

    measure_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._layout = layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 6, 14, 6)
        layout.setSpacing(16)
        self.status = ElidedLabel("")
        self.status.setObjectName("muted")
        layout.addWidget(self.status, 1)
        self.theme: Theme = LIGHT
        self._shown: tuple[GenerationStats, float, Mode] = (GenerationStats(), 0.0, Mode.SPECULATIVE)
        self.drift: float | None = None  # this reply's verifier batch times over the calibrated ones
        self._speedup_text = ("", "")  # (long, short) forms of the speed-up label
        self.folded: list[str] = []
        self._widths: dict[str, tuple[int, int]] = {}  # key: (length of its text, width)
        self.numbers: dict[str, QLabel] = {}
        for key, tip in (
            ("speed", "Tokens generated per second of decoding (prompt reading not included)"),
            ("speedup", ""),  # set with the numbers: it explains them
            ("acceptance", "Share of drafted tokens that the verifier accepted"),
            ("per_step", "Tokens added per step: accepted draft tokens plus the verifier's own"),
            ("steps", "Speculative steps so far"),
            ("counts", "Draft tokens proposed and accepted"),
        ):
            label = QLabel("")
            label.setToolTip(tip)
            label.setTextFormat(Qt.TextFormat.RichText)
            self.numbers[key] = label
            layout.addWidget(label)
            if key == "speedup":
                self.measure = QLabel("<a href='measure'>Measure again</a>")
                self.measure.setToolTip("Time the verifier alone again, for a fresh baseline")
                self.measure.setAccessibleName("Measure the verifier again")
                self.measure.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
                self.measure.linkActivated.connect(self.measure_requested)
                layout.addWidget(self.measure)
        self.chart = AcceptanceChart()
        layout.addWidget(self.chart)
        self.measure_action = QAction("Measure the verifier again", self)
        self.measure_action.triggered.connect(self.measure_requested)
        self.addAction(self.measure_action)  # the same as the link, for when the link is folded
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.clear()

    def set_can_measure(self, can: bool) -> None:
        self.measure.setEnabled(can)
        self.measure_action.setEnabled(can)

    def minimumSizeHint(self) -> QSize:
        """Narrow enough for any window: what does not fit is folded, not squeezed."""
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * 24, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._widths.clear()  # measured again: fonts and styles may have changed since
        self._fold()

    def _parts(self) -> dict[str, QWidget]:
        return {**self.numbers, "measure": self.measure, "chart": self.chart}

    def _fold(self) -> None:
        """Show the numbers that fit, most important first; the rest go to the tooltip."""
        parts = self._parts()
        wanted = [k for k, w in parts.items() if w.property("wanted")]
        layout = self._layout
        margins = layout.contentsMargins()
        spacing = layout.spacing()
        status = self.status.minimumSizeHint().width() + spacing
        room = self.width() - margins.left() - margins.right() - status
        long, short = self._speedup_text
        label = self.numbers["speedup"]
        if "speedup" in wanted:
            shown = long
            if label.text() != long:
                label.setText(long)
            if self._width("speedup", label) + self._width("speed", parts["speed"]) + spacing * 2 > room:
                shown = short
            if label.text() != shown:
                label.setText(shown)
        widths = {k: self._width(k, parts[k]) + spacing for k in wanted}
        used = sum(widths.values())
        dropped: list[str] = []
        for key in FOLD_ORDER:
            if used <= room:
                break
            if key in widths:
                dropped.append(key)
                used -= widths[key]
        for key, widget in parts.items():
            visible = key in widths and key not in dropped
            if widget.isVisibleTo(self) != visible:
                widget.setVisible(visible)
        self.folded = [k for k in dropped if k not in ("chart", "measure")]

    def _width(self, key: str, widget: QWidget) -> int:
        """The widget's preferred width, measured again only when its text's length changes
        (laying out rich text each step would cost more than the step's own drawing)."""
        text = widget.text() if isinstance(widget, QLabel) else ""
        cached = self._widths.get(key)
        if cached is None or cached[0] != len(text):
            cached = self._widths[key] = (len(text), widget.sizeHint().width())
        return cached[1]

    def event(self, e: QEvent) -> bool:
        """The tooltip lists the folded numbers, written when it is asked for (not every step)."""
        if e.type() == QEvent.Type.ToolTip:
            html = (self.numbers[k].text() for k in self.folded)
            texts = [QTextDocumentFragment.fromHtml(h).toPlainText() for h in html]
            self.setToolTip("Also: " + " · ".join(texts) if texts else "")
        return super().event(e)

    def _want(self, key: str, wanted: bool) -> None:
        self._parts()[key].setProperty("wanted", wanted)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.chart.theme = theme
        self.chart.update()
        self.show_stats(*self._shown)  # the speed-up's colours come from the theme

    def clear(self) -> None:
        self.show_stats(GenerationStats())
        self.chart.set_steps([])

    def show_stats(
        self, stats: GenerationStats, baseline_tps: float = 0.0, mode: Mode = Mode.SPECULATIVE
    ) -> None:
        """The numbers so far; with the verifier-alone speed, the speed-up against it too."""

        def n(value: str, unit: str) -> str:
            return f"<b>{value}</b> <span style='color:gray'>{unit}</span>"

        if stats.steps == 0:
            self.drift = None  # a new reply: nothing measured against the baseline yet
        self._shown = (stats, baseline_tps, mode)
        has = stats.steps > 0
        self.numbers["speed"].setText(n(f"{stats.tokens_per_s:.1f}" if has else "–", "tok/s"))
        measured = speedup.measure(stats, baseline_tps, self.drift)
        if measured is None and has and baseline_tps <= 0:
            self._show_no_baseline()
        else:
            self._show_speedup(measured, mode)
        self.numbers["acceptance"].setText(n(f"{stats.acceptance:.0%}" if stats.drafted else "–", "accepted"))
        self.numbers["per_step"].setText(n(f"{stats.tokens_per_step:.2f}" if has else "–", "tokens/step"))
        self.numbers["steps"].setText(n(str(stats.steps) if has else "–", "steps"))
        self.numbers["counts"].setText(
            n(f"{stats.accepted}/{stats.drafted}" if has else "–", "accepted/drafted")
        )
        for key in ("speed", "acceptance", "per_step", "steps", "counts", "chart"):
            self._want(key, True)
        self._fold()

    def set_drift(self, ratio: float) -> None:
        """This reply's verifier batches take `ratio` times as long as calibrated."""
        self.drift = ratio
        self.show_stats(*self._shown)

    def rebase(self, baseline_tps: float) -> None:
        """The verifier alone was measured again: the figure divides by the new speed."""
        stats, _, mode = self._shown
        self.drift = 1.0
        self.show_stats(stats, baseline_tps, mode)

    def _show_no_baseline(self) -> None:
        """A reply but no verifier-alone speed to divide by: say so rather than drop the figure."""
        label = self.numbers["speedup"]
        self._want("speedup", True)
        self._want("measure", True)
        text = f"<span style='color:{self.theme.muted}'>no baseline</span>"
        self._speedup_text = (text + " <span style='color:gray'>vs verifier alone</span>", text)
        label.setToolTip(speedup.NO_BASELINE)

    def _show_speedup(self, measured: speedup.Speedup | None, mode: Mode) -> None:
        label = self.numbers["speedup"]
        self._want("speedup", measured is not None)
        self._want("measure", measured is not None)
        if measured is None:
            self._speedup_text = ("", "")
            label.setToolTip("")
            return
        colour = {
            speedup.Verdict.EARLY: self.theme.muted,
            speedup.Verdict.SLOWER: self.theme.rejected,
            speedup.Verdict.EVEN: self.theme.muted,
            speedup.Verdict.FASTER: self.theme.good,
        }[measured.verdict]
        if measured.busy:
            colour = self.theme.warning  # the load, not the drafting, is what is slow
        figure = f"<b style='color:{colour}'>{measured.ratio:.2f}×</b> "
        words = f"<span style='color:{colour}'>· {speedup.words(measured, mode)}</span>"
        self._speedup_text = (
            figure + f"<span style='color:gray'>vs verifier alone</span> {words}",
            figure + (f"<span style='color:{colour}'>· machine busy</span>" if measured.busy else words),
        )
        label.setToolTip(speedup.explain(measured, mode))

    def show_reply(
        self,
        stats: GenerationStats | None,
        steps: tuple[StepEvent, ...],
        baseline_tps: float = 0.0,
        mode: Mode = Mode.SPECULATIVE,
    ) -> None:
        """The numbers of a finished reply (e.g. when a conversation is opened)."""
        self.show_stats(stats or GenerationStats(), baseline_tps, mode)
        self.chart.set_steps(steps)
