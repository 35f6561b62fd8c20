"""The speculative loop: draft, verify in one batch, accept, roll back, yield one StepEvent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from desktop.engine.accept import Verdict, exact_match, rejection_sampling
from desktop.engine.cache import CachedModel, common_prefix
from desktop.engine.config import GenerationConfig
from desktop.engine.detokenizer import StreamingDetokenizer
from desktop.engine.drafting import make_policy
from desktop.engine.events import GenerationStats, Piece, Source, StepEvent, StepTimings
from desktop.engine.model import Model
from desktop.engine.sampling import Probs, argmax, probabilities, sample, top_probability


class Decoder:
    """Owns the verifier and (optionally) the draft, with their caches across replies."""

    def __init__(self, verifier: Model, draft: Model | None = None) -> None:
        self.verifier = CachedModel(verifier)
        self.draft = CachedModel(draft) if draft is not None else None

    def generate(
        self,
        prompt: Sequence[int],
        cfg: GenerationConfig,
        cancel: threading.Event | None = None,
    ) -> Generation:
        """A reply to `prompt`; iterate it for the steps. Nothing runs until then."""
        return Generation(self, list(prompt), cfg, cancel or threading.Event())


def _piece_text(model: Model, token: int) -> str:
    return model.token_bytes(token).decode("utf-8", errors="replace")


class Generation:
    """One reply in progress: an iterator of `StepEvent`s with running `stats`."""

    def __init__(
        self, decoder: Decoder, prompt: list[int], cfg: GenerationConfig, cancel: threading.Event
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
        self._policy = make_policy(cfg.draft)
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
            step = self._step(index, self._draft_length(remaining))
            produced += step.n_tokens
            index += 1
            if step.finish_reason is None and produced >= self.cfg.max_tokens:
                step = _with_finish(step, "length")
            self.finish_reason = step.finish_reason
            self.stats = self.stats.add(step)
            yield step

    # -- phases -----------------------------------------------------------------------

    def _prefill(self) -> None:
        t0 = time.perf_counter()
        chunk = self.cfg.prefill_chunk
        n = self._d.verifier.prefill(self.tokens[:-1], chunk, self.cancel)
        if self._d.draft is not None and self.cfg.draft.draft_max > 0:
            self._d.draft.prefill(self.tokens[:-1], chunk, self.cancel)
        self.stats = GenerationStats(
            prompt_tokens=len(self.tokens),
            prefilled_tokens=n,
            prefill_s=time.perf_counter() - t0,
        )

    def _draft_length(self, remaining: int) -> int:
        draft = self._d.draft
        if draft is None or self.cfg.draft.draft_max <= 0:
            return 0
        n = len(self.tokens)
        room_v = self._d.verifier.model.n_ctx - n
        room_d = draft.model.n_ctx - n + 1
        return max(0, min(self._policy.next_length(), remaining - 1, room_v, room_d))

    def _draft(self, k: int) -> tuple[list[int], list[Probs]]:
        """Propose up to `k` tokens; stop early below p_min or at an end-of-generation token."""
        draft = self._d.draft
        if draft is None or k <= 0:
            return [], []
        s = self.cfg.sampling
        p_min = self.cfg.draft.p_min
        row, _ = draft.sync(self.tokens, self.cfg.prefill_chunk, self.cancel)
        drafts: list[int] = []
        qs: list[Probs] = []
        for i in range(k):
            if s.greedy:
                if p_min > 0.0 and top_probability(row) < p_min:
                    break
                x = argmax(row)
            else:
                q = probabilities(row, s)
                if p_min > 0.0 and float(q.max()) < p_min:
                    break
                x = sample(q, self._rng)
            if draft.model.is_eog(x):
                break  # the verifier decides where the reply ends
            drafts.append(x)
            if not s.greedy:
                qs.append(q)
            if i < k - 1:
                row = draft.extend([x], 1)[-1]
        return drafts, qs

    def _verify(self, drafts: list[int], qs: list[Probs]) -> Verdict:
        rows = self._d.verifier.extend([self.tokens[-1], *drafts], len(drafts) + 1)
        s = self.cfg.sampling
        if s.greedy:
            return exact_match(drafts, rows)
        p = [probabilities(rows[i], s) for i in range(len(drafts) + 1)]
        return rejection_sampling(drafts, p, qs, self._rng)

    def _step(self, index: int, k: int) -> StepEvent:
        t0 = time.perf_counter()
        verifier = self._d.verifier
        try:
            drafts, qs = self._draft(k)
            t1 = time.perf_counter()
            verdict = self._verify(drafts, qs)
            t2 = time.perf_counter()
            n = verdict.n_accepted
            self.tokens.extend([*drafts[:n], verdict.token])
        finally:
            self._restore()
        self._policy.observe(len(drafts), n)
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
        t3 = time.perf_counter()
        rejected = drafts[n:]
        # Verify time is the batch itself; acceptance and bookkeeping count as "other".
        t_rows = t2 - t1
        return StepEvent(
            index=index,
            drafted=tuple(drafts),
            accepted=tuple(drafts[:n]),
            rejected=tuple(rejected),
            verifier=verdict.token,
            pieces=tuple(pieces),
            drafted_text=tuple(_piece_text(vmodel, t) for t in drafts),
            rejected_text=tuple(_piece_text(vmodel, t) for t in rejected),
            verifier_probs=verdict.probs,
            timings=StepTimings(draft_s=t1 - t0, verify_s=t_rows, other_s=t3 - t2),
            finish_reason=finish,
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
        d = self._d.draft
        if d is not None:
            d.rewind(common_prefix(d.tokens, self.tokens))


def _with_finish(step: StepEvent, reason: str) -> StepEvent:
    return replace(step, finish_reason=reason)
