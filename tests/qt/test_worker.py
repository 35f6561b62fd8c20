"""The worker on its thread: signals in order, typed failures, compatibility checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThread, Signal
from pytestqt.qtbot import QtBot

from desktop.engine.chat import Message
from desktop.engine.compat import Compatibility
from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.costmodel import Costs
from desktop.engine.errors import DecodeError, ModelLoadError
from desktop.engine.events import FinishReason, Source
from desktop.qt.payloads import MEASURING, CheckRequest, FailureKind, GenerateRequest, LoadRequest
from desktop.qt.worker import PairWorker
from tests.qtfakes import FAKE_CONFIG, CalibratedPair, FakeLoader, ok_checker


class Requests(QObject):
    """The GUI side of the connections, as the controller has them."""

    load_requested = Signal(object)
    generate_requested = Signal(object)


class Relay(QObject):
    """Receives the worker's signals on the GUI thread (queued), where qtbot can watch them."""

    load_progressed = Signal(object)
    models_loaded = Signal(object)
    generation_started = Signal(object)
    step_ready = Signal(object)
    generation_finished = Signal(object)
    generation_failed = Signal(object)

    def __init__(self, worker: PairWorker) -> None:
        super().__init__()
        for name in (
            "load_progressed",
            "models_loaded",
            "generation_started",
            "step_ready",
            "generation_finished",
            "generation_failed",
        ):
            getattr(worker, name).connect(getattr(self, name))  # signal to signal: queued to this thread


@pytest.fixture
def threaded() -> Iterator[tuple[Relay, Requests]]:
    thread = QThread()
    worker = PairWorker(loader=FakeLoader(), checker=ok_checker)
    worker.moveToThread(thread)  # before any connection
    requests = Requests()
    requests.load_requested.connect(worker.load)
    requests.generate_requested.connect(worker.generate)
    relay = Relay(worker)
    thread.start()
    yield relay, requests
    thread.quit()
    thread.wait()


def test_load_then_generate_signals_arrive_in_order(qtbot: QtBot, threaded) -> None:  # type: ignore[no-untyped-def]
    worker, requests = threaded
    loading = [worker.load_progressed] * 4 + [worker.models_loaded]
    stages: list[str] = []
    worker.load_progressed.connect(lambda p: stages.append(p.which))  # on this thread, via the relay
    with qtbot.waitSignals(loading, order="strict", timeout=5000):
        requests.load_requested.emit(LoadRequest(FAKE_CONFIG, "fake"))
    assert stages == ["verifier", "verifier", "draft", MEASURING]  # measured after both loaded

    # Same-model pair: every drafted token is accepted, 15 tokens in all. The first token comes
    # from the verifier alone (the draft's prefill never stands in front of it).
    cfg = GenerationConfig(max_tokens=15, draft=DraftConfig(draft_max=4))
    payloads: list[object] = []
    for signal in (worker.generation_started, worker.step_ready, worker.generation_finished):
        signal.connect(payloads.append)  # the relay emits on this (the GUI) thread
    with qtbot.waitSignal(worker.generation_finished, timeout=5000):
        requests.generate_requested.emit(GenerateRequest(1, (Message("user", "abc"),), cfg))
    started, steps, finished = payloads[0], payloads[1:-1], payloads[-1]
    assert started.reply_id == finished.reply_id == 1
    assert [s.step.index for s in steps] == list(range(len(steps)))
    assert steps[-1].stats.tokens == 15 and len(steps) <= 5
    for s in steps:
        *drafted, last = s.step.pieces
        assert all(t.source is Source.ACCEPTED for t in drafted)
        assert last.source is Source.VERIFIER
    assert max(len(s.step.pieces) for s in steps) == 5  # a full draft of 4, plus the verifier's
    assert finished.finish_reason is FinishReason.LENGTH
    assert finished.stats.tokens == 15


def test_generating_without_a_pair_fails_with_a_typed_error(qtbot: QtBot, threaded) -> None:  # type: ignore[no-untyped-def]
    worker, requests = threaded
    with qtbot.waitSignal(worker.generation_failed, timeout=5000) as blocker:  # via the relay
        requests.generate_requested.emit(GenerateRequest(7, (Message("user", "x"),), GenerationConfig()))
    failed = blocker.args[0]
    assert failed.reply_id == 7
    assert failed.failure.kind is FailureKind.GENERATION


def test_a_load_error_becomes_a_load_failure(qtbot: QtBot) -> None:
    def broken(cfg, progress, cancel):  # type: ignore[no-untyped-def]
        raise ModelLoadError("model file not found: nope.gguf")

    worker = PairWorker(loader=broken)
    with qtbot.waitSignal(worker.load_failed, timeout=1000) as blocker:
        worker.load(LoadRequest(FAKE_CONFIG, "x"))
    assert blocker.args[0].kind is FailureKind.LOAD
    assert "nope.gguf" in blocker.args[0].message


def test_check_reports_the_rule(qtbot: QtBot) -> None:
    worker = PairWorker(checker=lambda v, d: Compatibility(False, "same vocabulary type", "BPE vs SPM"))
    with qtbot.waitSignal(worker.files_checked, timeout=1000) as blocker:
        worker.check(CheckRequest("v.gguf", "d.gguf"))
    result = blocker.args[0]
    assert (result.ok, result.rule, result.detail) == (False, "same vocabulary type", "BPE vs SPM")


def test_after_loading_the_worker_sends_the_verifier_alone_speed(qtbot: QtBot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    loader = FakeLoader(costs=Costs((0.025, 0.03, 0.035)))
    worker = PairWorker(loader=loader, calibration=lambda: tmp_path / "calibration.json")
    with qtbot.waitSignal(worker.models_loaded, timeout=1000) as blocker:
        worker.load(LoadRequest(FAKE_CONFIG, "fake"))
    assert blocker.args[0].verifier_alone_tps == pytest.approx(40.0)  # 1 / verify(1)
    pair = loader.pairs[-1]
    assert isinstance(pair, CalibratedPair)
    assert pair.cache_files == [tmp_path / "calibration.json"]  # cached per models, build, machine
    assert worker.pair is pair and pair.decoder.costs == loader.costs  # Fastest mode can use them


def test_a_failed_calibration_still_loads_the_pair(qtbot: QtBot) -> None:
    worker = PairWorker(loader=FakeLoader(costs=DecodeError("no memory for a batch of 9")))
    with qtbot.waitSignal(worker.models_loaded, timeout=1000) as blocker:
        worker.load(LoadRequest(FAKE_CONFIG, "fake"))
    assert blocker.args[0].verifier_alone_tps == 0.0  # unknown: the window shows no speed-up
    assert worker.pair is not None


def test_a_cancelled_load_says_cancelled_not_failed(qtbot: QtBot) -> None:
    worker = PairWorker(loader=FakeLoader())
    request = LoadRequest(FAKE_CONFIG, "fake")
    request.cancel.set()  # the window closed while the request waited in the queue
    with qtbot.assertNotEmitted(worker.load_failed), qtbot.waitSignal(worker.load_cancelled, timeout=1000):
        worker.load(request)
    assert worker.pair is None
