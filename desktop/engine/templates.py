"""Chat templates for GGUFs that carry none, chosen by the model's family.

Giving every such model ChatML made Gemma 3 answer with a literal ``<|im_end|>``. The family
comes from ``general.architecture``; Llama 3 and Llama 2 share "llama" and are told apart by
Llama 3's header token. Whatever is chosen is named, so the user can be told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# `trim_blocks` is on when these render, so every newline is written as an expression.
CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

LLAMA3 = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}"
    "{{ message['content'] + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

# Llama 2 puts the system prompt inside the first [INST]; Mistral has no system role, so it
# goes before the first user message.
_INST = (
    "{% set ns = namespace(system='') %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.system = message['content'] %}"
    "{% elif message['role'] == 'user' %}"
    "{{ BOS + '[INST] ' }}{% if ns.system %}{{ SYSTEM }}{% set ns.system = '' %}{% endif %}"
    "{{ message['content'] + ' [/INST]' }}"
    "{% else %}{{ ' ' + message['content'] + eos_token }}{% endif %}"
    "{% endfor %}"
)
LLAMA2 = _INST.replace("BOS", "bos_token").replace("SYSTEM", "'<<SYS>>\n' + ns.system + '\n<</SYS>>\n\n'")
MISTRAL = ("{{ bos_token }}" + _INST.replace("BOS + ", "")).replace("SYSTEM", "ns.system + '\n\n'")

GEMMA = (
    "{{ bos_token }}"
    "{% set ns = namespace(system='') %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.system = message['content'] + '\n\n' %}"
    "{% else %}"
    "{{ '<start_of_turn>' + ('model' if message['role'] == 'assistant' else 'user') + '\n' }}"
    "{% if message['role'] == 'user' %}{{ ns.system }}{% set ns.system = '' %}{% endif %}"
    "{{ message['content'] + '<end_of_turn>\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)

PHI3 = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)

BUILT_IN = {
    "chatml": CHATML,
    "llama3": LLAMA3,
    "llama2": LLAMA2,
    "mistral": MISTRAL,
    "gemma": GEMMA,
    "phi3": PHI3,
}

_FAMILIES = {
    "gemma": "gemma",
    "gemma2": "gemma",
    "gemma3": "gemma",
    "qwen2": "chatml",
    "qwen3": "chatml",
    "qwen2moe": "chatml",
    "qwen3moe": "chatml",
    "phi3": "phi3",
    "mistral": "mistral",
}


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """The Jinja source to render with; `built_in` names Tandem's own template when the
    GGUF carries none, and `note` is the line that tells the user so.
    """

    source: str
    built_in: str | None = None
    note: str | None = None


def choose(own: str | None, architecture: str | None, vocab_texts: Sequence[str]) -> TemplateChoice:
    """The GGUF's own template if it has one, else the built-in one of its family, else ChatML."""
    if own:
        return TemplateChoice(own)
    arch = (architecture or "").lower()
    if arch == "llama":
        name = "llama3" if "<|start_header_id|>" in vocab_texts else "llama2"
    else:
        name = _FAMILIES.get(arch, "")
    if name:
        note = f"this model has no chat template; using the {name} template"
    else:
        name = "chatml"
        family = f"its family ({arch})" if arch else "its family"
        note = f"this model has no chat template and {family} is not one Tandem knows; using ChatML"
    return TemplateChoice(BUILT_IN[name], name, note)
