"""The one module that touches QSettings: preferences in settings.ini in Tandem's data folder."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from desktop.engine.config import DraftConfig, DraftPolicy, GenerationConfig, Mode, SamplingConfig
from desktop.engine.offload import AUTO_GPU_LAYERS
from desktop.ui.formats import ViewOptions
from desktop.ui.preferences import (
    PairChoice,
    Preferences,
    SystemPreset,
    format_stop_strings,
    parse_stop_strings,
)

DEFAULT_SAMPLING = SamplingConfig(temperature=0.7, top_k=40, top_p=0.95, min_p=0.05)
# Speculative mode by default: the app is for watching the steps; Fastest is one click away.
DEFAULT_GENERATION = GenerationConfig(
    max_tokens=1024,
    sampling=DEFAULT_SAMPLING,
    draft=DraftConfig(draft_max=4, mode=Mode.SPECULATIVE, ngram=False),
)


# The ranges the pair dialog allows: a value outside them in settings.ini is reset to the default.
LIMITS: dict[str, tuple[float, float]] = {
    "pair/verifier_gpu_layers": (AUTO_GPU_LAYERS, 999),
    "pair/draft_gpu_layers": (AUTO_GPU_LAYERS, 999),
    "pair/n_ctx": (512, 131072),
    "pair/n_threads": (1, 1024),
    "sampling/temperature": (0.0, 2.0),
    "sampling/top_k": (0, 1000),
    "sampling/top_p": (0.0, 1.0),
    "sampling/min_p": (0.0, 1.0),
    "sampling/repeat_penalty": (1.0, 3.0),
    "sampling/repeat_last_n": (0, 4096),
    "drafting/draft_max": (0, 32),
    "drafting/p_min": (0.0, 1.0),
    "generation/max_tokens": (1, 32768),
    "view/font_size": (0, 48),
}
THEMES = ("system", "light", "dark")
MIN_FONT_SIZE = 6  # points; 0 means the system's size
# Offered until the user saves presets of their own.
DEFAULT_PRESETS = (
    SystemPreset("Helpful assistant", "You are a helpful assistant. Answer clearly and correctly."),
    SystemPreset("Concise", "Answer in as few words as possible. No preamble, no summary."),
    SystemPreset(
        "Programmer",
        "You are an expert programmer. Answer with working code in fenced blocks and a short "
        "explanation of why it works.",
    ),
)


def _within(value: float, low: float, high: float) -> bool:
    return math.isfinite(value) and low <= value <= high  # nan fails both comparisons anyway


def default_preferences() -> Preferences:
    return Preferences(generation=DEFAULT_GENERATION)


class Settings:
    """Reads and writes `Preferences` and window geometry; a missing or bad value is the default.

    `load` lists the values it had to reset in `reset` ("key = value"), for a notice.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from desktop.models.paths import data_dir

            path = data_dir() / "settings.ini"
        self._s = QSettings(str(path), QSettings.Format.IniFormat)
        self.reset: list[str] = []

    def _get(self, key: str, default: Any) -> Any:
        value = self._s.value(key, default)
        if value is None or value == "":
            return default
        try:
            if isinstance(default, bool):
                return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
            typed = type(default)(value)
        except (TypeError, ValueError, OverflowError):
            typed = None
        if typed is None or (key in LIMITS and not _within(typed, *LIMITS[key])):
            self.reset.append(f"{key} = {value}")
            return default
        return typed

    def reset_notice(self) -> str:
        """One line naming the values `load` reset, or "" when there were none."""
        if not self.reset:
            return ""
        return (
            f"Some values in {self._s.fileName()} were not valid and are back to their defaults: "
            + ", ".join(self.reset)
            + "."
        )

    def load(self) -> Preferences:
        self.reset = []
        d = default_preferences()
        c, g = d.choice, d.generation
        values = {
            f.name: self._get(f"pair/{f.name}", getattr(c, f.name))
            for f in fields(PairChoice)
            if f.name != "pair"
        }
        if not self._get("pair/gpu_auto", False):  # saved before "auto": its 0 was the old default
            for key in ("verifier_gpu_layers", "draft_gpu_layers"):
                values[key] = AUTO_GPU_LAYERS if values[key] == 0 else values[key]
        stored = self._s.value("pair/pair")
        choice = PairChoice(pair=c.pair if stored is None else (str(stored) or None), **values)
        sampling = SamplingConfig(
            temperature=self._get("sampling/temperature", g.sampling.temperature),
            top_k=self._get("sampling/top_k", g.sampling.top_k),
            top_p=self._get("sampling/top_p", g.sampling.top_p),
            min_p=self._get("sampling/min_p", g.sampling.min_p),
            seed=self._seed(),
            repeat_penalty=self._get("sampling/repeat_penalty", g.sampling.repeat_penalty),
            repeat_last_n=self._get("sampling/repeat_last_n", g.sampling.repeat_last_n),
        )
        adaptive = self._get("drafting/adaptive", g.draft.policy is DraftPolicy.ADAPTIVE)
        draft = DraftConfig(
            draft_max=self._get("drafting/draft_max", g.draft.draft_max),
            p_min=self._get("drafting/p_min", g.draft.p_min),
            policy=DraftPolicy.ADAPTIVE if adaptive else DraftPolicy.FIXED,
            mode=self._mode(g.draft.mode),
            ngram=self._get("drafting/ngram", g.draft.ngram),
            suffix=self._get("drafting/suffix", g.draft.suffix),
        )
        generation = GenerationConfig(
            max_tokens=self._get("generation/max_tokens", g.max_tokens),
            sampling=sampling,
            draft=draft,
            stop=parse_stop_strings(self._get("generation/stop", format_stop_strings(g.stop))),
        )
        view = ViewOptions(
            highlight=self._get("view/highlight", True), show_rejected=self._get("view/show_rejected", False)
        )
        theme = self._get("view/theme", d.theme)
        if theme not in THEMES:
            self.reset.append(f"view/theme = {theme}")
            theme = d.theme
        font_size = self._get("view/font_size", d.font_size)
        if 0 < font_size < MIN_FONT_SIZE:
            self.reset.append(f"view/font_size = {font_size}")
            font_size = d.font_size
        history = self._get("drafting/history", d.history_drafts)
        return Preferences(choice, generation, view, theme, font_size, history)

    def _seed(self) -> int | None:
        seed = str(self._s.value("sampling/seed", ""))
        if seed and not seed.lstrip("-").isdigit():
            self.reset.append(f"sampling/seed = {seed}")
        return int(seed) if seed.lstrip("-").isdigit() else None

    def _mode(self, default: Mode) -> Mode:
        value = self._get("drafting/mode", default.value)
        try:
            return Mode(value)
        except ValueError:
            self.reset.append(f"drafting/mode = {value}")
            return default

    def save(self, prefs: Preferences) -> None:
        for f in fields(PairChoice):
            value = getattr(prefs.choice, f.name)
            self._s.setValue(f"pair/{f.name}", "" if value is None else value)
        self._s.setValue("pair/gpu_auto", True)  # this file knows "auto": a 0 in it is the user's
        s, dr = prefs.generation.sampling, prefs.generation.draft
        self._s.setValue("sampling/temperature", s.temperature)
        self._s.setValue("sampling/top_k", s.top_k)
        self._s.setValue("sampling/top_p", s.top_p)
        self._s.setValue("sampling/min_p", s.min_p)
        self._s.setValue("sampling/seed", "" if s.seed is None else s.seed)
        self._s.setValue("sampling/repeat_penalty", s.repeat_penalty)
        self._s.setValue("sampling/repeat_last_n", s.repeat_last_n)
        self._s.setValue("generation/stop", format_stop_strings(prefs.generation.stop))
        self._s.setValue("drafting/draft_max", dr.draft_max)
        self._s.setValue("drafting/p_min", dr.p_min)
        self._s.setValue("drafting/adaptive", dr.policy is DraftPolicy.ADAPTIVE)
        self._s.setValue("drafting/mode", dr.mode.value)
        self._s.setValue("drafting/ngram", dr.ngram)
        self._s.setValue("drafting/suffix", dr.suffix)
        self._s.setValue("generation/max_tokens", prefs.generation.max_tokens)
        self._s.setValue("view/highlight", prefs.view.highlight)
        self._s.setValue("view/show_rejected", prefs.view.show_rejected)
        self._s.setValue("view/theme", prefs.theme)
        self._s.setValue("view/font_size", prefs.font_size)
        self._s.setValue("drafting/history", prefs.history_drafts)
        self._s.sync()

    def system_presets(self) -> tuple[SystemPreset, ...]:
        """The saved system prompts, in the order they were saved; the defaults at first."""
        n = self._s.beginReadArray("system_presets")
        presets = []
        for i in range(n):
            self._s.setArrayIndex(i)
            name, text = str(self._s.value("name", "")), str(self._s.value("text", ""))
            if name.strip() and text.strip():
                presets.append(SystemPreset(name, text))
        self._s.endArray()
        return tuple(presets) if n else DEFAULT_PRESETS

    def save_system_presets(self, presets: tuple[SystemPreset, ...]) -> None:
        self._s.remove("system_presets")
        self._s.beginWriteArray("system_presets", len(presets))
        for i, preset in enumerate(presets):
            self._s.setArrayIndex(i)
            self._s.setValue("name", preset.name)
            self._s.setValue("text", preset.text)
        self._s.endArray()
        self._s.sync()

    def model_folders(self) -> tuple[Path, ...]:
        """The folders the user added to the model library, in the order added.

        A folder that does not exist now (an unplugged disk) is kept, and `missing_model_folders`
        names it; an entry that is not an absolute path is dropped and listed in `reset`.
        """
        n = self._s.beginReadArray("model_folders")
        folders: list[Path] = []
        for i in range(n):
            self._s.setArrayIndex(i)
            text = str(self._s.value("path", "") or "").strip()
            path = Path(text).expanduser()
            if not text or not path.is_absolute():
                self.reset.append(f"model_folders/{i + 1}/path = {text}")
            elif path not in folders:
                folders.append(path)
        self._s.endArray()
        return tuple(folders)

    def missing_model_folders(self) -> tuple[Path, ...]:
        """The added folders that do not exist now; they stay in the settings."""
        return tuple(f for f in self.model_folders() if not f.is_dir())

    def save_model_folders(self, folders: tuple[Path, ...]) -> None:
        self._s.remove("model_folders")
        self._s.beginWriteArray("model_folders", len(folders))
        for i, folder in enumerate(folders):
            self._s.setArrayIndex(i)
            self._s.setValue("path", str(folder))
        self._s.endArray()
        self._s.sync()

    def geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def save_geometry(self, geometry: QByteArray, splitter: QByteArray) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/splitter", splitter)
        self._s.sync()

    def splitter(self) -> QByteArray | None:
        value = self._s.value("window/splitter")
        return value if isinstance(value, QByteArray) else None
