"""Folders added in the window's library are saved in settings.ini and searched by the CLI too;
a folder that is gone stays in the list and is reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gguf_fakes import Spec, home_env, tokens, write_gguf

from desktop.ui.settings import Settings

pytest.importorskip("gguf")
ROOT = Path(__file__).resolve().parents[2]


def test_settings_keep_missing_folders_and_drop_relative_ones(tmp_path: Path) -> None:
    there, gone = tmp_path / "there", tmp_path / "gone"
    there.mkdir()
    settings = Settings(tmp_path / "s.ini")
    settings.save_model_folders((there, gone, there))
    again = Settings(tmp_path / "s.ini")
    assert again.model_folders() == (there, gone)
    assert again.missing_model_folders() == (gone,)
    assert again.reset == []
    (tmp_path / "bad.ini").write_text("[model_folders]\n1\\path=relative/dir\n2\\path=/abs\nsize=2\n")
    bad = Settings(tmp_path / "bad.ini")
    assert bad.model_folders() == (Path("/abs"),)
    assert bad.reset == ["model_folders/1/path = relative/dir"]


def test_the_command_line_searches_the_saved_folders(tmp_path: Path) -> None:
    home, added, gone = tmp_path / "home", tmp_path / "added", tmp_path / "gone"
    home.mkdir()
    write_gguf(added / "sub" / "mine-Q4_K_M.gguf", Spec(vocab=tokens(300), params=1000))
    env = home_env(home, tmp_path)
    Settings(tmp_path / "data" / "settings.ini").save_model_folders((added, gone))
    run = [sys.executable, "-m", "desktop", "models", "list"]
    listed = subprocess.run([*run, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert [(m["source"], m["name"]) for m in data["models"]] == [("added folder", "sub/mine-Q4_K_M.gguf")]
    assert {"source": "added folder", "path": str(gone), "exists": False} in data["searched"]
    text = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert f"Added folder {gone} does not exist now (kept in the list)" in text.stdout


def test_models_rm_deletes_tandems_own_and_refuses_other_apps(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = home_env(home, tmp_path)
    mine = write_gguf(tmp_path / "data" / "models" / "me" / "R-GGUF" / "mine-Q4_K_M.gguf", Spec(params=1000))
    theirs = write_gguf(home / ".lmstudio" / "models" / "pub" / "repo" / "theirs.gguf", Spec(params=1000))
    run = [sys.executable, "-m", "desktop", "models", "rm"]
    refused = subprocess.run([*run, "theirs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and theirs.is_file()
    assert refused.stderr.startswith(
        "tandem: pub/repo/theirs.gguf belongs to LM Studio; Tandem never deletes"
    )
    assert refused.stderr.count("\n") == 1
    done = subprocess.run([*run, "mine-Q4"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Deleted me/R-GGUF/mine-Q4_K_M.gguf (")
    assert not mine.exists() and not (tmp_path / "data" / "models" / "me").exists()
