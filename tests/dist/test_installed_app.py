"""The installed app, tested the way a user gets it: the .deb from `make dist` unpacked with
`dpkg-deb -x`, HOME an empty folder, run from there with no checkout, venv or compiler in sight."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.dist

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.tandem.Tandem"
# The light theme's highlight backgrounds (desktop/ui/theme.py): accepted draft, verifier.
ACCEPTED = ("#c8efd2", "#b3e5bf")
VERIFIER = ("#d4e2ff", "#bfd3fb")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newest .deb in dist/, unpacked into a fresh root."""
    debs = sorted((ROOT / "dist").glob("tandem_*.deb"), key=lambda p: p.stat().st_mtime)
    if not debs:
        pytest.fail("no .deb in dist/: run make dist")
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(root)], check=True)
    return root


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty home whose data folder holds the tiny pair as links (and their hash records)."""
    from desktop.models.listing import pair_paths

    home = tmp_path_factory.mktemp("home")
    models = home / "data" / "models"
    models.mkdir(parents=True)
    for gguf in pair_paths("tiny"):
        (models / gguf.name).symlink_to(gguf)
        shutil.copy2(f"{gguf}.sha256", models / f"{gguf.name}.sha256")
    return home


def run(
    installed: Path, home: Path, *args: str, timeout: float = 900, app: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TANDEM_DATA_DIR": str(home / "data"),
        "TANDEM_THEME": "light",
        "QT_QPA_PLATFORM": "offscreen",
        "NO_COLOR": "1",
    }
    exe = (app or installed / "opt" / "tandem") / "tandem"
    return subprocess.run(
        [str(exe), *args], cwd=home, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def before(installed: Path) -> Iterator[set[Path]]:
    """The installed files, to check afterwards that the app wrote nothing among them."""
    yield set(installed.rglob("*"))


def test_the_package_installs_like_an_app(installed: Path) -> None:
    assert os.readlink(installed / "usr" / "bin" / "tandem") == "/opt/tandem/tandem"
    share = installed / "usr" / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    lib = installed / "opt" / "tandem" / "_internal" / "llama_cpp" / "lib"
    variants = {p.name[len("libggml-cpu-") : -3] for p in lib.glob("libggml-cpu-*.so")}
    assert {"x64", "sse42", "haswell", "icelake", "sapphirerapids"} <= variants


def test_version_names_the_cpu_variant_chosen(installed: Path, home: Path, before: set[Path]) -> None:
    done = run(installed, home, "--version", timeout=120)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines()[2:])
    assert done.stdout.startswith("Tandem ") and "(installed app)" in done.stdout.splitlines()[0]
    lib = installed / "opt" / "tandem" / "_internal" / "llama_cpp" / "lib"
    assert (lib / f"libggml-cpu-{lines['CPU variant']}.so").is_file()
    assert lines["CPU variant"] != "sapphirerapids"  # the AMX variant only when asked for
    assert lines["GPU backend"] == "none"


def test_generate_streams_steps_then_done(installed: Path, home: Path, before: set[Path]) -> None:
    done = run(installed, home, "generate", "--pair", "tiny", "--json", "--prompt", "Count to five.",
               "--max-tokens", "24")  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1]["type"] == "done" and events[-1]["stats"]["tokens"] > 0
    assert any(e["type"] == "step" and e["accepted"] for e in events)


def _has_colour(pixels: np.ndarray, hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return bool(np.any((pixels[..., 0] == b) & (pixels[..., 1] == g) & (pixels[..., 2] == r)))


def test_the_window_shows_both_highlights(installed: Path, home: Path, before: set[Path]) -> None:
    from PySide6.QtGui import QImage

    png = home / "shot.png"
    done = run(installed, home, "--screenshot", str(png), "--pair", "tiny", "--prompt",
               "Write three short sentences about the sea.")  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = QImage(str(png)).convertToFormat(QImage.Format.Format_ARGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    assert any(_has_colour(pixels, c) for c in ACCEPTED), "no accepted-draft highlight"
    assert any(_has_colour(pixels, c) for c in VERIFIER), "no verifier highlight"


def test_a_bad_model_path_is_one_line_and_status_2(installed: Path, home: Path, before: set[Path]) -> None:
    missing = str(home / "nope.gguf")
    done = run(installed, home, "generate", "--verifier", missing, "--prompt", "hi", timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("tandem: ") and "nope.gguf" in done.stderr


def test_nothing_was_written_inside_the_installed_app(installed: Path, before: set[Path]) -> None:
    assert set(installed.rglob("*")) == before


@pytest.fixture(scope="module")
def offline_edition(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installed app with the tiny pair put inside by the same step as `make dist
    WITH_MODELS=tiny` (the app's files linked, not copied, to spare the disk)."""
    app = tmp_path_factory.mktemp("offline") / "tandem"
    shutil.copytree(installed / "opt" / "tandem", app, symlinks=True, copy_function=os.link)
    bundle = [sys.executable, str(ROOT / "packaging" / "bundle_models.py"), str(app), "tiny"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(bundle, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return app


def test_the_offline_edition_chats_from_an_empty_home(offline_edition: Path, tmp_path: Path) -> None:
    home = tmp_path / "empty-home"
    home.mkdir()
    inside = {p: p.lstat().st_mtime_ns for p in offline_edition.rglob("*")}
    done = run(offline_edition, home, "generate", "--pair", "tiny", "--json", "--prompt", "Name a colour.",
               "--max-tokens", "12", app=offline_edition)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["type"] == "done"
    listed = run(offline_edition, home, "models", "list", app=offline_edition)
    assert "Bundled with the app" in listed.stdout and "tiny" in listed.stdout and "installed" in listed.stdout
    assert not list(home.rglob("*.gguf")), "a bundled model was copied into the data folder"
    assert {p: p.lstat().st_mtime_ns for p in offline_edition.rglob("*")} == inside
