"""Chat prompts: the GGUF's own chat template, rendered in a sandbox, fitted to the context.

Message text is tokenized with special tokens left as text, so a user cannot type a control
token into the prompt; only the template's own markup is parsed for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from desktop.engine.errors import PromptTooLongError, TandemError
from desktop.engine.model import Model
from desktop.engine.segments import segments
from desktop.engine.templates import TemplateChoice, choose


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message; role is "system", "user" or "assistant"."""

    role: str
    content: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """Tokens ready for the decoder, and how many old turns were left out to fit."""

    tokens: tuple[int, ...]
    dropped_turns: int = 0


def _raise(message: str) -> None:
    raise TemplateError(message)


class ChatTemplate:
    """Renders a conversation with a model's template and tokenizes it."""

    def __init__(self, model: Model) -> None:
        self.model = model
        vocab = model.vocab()
        self.choice: TemplateChoice = choose(
            model.metadata("tokenizer.chat_template"), model.metadata("general.architecture"), vocab.texts
        )
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _raise
        try:
            self._template = env.from_string(self.choice.source)
        except TemplateError as e:
            raise TandemError(f"the model's chat template is broken: {e}") from e
        self._bos_id = vocab.bos
        self._bos = vocab.texts[vocab.bos] if 0 <= vocab.bos < vocab.n_vocab else ""
        self._eos = vocab.texts[vocab.eos] if 0 <= vocab.eos < vocab.n_vocab else ""
        self._add_bos = vocab.add_bos
        self._spells_special: dict[str, bool] = {}

    @property
    def note(self) -> str | None:
        """Which built-in template is used when the GGUF has none (one line for the user)."""
        return self.choice.note

    def render(self, messages: Sequence[Message]) -> str:
        """The prompt text, ending where the assistant's reply begins."""
        try:
            return self._template.render(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                add_generation_prompt=True,
                bos_token=self._bos,
                eos_token=self._eos,
            )
        except TemplateError as e:
            raise TandemError(f"the model's chat template failed: {e}") from e

    def tokens(self, messages: Sequence[Message], continuing: bool = False) -> list[int]:
        """The prompt's tokens; message text that spells a special token stays plain text.

        `continuing` ends the prompt inside the last (assistant) message, so the reply extends
        that message instead of starting a new one.
        """
        if continuing and messages and messages[-1].role == "assistant":
            tail = self.model.tokenize(messages[-1].content, add_special=False, parse_special=False)
            return self.tokens(messages[:-1]) + tail
        text = self.render(messages)
        # Templates that write BOS themselves must not get a second one.
        add = self._add_bos and not (self._bos and text.startswith(self._bos))
        if not any(self._spells_special_token(m.content) for m in messages):
            # Nothing to defuse: one pass over the whole text, exactly as llama.cpp would.
            return self.model.tokenize(text, add_special=add, parse_special=True)

        def render(contents: Sequence[str]) -> str:
            return self.render([Message(m.role, c) for m, c in zip(messages, contents, strict=True)])

        out = [self._bos_id] if add and self._bos_id >= 0 else []
        for seg in segments(render, [m.content for m in messages]):
            out += self.model.tokenize(seg.text, add_special=False, parse_special=seg.markup)
        return out

    def _spells_special_token(self, content: str) -> bool:
        known = self._spells_special.get(content)
        if known is None:
            tok = self.model.tokenize
            parsed = tok(content, add_special=False, parse_special=True)
            known = parsed != tok(content, add_special=False, parse_special=False)
            if len(self._spells_special) > 256:
                self._spells_special.clear()
            self._spells_special[content] = known
        return known

    def fit(self, messages: Sequence[Message], budget: int, continuing: bool = False) -> Prompt:
        """Tokenize `messages`, dropping the oldest turns (never the system prompt or the
        last message) until the prompt fits in `budget` tokens.
        """
        keep = 2 if continuing else 1  # continuing keeps the reply and the message it answers
        system = [m for m in messages[:1] if m.role == "system"]
        rest = list(messages[len(system) :])
        dropped = 0
        while True:
            toks = self.tokens([*system, *rest], continuing)
            if len(toks) <= budget:
                return Prompt(tuple(toks), dropped)
            if len(rest) <= keep:
                raise PromptTooLongError(
                    f"the prompt is {len(toks):,} tokens but only {budget:,} fit in the context; "
                    "shorten it or raise the context size"
                )
            # Drop a whole user/assistant exchange when possible.
            n = 2 if len(rest) > 2 and rest[0].role == "user" and rest[1].role == "assistant" else 1
            del rest[:n]
            dropped += n
