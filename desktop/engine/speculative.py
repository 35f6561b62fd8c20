"""The speculative loop: draft, verify in one batch, accept, roll back, yield one StepEvent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from desktop.engine.accept import Verdict, exact_match, rejection_sampling
from desktop.engine.cache import CachedModel, common_prefix
from desktop.engine.config import DraftConfig, GenerationConfig, Mode
from desktop.engine.costmodel import CALIBRATION_TRIES, Costs, calibrate
from desktop.engine.detokenizer import StreamingDetokenizer
from desktop.engine.drafters import Drafter, ModelDrafter, NgramDrafter, Proposal
from desktop.engine.errors import Cancelled
from desktop.engine.events import GenerationStats, Piece, Source, StepEvent, StepTimings
from desktop.engine.model import Model
from desktop.engine.sampling import penalize, probabilities
from desktop.engine.schedule import make_schedule
from desktop.engine.suffix import SuffixDrafter
from desktop.engine.suffix_history import SuffixHistory

MAX_DRAFT = 32  # a verifier batch never exceeds this + 1 logits rows (see ModelConfig)


class Decoder:
    """Owns the verifier and (optionally) the draft, with their caches across replies."""

    def __init__(self, verifier: Model, draft: Model | None = None) -> None:
        self.verifier = CachedModel(verifier)
        self.draft = CachedModel(draft) if draft is not None else None
        self.costs: Costs | None = None  # set by calibrate(); the fastest mode needs it

    def calibrate(self, reps: int = CALIBRATION_TRIES) -> Costs:
        """Measure what verifier batches and draft tokens cost on this machine."""
        self.costs = calibrate(self.verifier, self.draft, reps=reps)
        return self.costs

    def drafters(self, cfg: DraftConfig, history: SuffixHistory | None = None) -> list[Drafter]:
        """The drafters a config asks for, model-free ones first. With `cfg.history` and past
        replies, suffix drafting runs (whether or not `cfg.suffix` asks) and reads them too."""
        out: list[Drafter] = []
        if cfg.draft_max <= 0:
            return out
        past = history if cfg.history and history else None
        if cfg.suffix or past is not None:
            out.append(SuffixDrafter(history=past or ()))
        if cfg.ngram:
            out.append(NgramDrafter())
        if cfg.model and self.draft is not None:
            out.append(ModelDrafter(self.draft, cfg.p_min))
        return out

    def generate(
        self,
        prompt: Sequence[int],
        cfg: GenerationConfig,
        cancel: threading.Event | None = None,
        history: SuffixHistory | None = None,
    ) -> Generation:
        """A reply to `prompt`; iterate it for the steps. Nothing runs until then.
        `history`: the user's past replies, read only when `cfg.draft.history` opts in."""
        return Generation(self, list(prompt), cfg, cancel or threading.Event(), history)


def _piece_text(model: Model, token: int) -> str:
    return model.token_bytes(token).decode("utf-8", errors="replace")


class Generation:
    """One reply in progress: an iterator of `StepEvent`s with running `stats`."""

    def __init__(
        self,
        decoder: Decoder,
        prompt: list[int],
        cfg: GenerationConfig,
        cancel: threading.Event,
        history: SuffixHistory | None = None,
    ) -> None:
        if not prompt:
            raise ValueError("the prompt has no tokens")
        self._d = decoder
        self.cfg = cfg
        self.cancel = cancel
        self.tokens = list(prompt)  # prompt + reply, everything decided so far
        self.stats = GenerationStats(prompt_tokens=len(prompt))
        self.text = ""
        self.finish_reason: str | None = None
        self._rng = np.random.default_rng(cfg.sampling.seed)
        self._drafters = decoder.drafters(cfg.draft, history)
        if cfg.draft.mode is Mode.FASTEST and decoder.costs is None:
            decoder.calibrate()
        self.schedule = make_schedule(self._drafters, cfg.draft, decoder.costs)
        self._detok = StreamingDetokenizer(decoder.verifier.model.token_bytes)
        self._max_stop = max((len(s) for s in cfg.stop), default=0)

    def __iter__(self) -> Iterator[StepEvent]:
        try:
            self._prefill()
        except BaseException:
            self._restore()
            raise
        produced = 0
        index = 0
        while self.finish_reason is None:
            if self.cancel.is_set():
                self.finish_reason = "cancelled"
                break
            remaining = self.cfg.max_tokens - produced
            if remaining <= 0:
                self.finish_reason = "length"
                break
            if len(self.tokens) > self._d.verifier.model.n_ctx:
                self.finish_reason = "context"
                break
            # The first token needs only the verifier: no drafter that must first read the
            # prompt stands in front of it.
            limit = self._draft_limit(remaining) if index or not self._lagging() else 0
            step = self._step(index, limit, remaining)
            produced += step.n_tokens
            index += 1
            if step.finish_reason is None and produced >= self.cfg.max_tokens:
                step = replace(step, finish_reason="length")
            self.finish_reason = step.finish_reason
            self.schedule.observe(step)
            self.stats = self.stats.add(step)
            yield step
            if index == 1 and self.finish_reason is None and self.cfg.draft.mode is Mode.SPECULATIVE:
                self._catch_up()

    def _lagging(self) -> bool:
        return any(d.model_backed and d.lag(self.tokens) > 1 for d in self._drafters)

    def _catch_up(self) -> None:
        """After the first token, the speculative mode's draft reads the prompt (counted as
        prefill time, where llama-server counts it too); the fastest mode waits until its
        cost model first picks the draft."""
        t0 = time.perf_counter()
        try:
            for d in self._drafters:
                d.prefill(self.tokens)
        except Cancelled:
            self.finish_reason = "cancelled"
        finally:
            self._restore()
        self.stats = replace(self.stats, prefill_s=self.stats.prefill_s + time.perf_counter() - t0)

    # -- phases -----------------------------------------------------------------------

    def _prefill(self) -> None:
        t0 = time.perf_counter()
        chunk = self.cfg.prefill_chunk
        n = self._d.verifier.prefill(self.tokens[:-1], chunk, self.cancel)
        for d in self._drafters:
            d.begin(self.tokens, chunk, self.cancel)
        self.stats = GenerationStats(
            prompt_tokens=len(self.tokens),
            prefilled_tokens=n,
            prefill_s=time.perf_counter() - t0,
        )

    def _draft_limit(self, remaining: int) -> int:
        """The most tokens a draft may have this step: the reply budget and both contexts."""
        n = len(self.tokens)
        limit = min(MAX_DRAFT, remaining - 1, self._d.verifier.model.n_ctx - n)
        if self._d.draft is not None:
            limit = min(limit, self._d.draft.model.n_ctx - n + 1)
        return max(0, limit)

    def _verify(self, proposal: Proposal) -> Verdict:
        drafts = proposal.tokens
        rows = self._d.verifier.extend([self.tokens[-1], *drafts], len(drafts) + 1)
        s = self.cfg.sampling
        if s.repeat_penalty != 1.0:  # row i follows the text plus the first i drafts, as q did
            rows = np.stack([penalize(rows[i], [*self.tokens, *drafts[:i]], s) for i in range(len(rows))])
        if s.greedy:
            return exact_match(drafts, rows)
        p = [probabilities(rows[i], s) for i in range(len(drafts) + 1)]
        return rejection_sampling(drafts, p, proposal.q, self._rng)

    def _step(self, index: int, k_limit: int, remaining: int) -> StepEvent:
        t0 = time.perf_counter()
        verifier = self._d.verifier
        v0 = verifier.decode_s
        d0 = sum(d.decode_s for d in self._drafters)
        n0 = sum(d.decoded for d in self._drafters)
        try:
            proposal = self.schedule.propose(
                self.tokens, k_limit, self.cfg.sampling, self._rng, remaining=remaining
            )
            verdict = self._verify(proposal)
            n = verdict.n_accepted
            self.tokens.extend([*proposal.tokens[:n], verdict.token])
        finally:
            self._restore()
        drafts = proposal.tokens
        vmodel = verifier.model
        pieces = [Piece(t, self._detok.add(t), Source.ACCEPTED) for t in drafts[:n]]
        finish = None
        if vmodel.is_eog(verdict.token):
            pieces.append(Piece(verdict.token, self._detok.flush(), Source.VERIFIER))
            finish = "stop"
        else:
            pieces.append(Piece(verdict.token, self._detok.add(verdict.token), Source.VERIFIER))
        pieces, stopped = self._apply_stop_strings(pieces)
        if stopped:
            finish = "stop"
        self.text += "".join(p.text for p in pieces)
        rejected = drafts[n:]
        drafted_text = tuple(_piece_text(vmodel, t) for t in drafts)
        total = time.perf_counter() - t0
        draft_s = sum(d.decode_s for d in self._drafters) - d0
        verify_s = verifier.decode_s - v0
        return StepEvent(
            index=index,
            drafted=tuple(drafts),
            accepted=tuple(drafts[:n]),
            rejected=tuple(rejected),
            verifier=verdict.token,
            pieces=tuple(pieces),
            drafted_text=drafted_text,
            rejected_text=drafted_text[n:],
            verifier_probs=verdict.probs,
            draft_probs=verdict.draft_probs,
            timings=StepTimings(
                draft_s,
                verify_s,
                max(0.0, total - draft_s - verify_s),
                sum(d.decoded for d in self._drafters) - n0,
            ),
            finish_reason=finish,
            drafter=proposal.drafter if drafts else "",
            verifier_text=_piece_text(vmodel, verdict.token),
            decision=self.schedule.last,
            origin=proposal.origin if drafts else None,
        )

    def _apply_stop_strings(self, pieces: list[Piece]) -> tuple[list[Piece], bool]:
        """Cut the reply at the first stop string; report whether one was found."""
        if not self.cfg.stop:
            return pieces, False
        tail_start = max(0, len(self.text) - self._max_stop + 1)
        window = self.text[tail_start:] + "".join(p.text for p in pieces)
        hits = [i for i in (window.find(s) for s in self.cfg.stop) if i >= 0]
        if not hits:
            return pieces, False
        keep = tail_start + min(hits) - len(self.text)  # characters of this step to keep
        out: list[Piece] = []
        for p in pieces:
            take = max(0, min(len(p.text), keep))
            out.append(Piece(p.token, p.text[:take], p.source))
            keep -= take
        return out, True

    def _restore(self) -> None:
        """Roll both caches back to what the committed tokens justify (never ahead of them)."""
        v = self._d.verifier
        v.rewind(min(common_prefix(v.tokens, self.tokens), len(self.tokens) - 1))
        for d in self._drafters:
            d.settle(self.tokens)
