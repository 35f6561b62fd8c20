"""What the user chose: the model pair and how to load it, and the window's view options."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from desktop.engine.config import GenerationConfig, ModelConfig, default_threads
from desktop.engine.offload import AUTO_GPU_LAYERS
from desktop.engine.pair import PairConfig
from desktop.qt.payloads import LoadRequest
from desktop.ui.formats import ViewOptions


@dataclass(frozen=True, slots=True)
class PairChoice:
    """An installed catalog pair (`pair`) or two files; `use_draft` False is plain decoding."""

    pair: str | None = "default"
    verifier: str = ""
    draft: str = ""
    use_draft: bool = True
    verifier_gpu_layers: int = AUTO_GPU_LAYERS  # what fits on a GPU build, none on a CPU build
    draft_gpu_layers: int = AUTO_GPU_LAYERS
    n_ctx: int = 4096
    n_threads: int = field(default_factory=default_threads)

    def files(self) -> tuple[str, str]:
        """(verifier, draft) paths; NotInstalledError for a catalog pair that is not fetched."""
        if self.pair:
            from desktop.models.listing import pair_paths

            v, d = pair_paths(self.pair)
            return str(v), str(d)
        return self.verifier, self.draft

    def label(self) -> str:
        if self.pair:
            return self.pair
        name = Path(self.verifier).stem
        return name if self.use_draft and self.draft else f"{name} (no draft)"

    def request(self) -> LoadRequest:
        """What the worker loads."""
        verifier, draft = self.files()
        v = ModelConfig(verifier, self.verifier_gpu_layers, self.n_ctx, self.n_threads)
        d = ModelConfig(draft, self.draft_gpu_layers, self.n_ctx, self.n_threads)
        return LoadRequest(PairConfig(v, d if self.use_draft and draft else None), self.label())


@dataclass(frozen=True, slots=True)
class SystemPreset:
    """A saved system prompt the system prompt box offers by name."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Preferences:
    """Everything the settings file holds."""

    choice: PairChoice = field(default_factory=PairChoice)
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    view: ViewOptions = field(default_factory=ViewOptions)
    theme: str = "system"  # "system", "light" or "dark"
    font_size: int = 0  # points; 0 keeps the system's size
    history_drafts: bool = False  # suffix drafting also reads the user's past replies (opt-in)


def parse_stop_strings(text: str) -> tuple[str, ...]:
    """Stop strings typed one per line, with \\n for a line break and \\t for a tab."""
    out = []
    for line in text.splitlines():
        if line.strip():  # a blank line is no stop string; "\\n\\n" (a blank line) is one
            out.append(line.replace("\\n", "\n").replace("\\t", "\t"))
    return tuple(out)


def format_stop_strings(stops: tuple[str, ...]) -> str:
    """The text `parse_stop_strings` reads back."""
    return "\n".join(s.replace("\n", "\\n").replace("\t", "\\t") for s in stops)


def with_history(generation: GenerationConfig, on: bool) -> GenerationConfig:
    """`generation` with history drafting (the Preferences dialog's opt-in) switched `on`."""
    return replace(generation, draft=replace(generation.draft, history=on))
