"""Starting the window: `tandem` opens it; `tandem --screenshot` drives it offscreen and saves a PNG.

One window per data folder: a second `tandem` raises the first and exits 0. Screenshot mode
keeps no history (an in-memory store) and takes no lock, so it runs beside an open window.
Ctrl-C (exit 130) and SIGTERM (exit 0) close the window as its close button does.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace

from PySide6.QtCore import QCoreApplication, QObject, QSize, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from desktop.engine.errors import TandemError
from desktop.qt.collector import GuiThreadCollector
from desktop.qt.controller import ChatController
from desktop.qt.payloads import Failure, PairInfo, ReplyFinished
from desktop.qt.stall import StallProbe
from desktop.qt.worker import PairWorker
from desktop.store.db import Store, default_path
from desktop.store.recovery import Opened, open_store
from desktop.store.writes import cause
from desktop.ui.about import app_icon
from desktop.ui.instance import SingleInstance
from desktop.ui.interrupts import Interrupts
from desktop.ui.preferences import PairChoice, Preferences
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow

ALREADY_RUNNING = "Tandem is already running; switched to its window"

SCREENSHOT_TIMEOUT_MS = 15 * 60 * 1000


@dataclass(frozen=True, slots=True)
class Launch:
    """How the window was asked to start."""

    pair: str | None = None  # a catalog pair to load instead of the saved choice
    screenshot: str | None = None  # save a PNG here after replying to `prompt`, then exit
    prompt: str = ""


def gpu_offload() -> bool:
    try:
        from desktop.engine.llamacpp import supports_gpu_offload
    except ImportError:
        return False
    return supports_gpu_offload()


def default_size(window: QWidget, width: int = 1280, height: int = 820) -> QSize:
    """A first window that leaves room on the screen: at most 92% of the available area (a
    1366x768 laptop would otherwise get a window taller than its screen, frame and all)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(width, height)
    area = screen.availableGeometry()
    return QSize(min(width, int(area.width() * 0.92)), min(height, int(area.height() * 0.92)))


def initial_choice(prefs: Preferences, launch: Launch) -> PairChoice | None:
    """The pair to load at start: the one asked for, the saved one, or any installed pair."""
    from desktop.models.listing import installed_pairs

    if launch.pair:
        return replace(prefs.choice, pair=launch.pair, use_draft=True)
    try:
        prefs.choice.files()
        if prefs.choice.pair or os.path.isfile(prefs.choice.verifier):
            return prefs.choice
    except TandemError:
        pass
    installed = installed_pairs()
    return replace(prefs.choice, pair=installed[0]) if installed else None


class Screenshot(QObject):
    """Sends the prompt once the pair is loaded, saves the window when the reply ends, quits."""

    def __init__(self, window: MainWindow, path: str, prompt: str, probe: StallProbe) -> None:
        super().__init__(window)
        self.window, self.path, self.prompt, self.probe = window, path, prompt, probe
        self.status = 1
        c = window.controller
        c.pair_loaded.connect(self._on_loaded)
        c.reply_finished.connect(self._on_finished)
        c.failed.connect(self._on_failed)

    @Slot(object)
    def _on_loaded(self, info: PairInfo) -> None:
        self.window.composer.edit.setPlainText(self.prompt)
        self.window.composer.send.click()

    @Slot(object)
    def _on_finished(self, finished: ReplyFinished) -> None:
        QTimer.singleShot(50, self._save)  # let the final Markdown layout settle

    @Slot()
    def _save(self) -> None:
        if not self.window.grab().save(self.path, "PNG"):
            print(f"tandem: could not write {self.path}", file=sys.stderr)
        else:
            print(
                f"saved {self.path}; longest event-loop stall {self.probe.worst_ms:.0f} ms", file=sys.stderr
            )
            self.status = 0
        QApplication.quit()

    @Slot(object)
    def _on_failed(self, failure: Failure) -> None:
        print(f"tandem: {failure.message}", file=sys.stderr)
        self.status = 1
        QApplication.quit()


def _start(window: MainWindow, controller: ChatController, choice: PairChoice | None, launch: Launch) -> bool:
    """Load the first pair, or show the first-start screen; False when a screenshot cannot be made."""
    if choice is None:
        if launch.screenshot:
            print("tandem: no model pair is installed; run: tandem models fetch tiny", file=sys.stderr)
            return False
        from desktop.models.recommend import this_machine

        # llama.cpp's backends were loaded at startup (gpu_offload), so this reads a cached answer.
        window.first_start.set_machine(this_machine())
        window.show_first_start(True)
        return True
    if not launch.screenshot:
        window.load(choice)
        return True
    try:
        controller.load_pair(choice.request())
    except TandemError as e:
        print(f"tandem: {e}", file=sys.stderr)
        return False
    return True


def run(launch: Launch) -> int:
    """Open the window (or take a screenshot); returns the exit status."""
    if launch.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tandem")
    QApplication.setDesktopFileName("io.github.tandem.Tandem")  # the .desktop entry: docks show its icon
    QApplication.setWindowIcon(app_icon())
    interrupts = Interrupts()  # first: a Ctrl-C while starting still ends cleanly
    collector = GuiThreadCollector()
    instance = None if launch.screenshot else SingleInstance(default_path().parent)
    try:
        if instance is not None and not instance.acquire():
            answered = instance.notify_running()
            print(ALREADY_RUNNING if answered else "Tandem is already running (its window did not answer)")
            return 0
        return _run(app, launch, interrupts, instance)
    finally:
        if instance is not None:
            instance.release()
        interrupts.restore()
        collector.stop()


def _run(
    app: QCoreApplication, launch: Launch, interrupts: Interrupts, instance: SingleInstance | None
) -> int:
    """The window's life once this launch may own the data folder."""
    settings = Settings()
    prefs = default_preferences() if launch.screenshot else settings.load()
    opened = Opened(Store(":memory:")) if launch.screenshot else open_store(default_path())
    store = opened.store
    store.purge_deleted()
    controller = ChatController(store, PairWorker())
    controller.generation = prefs.generation
    window = MainWindow(controller, settings, prefs, gpu_offload())
    notices = [n for n in (opened.notice, settings.reset_notice()) if n]
    for notice in notices:
        print(f"tandem: {notice}", file=sys.stderr)
    if notices:
        window.show_notice(" ".join(notices))
    interrupts.received.connect(window.close)
    interrupts.received.connect(app.quit)  # even with a dialog open
    if instance is not None:
        instance.raise_requested.connect(window.bring_to_front)
    probe = StallProbe()
    shot = Screenshot(window, launch.screenshot, launch.prompt, probe) if launch.screenshot else None
    if launch.screenshot:
        window.resize(1320, 860)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, app.quit)
    else:
        geometry = settings.geometry()
        if geometry is None or not window.restoreGeometry(geometry):
            window.resize(default_size(window))
        splitter = settings.splitter()
        if splitter is not None:
            window.splitter.restoreState(splitter)
        window.fit_to_screen()
        window.open_latest()
    window.show()
    if not launch.screenshot:  # the window manager's frame is known only once shown
        QTimer.singleShot(0, window.fit_to_screen)
    try:
        if not _start(window, controller, initial_choice(prefs, launch), launch):
            return 1
        probe.start()
        app.exec()
    finally:
        controller.shutdown()
        if store.unsaved and store.error is not None:
            print(
                f"tandem: {store.unsaved} changes could not be saved: {cause(store.error)}", file=sys.stderr
            )
        store.close()
    status = interrupts.exit_status()
    if status is not None:
        return status
    return shot.status if shot else 0
