"""Screenshots of the model library for the README, from a fake home and a fake Hub.

    QT_QPA_PLATFORM=offscreen python -m tests.ui.library_shots OUT_DIR

The fake home links the installed tiny and default pairs where LM Studio, Ollama and Tandem keep
models (nothing is copied), adds a text file named .gguf, a broken link and a recurrent model;
the fake Hub serves the installed files under their Hugging Face names.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.models.listing import pair_paths

HOURS = 60_000


def _home(tmp: Path, tiny: tuple[Path, Path], default: tuple[Path, Path]) -> None:
    from tests.models.gguf_fakes import Spec, link, ollama_model, tokens, write_gguf

    home = tmp / "home"
    models = tmp / "data" / "models"
    for path in tiny:
        link(models / path.name, path)  # Tandem's bundled tiny pair
    lm = home / ".lmstudio" / "models"
    link(lm / "lmstudio-community/Qwen2.5-Coder-1.5B-Instruct-GGUF/Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf",
         default[0])  # fmt: skip
    link(lm / "bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf", tmp / "gone.gguf")
    ollama = home / ".ollama" / "models"
    ollama_model(ollama, ("registry.ollama.ai", "library", "qwen2.5-coder", "0.5b"), default[1])
    recurrent = write_gguf(
        tmp / "store" / "qwen3next.gguf", Spec(arch="qwen3next", vocab=tokens(800, "q"), params=8_000_000)
    )
    link(home / ".cache" / "llama.cpp" / "unsloth_Qwen3-Next-80B-A3B-Instruct-GGUF_Q4_K_M.gguf", recurrent)
    gpt4all = home / ".local/share/nomic.ai/GPT4All"
    gpt4all.mkdir(parents=True)
    (gpt4all / "notes.gguf").write_text("shopping list: eggs, flour\n")


def _environment(tmp: Path) -> None:
    home = tmp / "home"
    os.environ.update(
        HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), TANDEM_DATA_DIR=str(tmp / "data"),
        HF_HOME=str(tmp / "hf"), TANDEM_THEME="light",
    )  # fmt: skip
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "OLLAMA_MODELS", "JAN_DATA_FOLDER", "LLAMA_CACHE",
                 "HF_HUB_CACHE", "HF_TOKEN", "HF_HUB_OFFLINE", "TANDEM_CACHE_DIR"):  # fmt: skip
        os.environ.pop(name, None)


def _wait(app: QApplication, done: object, ms: int = HOURS) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if done() else None)  # type: ignore[operator]
    timer.start(20)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    for _ in range(5):
        app.processEvents()


def _save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path), "PNG")
    print(f"saved {path}", file=sys.stderr)


def main(out: Path) -> int:
    tiny, default = pair_paths("tiny"), pair_paths("default")  # before HOME moves
    tmp = Path(tempfile.mkdtemp(prefix="tandem-shots-"))
    _environment(tmp)
    _home(tmp, tiny, default)
    from desktop.engine.config import GenerationConfig
    from desktop.qt.controller import ChatController
    from desktop.qt.worker import PairWorker
    from desktop.store.db import Store
    from desktop.ui import theme
    from desktop.ui.library.dialog import LibraryDialog
    from desktop.ui.library.model_library import ModelLibrary
    from desktop.ui.pair_dialog import PairDialog
    from desktop.ui.preferences import PairChoice
    from desktop.ui.settings import Settings
    from tests.models.fake_hub import FakeHub

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply(app, theme.pick("light"))
    (tmp / "extra").mkdir()
    settings = Settings(tmp / "settings.ini")
    settings.save_model_folders((tmp / "extra", Path("/media/usb/models")))
    models = ModelLibrary(settings)
    dialog = LibraryDialog(models)
    dialog.resize(1280, 720)
    dialog.show_page(dialog.installed)
    _wait(app, lambda: models.library is not None)
    _save(dialog, out / "library.png")

    hub = FakeHub().start()
    os.environ["HF_ENDPOINT"] = hub.url
    hub.add_repo("Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
                 {"qwen2.5-coder-0.5b-instruct-q4_k_m.gguf": default[1]}, downloads=48_210)  # fmt: skip
    hub.add_repo("Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
                 {"qwen2.5-coder-1.5b-instruct-q4_k_m.gguf": default[0]}, downloads=61_877)  # fmt: skip
    hub.add_repo("HuggingFaceTB/SmolLM2-135M-Instruct-GGUF",
                 {"smollm2-135m-instruct-q4_1.gguf": tiny[0], "smollm2-135m-instruct-q3_k.gguf": tiny[1]},
                 downloads=9_385)  # fmt: skip
    page = dialog.hub
    dialog.show_page(page)
    page.query.setText("instruct")
    page.search.click()
    _wait(app, lambda: page.repos.topLevelItemCount() == 3)
    page.repos.setCurrentItem(page.repos.topLevelItem(1))
    _wait(app, lambda: page.files.topLevelItemCount() == 1)
    hub.pause_at = 312 * 10**6
    page.files.setCurrentItem(page.files.topLevelItem(0))
    page.download.click()
    _wait(app, lambda: hub.paused.is_set())
    page.repos.setCurrentItem(page.repos.topLevelItem(2))
    _wait(app, lambda: page.files.topLevelItemCount() == 2)
    page.files.setCurrentItem(page.files.topLevelItem(0))
    page.download.click()
    _wait(app, lambda: len(dialog.downloads.rows) == 2)
    _wait(app, lambda: False, 1500)  # the progress line catches up with the bytes sent
    _save(dialog, out / "download.png")
    hub.abort()
    dialog.shut_down()

    store = Store(":memory:")
    controller = ChatController(store, PairWorker())
    lm = tmp / "home/.lmstudio/models/lmstudio-community/Qwen2.5-Coder-1.5B-Instruct-GGUF"
    choice = PairChoice(pair=None, verifier=str(lm / "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf"))
    from desktop.models.listing import list_pairs

    pairs = [(p.name, p.title, p.installed) for p in list_pairs()]
    pair = PairDialog(choice, GenerationConfig(), pairs, False, library=models)
    pair.check_requested.connect(controller.check_files)
    controller.files_checked.connect(pair.show_verdict)
    pair.show()
    _wait(app, lambda: pair.drafts.selectable())
    pair.drafts._clicked(pair.drafts.list.item(0))  # type: ignore[arg-type]
    _wait(app, lambda: "Compatible" in pair.verdict.text(), 120_000)
    pair.resize(pair.sizeHint())
    _save(pair, out / "pair-drafts.png")
    controller.shutdown()
    store.close()
    models.close()
    hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
