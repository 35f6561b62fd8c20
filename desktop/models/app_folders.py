"""Where other apps keep their GGUF files on Linux, macOS and Windows, and what moves them.

Pure functions of (platform, home, environment) so every platform is testable anywhere.
Tandem's own folders stay in `desktop.models.paths`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Source(Enum):
    """Who put a model file where it is; the value is what the user sees."""

    TANDEM = "Tandem"
    BUNDLED = "bundled with the app"
    LM_STUDIO = "LM Studio"
    OLLAMA = "Ollama"
    JAN = "Jan"
    GPT4ALL = "GPT4All"
    HF_CACHE = "Hugging Face cache"
    LLAMA_CPP = "llama.cpp cache"
    FOLDER = "added folder"


@dataclass(frozen=True)
class Location:
    """A folder one source keeps models in (it may not exist)."""

    source: Source
    root: Path


@dataclass(frozen=True)
class _Dirs:
    data: Path  # per-user application data (roaming on Windows)
    local: Path  # per-user local data (Windows %LOCALAPPDATA%, elsewhere the same as data)
    cache: Path
    config: Path


def _dirs(platform: str, home: Path, env: Mapping[str, str]) -> _Dirs:
    if platform == "win32":
        roaming = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
        local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
        return _Dirs(roaming, local, local, roaming)
    if platform == "darwin":
        support = home / "Library" / "Application Support"
        return _Dirs(support, support, home / "Library" / "Caches", home / "Library" / "Preferences")
    data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
    return _Dirs(data, data, cache, Path(env.get("XDG_CONFIG_HOME") or home / ".config"))


def _lm_studio(home: Path) -> list[Path]:
    roots = []
    try:
        pointer = (home / ".lmstudio-home-pointer").read_text(encoding="utf-8").strip()
        if pointer:
            roots.append(Path(pointer))
    except (OSError, UnicodeDecodeError):
        pass
    roots += [home / ".lmstudio", home / ".cache" / "lm-studio"]
    return [r / "models" for r in roots]


def _jan(dirs: _Dirs, env: Mapping[str, str]) -> Path:
    folder = env.get("JAN_DATA_FOLDER")
    if not folder:
        try:
            settings = json.loads((dirs.data / "Jan" / "settings.json").read_text(encoding="utf-8"))
            folder = str(settings.get("data_folder") or "")
        except (OSError, ValueError, AttributeError):
            folder = ""
    return Path(folder or dirs.data / "Jan" / "data") / "llamacpp" / "models"


def _gpt4all(platform: str, dirs: _Dirs) -> list[Path]:
    roots = [dirs.local / "nomic.ai" / "GPT4All"]
    if platform not in ("win32", "darwin"):  # there QSettings keeps modelPath in the registry or a plist
        try:
            ini = (dirs.config / "nomic.ai" / "GPT4All.ini").read_text(encoding="utf-8")
            if m := re.search(r"^modelPath=(.+)$", ini, re.MULTILINE):
                roots.insert(0, Path(m.group(1).strip()))
        except (OSError, UnicodeDecodeError):
            pass
    return roots


def _hf_hub(home: Path, env: Mapping[str, str]) -> Path:
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"])
    hf_home = env.get("HF_HOME") or Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "huggingface"
    return Path(hf_home) / "hub"


def app_locations(platform: str, home: Path, env: Mapping[str, str]) -> tuple[Location, ...]:
    """Every folder other apps keep GGUF files in, for `platform` (a `sys.platform` value)."""
    dirs = _dirs(platform, home, env)
    ollama = [Path(env["OLLAMA_MODELS"])] if env.get("OLLAMA_MODELS") else [home / ".ollama" / "models"]
    if platform not in ("win32", "darwin") and not env.get("OLLAMA_MODELS"):
        ollama.append(Path("/usr/share/ollama/.ollama/models"))  # the Linux system service
    llama_cache = Path(env.get("LLAMA_CACHE") or dirs.cache / "llama.cpp")
    return (
        *(Location(Source.LM_STUDIO, p) for p in _lm_studio(home)),
        *(Location(Source.OLLAMA, p) for p in ollama),
        Location(Source.JAN, _jan(dirs, env)),
        *(Location(Source.GPT4ALL, p) for p in _gpt4all(platform, dirs)),
        Location(Source.HF_CACHE, _hf_hub(home, env)),
        Location(Source.LLAMA_CPP, llama_cache),
    )
