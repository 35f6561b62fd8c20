"""The Preferences dialog: theme and font size apply to the open window at once and persist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.qt.controller import ChatController
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.ui import theme as themes
from desktop.ui.preferences_dialog import SYSTEM_SIZE, PreferencesDialog
from desktop.ui.settings import Settings
from desktop.ui.window import MainWindow
from tests.qtfakes import FakeLoader, ok_checker


@pytest.fixture(autouse=True)
def restore_look() -> Iterator[None]:
    """The palette and font are the application's: leave them as the other tests expect."""
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    themes.apply(app, themes.LIGHT)


def preferences_action(window: MainWindow) -> QAction:
    for menu in window.menuBar().findChildren(QAction):
        if menu.text() == "Preferences…":
            return menu
    raise AssertionError("no Preferences… entry in the menus")


def open_dialog(window: MainWindow) -> PreferencesDialog:
    preferences_action(window).trigger()
    dialog = window.preferences_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def saved(window: MainWindow) -> Settings:
    return Settings(Path(window.settings._s.fileName()))


def background(window: MainWindow) -> QColor:
    return window.chat.viewport().grab().toImage().pixelColor(4, 4)


def test_the_menu_entry_has_ctrl_comma(window: MainWindow) -> None:
    assert preferences_action(window).shortcut() == QKeySequence("Ctrl+,")


def test_choosing_dark_repaints_the_open_window_and_is_saved(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TANDEM_THEME")
    assert background(window) == QColor(themes.LIGHT.base)
    dialog = open_dialog(window)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    assert window.chat.palette().color(QPalette.ColorRole.Base) == QColor(themes.DARK.base)
    assert window.sidebar.palette().color(QPalette.ColorRole.Window) == QColor(themes.DARK.sidebar)
    assert window.composer.edit.palette().color(QPalette.ColorRole.Text) == QColor(themes.DARK.text)
    assert background(window) == QColor(themes.DARK.base)
    assert window.theme is themes.DARK
    assert saved(window).load().theme == "dark"


def test_tandem_theme_still_overrides_for_screenshots(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_THEME", "light")
    dialog = open_dialog(window)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    assert window.theme is themes.LIGHT and background(window) == QColor(themes.LIGHT.base)
    assert saved(window).load().theme == "dark"  # the choice is kept for when it is unset


def test_font_size_changes_the_chat_view_sidebar_and_composer(window: MainWindow) -> None:
    system = window.chat.font().pointSize()
    dialog = open_dialog(window)
    dialog.font_size.setValue(system + 7)
    dialog.accept()
    for widget in (window.chat, window.sidebar.list, window.composer.edit):
        assert widget.font().pointSize() == system + 7
    assert window.chat.document().defaultFont().pointSize() == system + 7
    assert saved(window).load().font_size == system + 7

    dialog = open_dialog(window)
    assert dialog.font_size.value() == system + 7
    dialog.font_size.setValue(SYSTEM_SIZE)  # "Same as the system"
    dialog.accept()
    assert window.chat.font().pointSize() == system
    assert saved(window).load().font_size == 0


def test_cancel_changes_nothing(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TANDEM_THEME")
    dialog = open_dialog(window)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.reject()
    assert window.theme is themes.LIGHT and saved(window).load().theme == "system"


@pytest.mark.parametrize(
    ("key", "value"),
    [("view/theme", "purple"), ("view/font_size", "3"), ("view/font_size", "400"), ("view/font_size", "big")],
)
def test_an_invalid_stored_value_is_reset_with_a_notice(tmp_path: Path, key: str, value: str) -> None:
    raw = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    raw.setValue(key, value)
    raw.sync()
    settings = Settings(tmp_path / "s.ini")
    prefs = settings.load()
    assert (prefs.theme, prefs.font_size) == ("system", 0)
    assert f"{key} = {value}" in settings.reset_notice()


def test_a_restarted_window_opens_dark_at_the_saved_size(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TANDEM_THEME")
    system = window.chat.font().pointSize()
    dialog = open_dialog(window)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.font_size.setValue(system + 5)
    dialog.accept()
    themes.apply(QApplication.instance(), themes.LIGHT)  # type: ignore[arg-type]  # as a new process starts
    settings = saved(window)
    store = Store(":memory:")
    controller = ChatController(store, PairWorker(loader=FakeLoader(), checker=ok_checker))
    again = MainWindow(controller, settings, settings.load(), gpu_offload=False)
    qtbot.addWidget(again)
    again.show()
    try:
        assert again.theme is themes.DARK and background(again) == QColor(themes.DARK.base)
        assert again.chat.font().pointSize() == system + 5
    finally:
        controller.shutdown()
        store.close()
