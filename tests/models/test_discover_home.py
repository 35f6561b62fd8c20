"""A fake home laid out like LM Studio, Ollama, Jan, GPT4All and the caches: every file found in
place, named as its app names it, drafts ranked; and the same through the `tandem` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gguf_fakes import (
    HF_CLONE,
    LM_STUDIO_VERIFIER,
    OLLAMA_DRAFT,
    Q3_K_M,
    Spec,
    build_home,
    home_env,
    write_gguf,
)

from desktop.models.app_folders import Location, Source, app_locations
from desktop.models.drafts import find_drafts
from desktop.models.library import Library, scan_library

pytest.importorskip("gguf")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, Path, dict[str, set[str]]]:
    store = tmp_path / "store"
    verifier = write_gguf(store / "verifier.gguf", Spec(params=60000))
    draft = write_gguf(store / "draft.gguf", Spec(params=55000, file_type=Q3_K_M))
    expected = build_home(tmp_path / "home", verifier, draft, store, tmp_path / "extra")
    return tmp_path / "home", tmp_path / "extra", expected


def _library(home: Path, extra: Path, cache: Path) -> Library:
    apps = [loc for loc in app_locations("linux", home, {}) if loc.root.is_relative_to(home)]
    return scan_library((*apps, Location(Source.FOLDER, extra)), cache)


def _by_source(names: list[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for source, name in names:
        out.setdefault(source, set()).add(name)
    return out


def test_every_file_is_found_in_place_and_named_as_its_app_does(
    home: tuple[Path, Path, dict[str, set[str]]], tmp_path: Path
) -> None:
    fake_home, extra, expected = home
    library = _library(fake_home, extra, tmp_path / "cache.json")
    assert _by_source([(m.source.value, m.name) for m in library.models]) == expected
    ollama = next(m for m in library.models if m.name == OLLAMA_DRAFT)
    assert ollama.path.parent.name == "blobs" and ollama.path.name.startswith("sha256-")
    assert ollama.target == (tmp_path / "store" / "draft.gguf").resolve()
    hf = next(m for m in library.models if m.name == HF_CLONE)
    assert "snapshots" in hf.path.parts and hf.target == (tmp_path / "store" / "clone.gguf").resolve()
    assert not any(p.is_file() and not p.is_symlink() for p in (fake_home / ".lmstudio").rglob("*.gguf")), (
        "copied"
    )
    skipped = {(s.source.value, s.name): s.reason for s in library.skipped}
    assert skipped == {
        ("GPT4All", "notes.gguf"): "not a GGUF file (starts with b'hell')",
        ("LM Studio", "bartowski/Gone-GGUF/gone.gguf"): "broken link",
    }


def test_drafts_for_each_verifier(home: tuple[Path, Path, dict[str, set[str]]], tmp_path: Path) -> None:
    fake_home, extra, _ = home
    library = _library(fake_home, extra, tmp_path / "cache.json")
    report = find_drafts(library.find(LM_STUDIO_VERIFIER), library.models)
    assert [d.model.name for d in report.drafts] == [HF_CLONE, OLLAMA_DRAFT]
    why = {r.model.name: r.reasons for r in report.refused}
    assert LM_STUDIO_VERIFIER not in why
    assert why["other-vocab"][0].startswith("vocabulary sizes within 128")
    assert why["nested/added.gguf"][0].startswith(
        "identical token text: token texts differ between ids 5 and 516"
    )
    assert why["unsloth_Qwen3-Next_qwen3next.gguf"][0].startswith("qwen3next keeps a recurrent state")
    assert why["hf.co/bartowski/Qwen3-GGUF:Q4_K_M"][0] == (
        "a different architecture: the verifier is llama, this file qwen3"
    )

    as_verifier = find_drafts(library.find(OLLAMA_DRAFT), library.models)
    assert [d.model.name for d in as_verifier.drafts] == [HF_CLONE]
    refused = {r.model.name: r.reasons for r in as_verifier.refused}
    assert refused[LM_STUDIO_VERIFIER][0].startswith("not smaller than the verifier")

    nothing = find_drafts(library.find("Llama-Vocab"), library.models)
    assert nothing.drafts == () and len(nothing.refused) == len(library.models) - 1


def _tandem(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "models", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_line_list_and_drafts(home: tuple[Path, Path, dict[str, set[str]]], tmp_path: Path) -> None:
    fake_home, extra, expected = home
    env = home_env(fake_home, tmp_path)
    listed = _tandem(env, "list", "--json", "--folder", str(extra))
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    mine = [
        m for m in data["models"] if fake_home in Path(m["path"]).parents or extra in Path(m["path"]).parents
    ]
    assert _by_source([(m["source"], m["name"]) for m in mine]) == expected
    verifier = next(m for m in mine if m["name"] == LM_STUDIO_VERIFIER)
    assert verifier["architecture"] == "llama" and verifier["vocab_size"] == 700
    assert verifier["size"] == Path(verifier["path"]).stat().st_size
    assert {"name": "notes.gguf", "reason": "not a GGUF file (starts with b'hell')"}.items() <= next(
        s for s in data["skipped"] if s["name"] == "notes.gguf"
    ).items()
    assert {p["name"] for p in data["pairs"]} >= {"default", "tiny", "coder-7b"}
    assert (tmp_path / "cache" / "gguf-info.json").is_file()

    text = _tandem(env, "drafts", OLLAMA_DRAFT)
    assert text.returncode == 0, text.stderr
    assert f"1. Hugging Face cache: {HF_CLONE}" in text.stdout
    assert f"LM Studio: {LM_STUDIO_VERIFIER}: not smaller than the verifier" in text.stdout
    assert "GPT4All: notes.gguf: not a GGUF file (starts with b'hell')" in text.stdout

    as_json = json.loads(_tandem(env, "drafts", LM_STUDIO_VERIFIER, "--json").stdout)
    assert [d["name"] for d in as_json["drafts"]] == [HF_CLONE, OLLAMA_DRAFT]
    assert all(r["reasons"] for r in as_json["refused"])

    unknown = _tandem(env, "drafts", "no-such-model")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr == "tandem: no model called 'no-such-model'; see: tandem models list\n"
