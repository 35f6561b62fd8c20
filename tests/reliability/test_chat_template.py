"""A GGUF without a chat template gets its family's template, and the user is told which;
a pair that loads but looks wrong (a draft bigger than its verifier, a context longer than the
model was trained on) loads with warnings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.engine.chat import ChatTemplate, Message
from desktop.engine.model import VocabInfo
from desktop.engine.pair import ModelPair
from desktop.engine.pair_warnings import size_warnings
from tests.fakes import FakeModel

CHAT = [
    Message("system", "Be brief."),
    Message("user", "Hi"),
    Message("assistant", "Hello."),
    Message("user", "More"),
]


class MetaModel(FakeModel):
    """A fake model with GGUF metadata and token texts of our choosing."""

    def __init__(self, meta: dict[str, str], texts: tuple[str, ...] = (), n_ctx: int = 256) -> None:
        super().__init__(n_ctx=n_ctx)
        self.meta = meta
        self.texts = texts

    def metadata(self, key: str) -> str | None:
        return self.meta.get(key)

    def vocab(self) -> VocabInfo:
        base = super().vocab()
        return VocabInfo(2, base.n_vocab, False, False, 1, 0, [*base.texts[:2], *self.texts, *base.texts[2:]])


def template_for(arch: str, texts: tuple[str, ...] = ()) -> ChatTemplate:
    return ChatTemplate(MetaModel({"general.architecture": arch}, texts))


@pytest.mark.parametrize("arch", ["gemma", "gemma2", "gemma3"])
def test_gemma_gets_turns_not_chatml(arch: str) -> None:
    t = template_for(arch)
    text = t.render(CHAT)
    assert "<|im_end|>" not in text
    assert "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n" in text
    assert "<start_of_turn>model\nHello.<end_of_turn>\n" in text
    assert text.endswith("<start_of_turn>model\n")
    assert t.note == "this model has no chat template; using the gemma template"


def test_llama_3_and_llama_2_are_told_apart_by_the_vocabulary() -> None:
    l3 = template_for("llama", ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"))
    assert l3.choice.built_in == "llama3"
    assert l3.render(CHAT).endswith("<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    l2 = template_for("llama")
    assert l2.choice.built_in == "llama2"
    assert "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello." in l2.render(CHAT)


@pytest.mark.parametrize(
    ("arch", "name", "marker"),
    [
        ("qwen2", "chatml", "<|im_start|>user\nHi<|im_end|>\n"),
        ("qwen3", "chatml", "<|im_start|>assistant\n"),
        ("phi3", "phi3", "<|user|>\nHi<|end|>\n<|assistant|>\nHello.<|end|>\n"),
        ("mistral", "mistral", "[INST] Be brief.\n\nHi [/INST] Hello."),
    ],
)
def test_each_family_gets_its_own_markers(arch: str, name: str, marker: str) -> None:
    t = template_for(arch)
    assert t.choice.built_in == name
    assert marker in t.render(CHAT)
    assert t.note == f"this model has no chat template; using the {name} template"


def test_an_unknown_family_gets_chatml_and_says_so() -> None:
    t = template_for("mamba")
    assert "<|im_start|>user\nHi<|im_end|>" in t.render(CHAT)
    assert t.note is not None and "mamba" in t.note and "ChatML" in t.note


def test_the_gguf_s_own_template_wins_silently() -> None:
    own = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}"
    t = ChatTemplate(MetaModel({"general.architecture": "gemma3", "tokenizer.chat_template": own}))
    assert t.render(CHAT) == "[system]Be brief.[user]Hi[assistant]Hello.[user]More"
    assert t.note is None


def test_a_context_longer_than_training_is_a_warning_not_a_refusal() -> None:
    meta = {"general.architecture": "llama", "llama.context_length": "128"}
    pair = ModelPair(MetaModel(meta, n_ctx=256), MetaModel(meta, n_ctx=128), check=False)
    assert len(pair.warnings) == 1
    assert "context (256 tokens) is longer than the verifier was trained on (128 tokens)" in pair.warnings[0]
    fine = ModelPair(MetaModel(meta, n_ctx=128), None)
    assert fine.warnings == ()


def test_a_draft_larger_than_its_verifier_is_a_warning(tmp_path: Path) -> None:
    small, big = tmp_path / "small.gguf", tmp_path / "big.gguf"
    small.write_bytes(b"\0" * 1000)
    big.write_bytes(b"\0" * 3000)
    assert size_warnings(big, small) == ()
    (warning,) = size_warnings(small, big)
    assert "draft (big.gguf" in warning and "larger than the verifier (small.gguf" in warning


SHORT = ("--prompt", "ab", "--max-tokens", "2", "--ctx")


@pytest.mark.slow
def test_the_cli_prints_the_note_and_the_warnings(tmp_path: Path) -> None:
    from desktop.models.listing import pair_paths
    from tests.reliability.test_gguf_fuzz import write_tiny_model

    bare = write_tiny_model(tmp_path / "bare.gguf", chat_template=False)
    r = subprocess.run(
        [sys.executable, "-m", "desktop", "generate", "--verifier", str(bare), "--no-draft", *SHORT, "128"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "tandem: note: this model has no chat template; using the llama2 template" in r.stderr
    # llama.cpp rounds a context up to 256 tokens, and the warning gives the real one.
    assert "warning: the context (256 tokens) is longer than the verifier was trained on (64" in r.stderr

    verifier, draft = pair_paths("tiny")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "generate",
            "--verifier",
            str(draft),
            "--draft",
            str(verifier),
            *SHORT,
            "512",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "tandem: warning: the draft (smollm2-135m-instruct-q4_1.gguf" in r.stderr
    assert "note:" not in r.stderr  # SmolLM2 carries its own template
