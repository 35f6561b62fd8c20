"""Immutable payloads that travel between the GUI thread and the worker thread."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field

from desktop.engine.calibration import DriftCheck
from desktop.engine.chat import Message
from desktop.engine.config import GenerationConfig
from desktop.engine.errors import IncompatiblePairError, ModelLoadError, PromptTooLongError, TandemError
from desktop.engine.events import FinishReason, GenerationStats, StepEvent
from desktop.engine.pair import PairConfig


class FailureKind(enum.Enum):
    """What went wrong, so the window can say it in the right place."""

    INCOMPATIBLE = "incompatible"
    LOAD = "load"
    PROMPT_TOO_LONG = "prompt too long"
    GENERATION = "generation"
    FETCH = "fetch"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Failure:
    """A typed error: never shown as text inside a reply."""

    kind: FailureKind
    message: str
    rule: str = ""
    detail: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException, default: FailureKind) -> Failure:
        if isinstance(exc, IncompatiblePairError):
            return cls(FailureKind.INCOMPATIBLE, str(exc), exc.rule, exc.detail)
        if isinstance(exc, PromptTooLongError):
            return cls(FailureKind.PROMPT_TOO_LONG, str(exc))
        if isinstance(exc, ModelLoadError):
            return cls(FailureKind.LOAD, str(exc))
        if isinstance(exc, TandemError):
            return cls(default, str(exc))
        return cls(FailureKind.INTERNAL, f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class LoadRequest:
    """Load a pair; `label` names it in the window (e.g. "default" or a file name).

    Setting `cancel` (from the GUI thread) aborts the load; the worker then says `load_cancelled`.
    """

    config: PairConfig
    label: str
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


MEASURING = "machine"  # the load stage after both models loaded: calibration


@dataclass(frozen=True, slots=True)
class LoadProgressed:
    """How far loading has got: sent by the worker's `load_progressed` (the engine reports it
    through a `LoadProgressCallback`)."""

    which: str  # "verifier", "draft", or MEASURING (fraction 0: no progress to report)
    fraction: float


@dataclass(frozen=True, slots=True)
class PairInfo:
    """What was loaded, and how fast the verifier alone decodes on this machine."""

    label: str
    verifier: str  # file name
    draft: str | None
    verifier_alone_tps: float = 0.0  # 1 / calibrated single-token verifier cost; 0 when unknown
    n_ctx: int = 0  # the context both models share, in tokens (the context meter's full mark)


@dataclass(frozen=True, slots=True)
class BaselineDrift:
    """This reply's verifier batches against the calibrated costs (see `engine.calibration`)."""

    reply_id: int
    check: DriftCheck


@dataclass(frozen=True, slots=True)
class GenerateRequest:
    """Reply to `messages`; setting `cancel` (from the GUI thread) stops within one step.

    `continuing`: the last message is the reply itself, cut at the token limit; extend it.
    """

    reply_id: int
    messages: tuple[Message, ...]
    config: GenerationConfig
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)
    continuing: bool = False


@dataclass(frozen=True, slots=True)
class ReplyStarted:
    reply_id: int
    prompt_tokens: int
    dropped_turns: int


@dataclass(frozen=True, slots=True)
class StepReady:
    reply_id: int
    step: StepEvent  # the engine's own event, as it was yielded
    stats: GenerationStats  # totals including this step


@dataclass(frozen=True, slots=True)
class ReplyFinished:
    reply_id: int
    finish_reason: FinishReason  # one the engine ends a reply with
    stats: GenerationStats


@dataclass(frozen=True, slots=True)
class ReplyFailed:
    reply_id: int
    failure: Failure


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """Is this draft compatible with this verifier? (vocabularies only, nothing loaded)"""

    verifier: str
    draft: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    verifier: str
    draft: str
    ok: bool
    rule: str = ""
    detail: str = ""
    error: str = ""  # a file could not be read at all


@dataclass(frozen=True, slots=True)
class FetchRequest:
    pair: str
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)


@dataclass(frozen=True, slots=True)
class FetchProgress:
    label: str
    done: int
    total: int
