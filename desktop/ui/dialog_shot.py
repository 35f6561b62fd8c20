"""Saves a PNG of the model-pair dialog with its verdict (for the README): run as a module.

python -m desktop.ui.dialog_shot PATH [--verifier FILE --draft FILE] [--tab models|sampling|drafting]
"""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.qt.controller import ChatController
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.ui import theme
from desktop.ui.app import gpu_offload
from desktop.ui.pair_dialog import PairDialog
from desktop.ui.preferences import PairChoice
from desktop.ui.settings import default_preferences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.ui.dialog_shot")
    parser.add_argument("path")
    parser.add_argument("--verifier")
    parser.add_argument("--draft")
    parser.add_argument("--tab", choices=["models", "sampling", "drafting"], default="models")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    theme.apply(app, theme.pick("system"))
    from desktop.models.listing import list_pairs

    prefs = default_preferences()
    choice = (
        PairChoice(pair=None, verifier=args.verifier, draft=args.draft) if args.verifier else prefs.choice
    )
    store = Store(":memory:")
    controller = ChatController(store, PairWorker())
    pairs = [(p.name, p.title, p.installed) for p in list_pairs()]
    dialog = PairDialog(choice, prefs.generation, pairs, gpu_offload())
    dialog.tabs.setCurrentIndex(["models", "sampling", "drafting"].index(args.tab))
    session = controller.session
    session.worker.files_checked.connect(dialog.show_verdict)
    loop = QEventLoop()
    session.worker.files_checked.connect(loop.quit)
    dialog.check_requested.connect(session.check_files)
    dialog._source_changed()  # ask again now that the verdict has somewhere to go
    QTimer.singleShot(120_000, loop.quit)
    dialog.show()
    loop.exec()
    for _ in range(3):  # let the layout take in the verdict's text
        app.processEvents()
    dialog.adjustSize()
    app.processEvents()
    ok = dialog.grab().save(args.path, "PNG")
    controller.shutdown()
    store.close()
    print(f"saved {args.path}" if ok else f"could not write {args.path}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
