"""The app icon and the About box."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.ui.about import ICON_SIZES, about_html, app_icon
from desktop.ui.window import MainWindow


def test_the_icon_has_every_size(qapp: object) -> None:
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert sizes == set(ICON_SIZES)


def test_about_names_versions_backend_folders_and_licences(data_dir: object) -> None:
    html = about_html()
    facts = ("Tandem ", "llama-cpp-python 0.3.36", "CPU variant:", "GPU backend:", "Models: ", "LGPL-3.0")
    for fact in facts:
        assert fact in html
    assert str(data_dir) in html


def test_f1_opens_the_about_box(window: MainWindow, qtbot: QtBot) -> None:
    window.show_about()
    qtbot.waitUntil(lambda: window.findChild(object, "about") is not None)
    box = window.findChild(object, "about")
    assert "CPU variant:" in box.text()  # type: ignore[union-attr]
