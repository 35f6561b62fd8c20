"""The one worker: lives on its own QThread and owns the model pair.

Every slot runs on the worker thread; results leave as signals with immutable payloads.
Loading, checking and fetching are injectable so tests run with scripted fake models.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop.engine.calibration import Drift, DriftCheck, DriftMeter, implausible
from desktop.engine.compat import Compatibility
from desktop.engine.errors import Cancelled, TandemError
from desktop.engine.events import FinishReason, GenerationStats
from desktop.engine.pair import LoadProgressCallback, ModelPair, PairConfig
from desktop.models.paths import calibration_file
from desktop.qt.history_feed import HistoryFeed
from desktop.qt.payloads import (
    MEASURING,
    BaselineDrift,
    CheckRequest,
    CheckResult,
    Failure,
    FailureKind,
    FetchProgress,
    FetchRequest,
    GenerateRequest,
    LoadProgressed,
    LoadRequest,
    PairInfo,
    ReplyFailed,
    ReplyFinished,
    ReplyStarted,
    StepReady,
)

Loader = Callable[[PairConfig, LoadProgressCallback, threading.Event], ModelPair]
Checker = Callable[[str, str], Compatibility]
FetchCallback = Callable[[str, int, int], None]
Fetcher = Callable[[str, FetchCallback], tuple[Path, Path]]


def llama_loader(cfg: PairConfig, progress: LoadProgressCallback, cancel: threading.Event) -> ModelPair:
    """Load with llama.cpp (imported here, so fake-model tests never need it)."""
    from desktop.engine.llamacpp import LlamaBackend

    return ModelPair.load(LlamaBackend(), cfg, progress, cancel)


def llama_checker(verifier: str, draft: str) -> Compatibility:
    from desktop.engine.llamacpp import LlamaBackend
    from desktop.engine.pair import check_files

    return check_files(LlamaBackend(), verifier, draft)


def catalog_fetcher(name: str, progress: FetchCallback) -> tuple[Path, Path]:
    from desktop.models.fetch import fetch_pair

    return fetch_pair(name, progress)


def _news(check: DriftCheck, said: DriftCheck | None) -> bool:
    """Worth telling the window: the first verdict (until then it cannot tell a busy machine
    from slow drafting), a new verdict, or a busy machine's ratio moved by a tenth."""
    if said is None:
        return True
    moved = check.drift is Drift.BUSY and abs(check.ratio - said.ratio) >= 0.1
    return check.drift is not said.drift or moved


class FetchCancelled(TandemError):
    """The window closed while a fetch was running."""


def _close(pair: ModelPair | None) -> None:
    if pair is None:
        return
    for model in (pair.verifier, pair.draft):
        close = getattr(model, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()


class PairWorker(QObject):
    """Loads, checks, fetches and generates, one request at a time, off the GUI thread."""

    load_progressed = Signal(object)  # LoadProgressed
    models_loaded = Signal(object)  # PairInfo
    load_failed = Signal(object)  # Failure
    load_cancelled = Signal()  # the request's cancel was set: nothing is loaded, nothing failed
    generation_started = Signal(object)  # ReplyStarted
    step_ready = Signal(object)  # StepReady
    generation_finished = Signal(object)  # ReplyFinished
    generation_failed = Signal(object)  # ReplyFailed
    files_checked = Signal(object)  # CheckResult
    fetch_progressed = Signal(object)  # FetchProgress
    fetch_finished = Signal(str)  # pair name
    fetch_failed = Signal(object)  # Failure
    baseline_measured = Signal(float)  # the verifier-alone tokens/s, measured again; 0 when unknown
    baseline_drifted = Signal(object)  # BaselineDrift, when a reply's batches leave the calibration

    def __init__(
        self,
        loader: Loader = llama_loader,
        checker: Checker = llama_checker,
        fetcher: Fetcher = catalog_fetcher,
        calibration: Callable[[], Path | None] = calibration_file,
        history: HistoryFeed | None = None,
    ) -> None:
        super().__init__()
        self._loader = loader
        self._checker = checker
        self._fetcher = fetcher
        self._calibration = calibration  # where measured costs are cached; None: measure each time
        self.pair: ModelPair | None = None
        self._history = history or HistoryFeed()  # past replies, read only when a reply opts in

    @Slot(object)
    def load(self, request: LoadRequest) -> None:
        """Replace the loaded pair (the old one is freed first, to keep memory bounded)."""
        _close(self.pair)
        self.pair = None
        self._history.forget()
        if request.cancel.is_set():  # cancelled while it waited in the queue
            self.load_cancelled.emit()
            return
        shown = -1.0

        def progress(which: str, fraction: float) -> None:
            nonlocal shown
            if fraction - shown >= 0.02 or fraction >= 1.0:  # llama.cpp reports very often
                shown = fraction
                self.load_progressed.emit(LoadProgressed(which, fraction))

        try:
            pair = self._loader(request.config, progress, request.cancel)
        except Cancelled:
            self.load_cancelled.emit()
            return
        except Exception as exc:
            self.load_failed.emit(Failure.from_exception(exc, FailureKind.LOAD))
            return
        self.load_progressed.emit(LoadProgressed(MEASURING, 0.0))
        baseline = self._measure(pair)
        if request.cancel.is_set():  # the window closed while this machine was being measured
            _close(pair)
            self.load_cancelled.emit()
            return
        self.pair = pair
        cfg = request.config
        draft = Path(cfg.draft.path).name if cfg.draft else None
        n_ctx = min(cfg.verifier.n_ctx, cfg.draft.n_ctx) if cfg.draft else cfg.verifier.n_ctx
        info = PairInfo(request.label, Path(cfg.verifier.path).name, draft, baseline, n_ctx)
        self.models_loaded.emit(info)

    def _measure(self, pair: ModelPair, refresh: bool = False) -> float:
        """The verifier-alone tokens/s from the pair's calibration (cached after the first time);
        0 when it cannot be measured or believed: the pair still works, the window just shows
        no speed-up.
        """
        try:
            costs = pair.calibrate(self._calibration(), refresh)
        except Exception:
            return 0.0
        return 0.0 if implausible(costs) else 1.0 / costs.verify(1)

    @Slot()
    def remeasure(self) -> None:
        """Time the loaded verifier again, replacing the cached calibration ("Measure again")."""
        pair = self.pair
        self.baseline_measured.emit(self._measure(pair, refresh=True) if pair is not None else 0.0)

    @Slot(object)
    def generate(self, request: GenerateRequest) -> None:
        """Stream one reply as `step_ready` signals; always ends with finished or failed."""
        rid = request.reply_id
        pair = self.pair
        if pair is None:
            failure = Failure(FailureKind.GENERATION, "no model pair is loaded")
            self.generation_failed.emit(ReplyFailed(rid, failure))
            return

        generation = None
        costs = pair.decoder.costs
        meter = DriftMeter(costs) if costs is not None and not implausible(costs) else None
        said: DriftCheck | None = None  # what the window was last told
        try:
            history = self._history.for_reply(pair.verifier, request.messages, request.config)
            prompt, generation = pair.reply(
                request.messages, request.config, request.cancel, request.continuing, history
            )
            self.generation_started.emit(ReplyStarted(rid, len(prompt.tokens), prompt.dropped_turns))
            for event in generation:
                self.step_ready.emit(StepReady(rid, event, generation.stats))
                if meter is not None:
                    t = event.timings
                    meter.observe(len(event.drafted) + 1, t.verify_s, t.draft_tokens, t.draft_s)
                    check = meter.check()
                    if check is not None and _news(check, said):
                        said = check
                        self.baseline_drifted.emit(BaselineDrift(rid, check))
        except Cancelled:  # Stop while the prompt was being read
            stats = generation.stats if generation is not None else GenerationStats()
            self.generation_finished.emit(ReplyFinished(rid, FinishReason.CANCELLED, stats))
            return
        except Exception as exc:
            self.generation_failed.emit(ReplyFailed(rid, Failure.from_exception(exc, FailureKind.GENERATION)))
            return
        reason = generation.finish_reason or FinishReason.STOP
        self.generation_finished.emit(ReplyFinished(rid, reason, generation.stats))

    @Slot(object)
    def check(self, request: CheckRequest) -> None:
        """The compatibility verdict for two files, from their vocabularies alone."""
        try:
            verdict = self._checker(request.verifier, request.draft)
        except Exception as exc:
            self.files_checked.emit(CheckResult(request.verifier, request.draft, False, error=str(exc)))
            return
        self.files_checked.emit(
            CheckResult(request.verifier, request.draft, verdict.ok, verdict.rule, verdict.detail)
        )

    @Slot(object)
    def fetch(self, request: FetchRequest) -> None:
        """Download and verify a catalog pair; cancelling raises out of the progress hook."""
        last: tuple[str, int] = ("", -1)

        def progress(label: str, done: int, total: int) -> None:
            nonlocal last
            if request.cancel.is_set():
                raise FetchCancelled("the fetch was cancelled")
            pct = int(100 * done / total) if total else -1
            if (label, pct) != last:
                last = (label, pct)
                self.fetch_progressed.emit(FetchProgress(label, done, total))

        try:
            self._fetcher(request.pair, progress)
        except Exception as exc:
            self.fetch_failed.emit(Failure.from_exception(exc, FailureKind.FETCH))
            return
        self.fetch_finished.emit(request.pair)

    @Slot()
    def unload(self) -> None:
        _close(self.pair)
        self.pair = None
