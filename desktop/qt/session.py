"""The model pair's session: the worker's thread, the loaded pair, and the window's state.

Lives on the GUI thread. It owns the worker's QThread (the worker is moved there before any
connection) and turns load, check, fetch, measure and generate calls into `*_requested`
signals. Progress the window only shows (loading, fetching, a compatibility verdict) comes
straight from the worker's own signals; this object says only what changes its state.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop.engine.config import GenerationConfig
from desktop.qt.payloads import CheckRequest, Failure, FetchRequest, GenerateRequest, LoadRequest, PairInfo
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker


class PairSession(QObject):
    """Loads, fetches and measures the model pair, and runs replies on it; never blocks."""

    # In: to the worker.
    load_requested = Signal(object)
    generate_requested = Signal(object)
    check_requested = Signal(object)
    fetch_requested = Signal(object)
    unload_requested = Signal()
    measure_requested = Signal()
    # Out: what changed the session.
    state_changed = Signal(object)  # UiState
    pair_loaded = Signal(object)  # PairInfo
    failed = Signal(object)  # Failure of a load or a fetch, shown in a banner
    fetch_finished = Signal(str)
    baseline_changed = Signal(object)  # PairInfo with the verifier-alone speed measured again

    def __init__(self, worker: PairWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = GenerationConfig()  # what the next reply runs with
        self.pair: PairInfo | None = None
        self.state = UiState.EMPTY
        self._load: LoadRequest | None = None
        self._fetch: FetchRequest | None = None
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("tandem-worker")
        self.worker = worker
        worker.moveToThread(self.worker_thread)  # before any connection
        self.load_requested.connect(worker.load)
        self.generate_requested.connect(worker.generate)
        self.check_requested.connect(worker.check)
        self.fetch_requested.connect(worker.fetch)
        self.unload_requested.connect(worker.unload)
        self.measure_requested.connect(worker.remeasure)
        worker.models_loaded.connect(self._on_models_loaded)
        worker.load_failed.connect(self._on_load_failed)
        worker.load_cancelled.connect(self._on_load_cancelled)
        worker.fetch_finished.connect(self._on_fetch_finished)
        worker.fetch_failed.connect(self._on_fetch_failed)
        worker.baseline_measured.connect(self._on_baseline_measured)
        self.worker_thread.start()

    def set_state(self, state: UiState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state)

    def shutdown(self) -> None:
        """Cancel a load or fetch, end the worker's thread, and free the models."""
        self.cancel_load()
        if self._fetch is not None:
            self._fetch.cancel.set()
        self.worker_thread.quit()
        self.worker_thread.wait()
        self.worker.unload()  # its thread has ended, so calling it here is safe

    def load_pair(self, request: LoadRequest) -> bool:
        """Load a pair in the background; False when a load, fetch or measurement is running.
        Whoever streams a reply stops it first."""
        if not self.state.can_change_pair:
            return False
        self.pair = None
        self._load = request
        self.set_state(UiState.LOADING)
        self.load_requested.emit(request)
        return True

    def cancel_load(self) -> None:
        """Abort a load in progress (the window is closing); the worker answers `load_cancelled`."""
        if self._load is not None:
            self._load.cancel.set()

    def check_files(self, verifier: str, draft: str) -> None:
        """Ask for a compatibility verdict; it arrives as the worker's `files_checked`."""
        self.check_requested.emit(CheckRequest(verifier, draft))

    def fetch_pair(self, name: str) -> None:
        """Download a catalog pair; progress arrives as the worker's `fetch_progressed`."""
        if not self.state.can_change_pair or self.state.busy:
            return
        self._fetch = FetchRequest(name)
        self.set_state(UiState.FETCHING)
        self.fetch_requested.emit(self._fetch)

    def measure_again(self) -> bool:
        """Time the verifier again for the speed-up's baseline; False unless idle with a pair."""
        if self.pair is None or not self.state.can_send:
            return False
        self.set_state(UiState.MEASURING)
        self.measure_requested.emit()
        return True

    def generate(self, request: GenerateRequest) -> None:
        """Run one reply; its steps arrive as the worker's `step_ready`."""
        self.set_state(UiState.GENERATING)
        self.generate_requested.emit(request)

    @Slot(float)
    def _on_baseline_measured(self, tps: float) -> None:
        if self.pair is not None:
            self.pair = replace(self.pair, verifier_alone_tps=tps)
        self.set_state(UiState.IDLE)
        self.baseline_changed.emit(self.pair)

    @Slot(object)
    def _on_models_loaded(self, info: PairInfo) -> None:
        self._load = None
        self.pair = info
        self.set_state(UiState.IDLE)
        self.pair_loaded.emit(info)

    @Slot(object)
    def _on_load_failed(self, failure: Failure) -> None:
        self._load = None
        self.set_state(UiState.ERROR)
        self.failed.emit(failure)

    @Slot()
    def _on_load_cancelled(self) -> None:
        """Not a failure: whoever cancelled it (closing the window) needs no banner."""
        self._load = None
        self.set_state(UiState.EMPTY)

    @Slot(str)
    def _on_fetch_finished(self, name: str) -> None:
        self._fetch = None
        self.set_state(UiState.EMPTY)
        self.fetch_finished.emit(name)

    @Slot(object)
    def _on_fetch_failed(self, failure: Failure) -> None:
        self._fetch = None
        self.set_state(UiState.EMPTY)
        self.failed.emit(failure)
