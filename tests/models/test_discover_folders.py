"""Where other apps keep their models, per platform, and the variables that move them."""

from __future__ import annotations

from pathlib import Path

from desktop.models.app_folders import Location, Source, app_locations
from desktop.models.discover import ollama_name

HOME = Path("/home/u")


def _roots(locations: tuple[Location, ...], source: Source) -> list[Path]:
    return [loc.root for loc in locations if loc.source is source]


def test_linux_defaults() -> None:
    locs = app_locations("linux", HOME, {})
    assert _roots(locs, Source.LM_STUDIO) == [HOME / ".lmstudio/models", HOME / ".cache/lm-studio/models"]
    assert _roots(locs, Source.OLLAMA) == [HOME / ".ollama/models", Path("/usr/share/ollama/.ollama/models")]
    assert _roots(locs, Source.JAN) == [HOME / ".local/share/Jan/data/llamacpp/models"]
    assert _roots(locs, Source.GPT4ALL) == [HOME / ".local/share/nomic.ai/GPT4All"]
    assert _roots(locs, Source.HF_CACHE) == [HOME / ".cache/huggingface/hub"]
    assert _roots(locs, Source.LLAMA_CPP) == [HOME / ".cache/llama.cpp"]


def test_environment_moves_folders() -> None:
    env = {
        "OLLAMA_MODELS": "/big/ollama",
        "JAN_DATA_FOLDER": "/big/jan",
        "HF_HOME": "/big/hf",
        "LLAMA_CACHE": "/big/llama",
        "XDG_DATA_HOME": "/xdg/data",
    }
    locs = app_locations("linux", HOME, env)
    assert _roots(locs, Source.OLLAMA) == [Path("/big/ollama")]
    assert _roots(locs, Source.JAN) == [Path("/big/jan/llamacpp/models")]
    assert _roots(locs, Source.HF_CACHE) == [Path("/big/hf/hub")]
    assert _roots(locs, Source.LLAMA_CPP) == [Path("/big/llama")]
    assert _roots(locs, Source.GPT4ALL) == [Path("/xdg/data/nomic.ai/GPT4All")]
    assert _roots(app_locations("linux", HOME, {**env, "HF_HUB_CACHE": "/hub"}), Source.HF_CACHE) == [
        Path("/hub")
    ]
    assert _roots(app_locations("linux", HOME, {"XDG_CACHE_HOME": "/c"}), Source.HF_CACHE) == [
        Path("/c/huggingface/hub")
    ]


def test_settings_files_move_folders(tmp_path: Path) -> None:
    (tmp_path / ".lmstudio-home-pointer").write_text("/data/lmstudio\n")
    jan = tmp_path / ".local/share/Jan"
    jan.mkdir(parents=True)
    (jan / "settings.json").write_text('{"data_folder": "/data/jan"}')
    ini = tmp_path / ".config/nomic.ai/GPT4All.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[General]\nmodelPath=/data/gpt4all\n")
    locs = app_locations("linux", tmp_path, {})
    assert _roots(locs, Source.LM_STUDIO)[0] == Path("/data/lmstudio/models")
    assert _roots(locs, Source.JAN) == [Path("/data/jan/llamacpp/models")]
    assert _roots(locs, Source.GPT4ALL)[0] == Path("/data/gpt4all")


def test_macos_and_windows() -> None:
    mac = app_locations("darwin", HOME, {})
    support = HOME / "Library/Application Support"
    assert _roots(mac, Source.GPT4ALL) == [support / "nomic.ai/GPT4All"]
    assert _roots(mac, Source.JAN) == [support / "Jan/data/llamacpp/models"]
    assert _roots(mac, Source.OLLAMA) == [HOME / ".ollama/models"]
    assert _roots(mac, Source.LLAMA_CPP) == [HOME / "Library/Caches/llama.cpp"]
    assert _roots(mac, Source.HF_CACHE) == [HOME / ".cache/huggingface/hub"]

    user = Path("C:/Users/u")
    env = {"APPDATA": "C:/Users/u/AppData/Roaming", "LOCALAPPDATA": "C:/Users/u/AppData/Local"}
    win = app_locations("win32", user, env)
    assert _roots(win, Source.GPT4ALL) == [Path(env["LOCALAPPDATA"]) / "nomic.ai/GPT4All"]
    assert _roots(win, Source.JAN) == [Path(env["APPDATA"]) / "Jan/data/llamacpp/models"]
    assert _roots(win, Source.OLLAMA) == [user / ".ollama/models"]
    assert _roots(win, Source.LM_STUDIO)[0] == user / ".lmstudio/models"
    assert _roots(win, Source.LLAMA_CPP) == [Path(env["LOCALAPPDATA"]) / "llama.cpp"]


def test_ollama_names_models_as_ollama_list_does() -> None:
    m = Path("/o/manifests")
    assert ollama_name(m / "registry.ollama.ai/library/llama3.2/3b", m) == "llama3.2:3b"
    assert ollama_name(m / "registry.ollama.ai/someone/coder/latest", m) == "someone/coder:latest"
    assert ollama_name(m / "hf.co/bartowski/Llama-GGUF/Q4_K_M", m) == "hf.co/bartowski/Llama-GGUF:Q4_K_M"
