"""`python -m tests.reliability.fake_window`: Tandem's real startup (`desktop.ui.app.run`) on a fake pair.

It sends "hi" once the pair is loaded and holds the reply mid-stream, printing "streaming", so
a test can signal it or start a second instance then. The hold ends when the app quits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.engine.config import GenerationConfig
from desktop.models.paths import data_dir
from desktop.qt.worker import PairWorker
from desktop.ui import app as tandem_app
from desktop.ui.preferences import PairChoice
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FakeLoader, Gate, ok_checker

HOLD_AT = 50  # history tokens: a few steps are on screen when the reply stops moving


class AnnouncingGate(Gate):
    """A gate that says on stdout when the reply reached it."""

    def wrap(self, rule: Callable[[Sequence[int]], int]) -> Callable[[Sequence[int]], int]:
        gated = super().wrap(rule)

        def announcing(history: Sequence[int]) -> int:
            if len(history) >= self.at and not self.reached.is_set():
                print("streaming", flush=True)
            return gated(history)

        return announcing


def _send_hi(app: QApplication) -> None:
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))

    def send(*_: object) -> None:
        window.composer.edit.setPlainText("hi")
        window.composer.send.click()

    if window.controller.session.pair is not None:
        send()
    else:
        window.controller.session.pair_loaded.connect(send)


def main() -> int:
    app = QApplication(sys.argv[:1])
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("v.gguf", "d.gguf"):
        (folder / name).write_bytes(b"")  # the fake loader never reads them
    choice = PairChoice(pair=None, verifier=str(folder / "v.gguf"), draft=str(folder / "d.gguf"))
    Settings().save(
        replace(default_preferences(), choice=choice, generation=GenerationConfig(max_tokens=1000))
    )
    gate = AnnouncingGate(at=HOLD_AT)
    app.aboutToQuit.connect(gate.release.set)
    QTimer.singleShot(0, lambda: _send_hi(app))
    worker = PairWorker(loader=FakeLoader(gate=gate), checker=ok_checker)
    tandem_app.PairWorker = lambda: worker  # type: ignore[assignment,misc]  # the app makes its own
    return tandem_app.run(tandem_app.Launch())


if __name__ == "__main__":
    sys.exit(main())
