"""Deleting a model removes Tandem's own file with its records, never another app's file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.models.errors import NotRemovableError
from desktop.models.remove import remove_model


def test_a_downloaded_model_goes_with_its_records_and_emptied_folders(tmp_path: Path) -> None:
    root = tmp_path / "models"
    model = root / "Qwen" / "Repo-GGUF" / "m-Q4_K_M.gguf"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"GGUF")
    for suffix in (".sha256", ".source.json", ".partial.json"):
        model.with_name(model.name + suffix).write_text("{}")
    neighbour = root / "Qwen" / "Other-GGUF" / "o.gguf"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_bytes(b"GGUF")
    gone = remove_model(model, root)
    assert len(gone) == 4 and not (root / "Qwen" / "Repo-GGUF").exists()
    assert neighbour.is_file() and root.is_dir()


def test_another_apps_file_is_refused_and_a_link_to_it_goes_alone(tmp_path: Path) -> None:
    root = tmp_path / "models"
    root.mkdir()
    theirs = tmp_path / ".lmstudio" / "models" / "pub" / "repo" / "x.gguf"
    theirs.parent.mkdir(parents=True)
    theirs.write_bytes(b"GGUF")
    with pytest.raises(NotRemovableError, match="was not installed by Tandem"):
        remove_model(theirs, root)
    link = root / "x.gguf"
    link.symlink_to(theirs)
    assert remove_model(link, root) == (link,)
    assert theirs.is_file() and not link.exists()


def test_every_part_of_a_split_model_goes(tmp_path: Path) -> None:
    parts = [tmp_path / f"big-0000{n}-of-00002.gguf" for n in (1, 2)]
    for part in parts:
        part.write_bytes(b"GGUF")
    remove_model(parts[0], tmp_path)
    assert not any(p.exists() for p in parts)
