"""Light and dark themes: the palette, the style sheet, and the colours of the step highlights."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True, slots=True)
class Theme:
    """Every colour the window uses; highlight colours alternate per step to show boundaries."""

    name: str
    dark: bool
    window: str
    base: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    sidebar: str
    selection: str
    user_bubble: str
    code_bg: str
    accepted: tuple[str, str]
    verifier: tuple[str, str]
    rejected: str
    good: str  # text that says something pays off (speculation faster than the verifier alone)
    warning: str
    error_bg: str
    pygments_style: str


LIGHT = Theme(
    name="light",
    dark=False,
    window="#f6f7f9",
    base="#ffffff",
    text="#1f2328",
    muted="#6a737d",
    border="#d9dde3",
    accent="#2f6fdb",
    accent_text="#ffffff",
    sidebar="#eef0f3",
    selection="#dce6f7",
    user_bubble="#eef2f8",
    code_bg="#f4f6f8",
    accepted=("#c8efd2", "#b3e5bf"),
    verifier=("#d4e2ff", "#bfd3fb"),
    rejected="#c0392b",
    good="#1f7a45",
    warning="#9a6700",
    error_bg="#fde7e9",
    pygments_style="default",
)

DARK = Theme(
    name="dark",
    dark=True,
    window="#1c1d21",
    base="#232428",
    text="#e4e6ea",
    muted="#9aa1ab",
    border="#393b42",
    accent="#5b95f5",
    accent_text="#ffffff",
    sidebar="#18191c",
    selection="#2c3a52",
    user_bubble="#2c313a",
    code_bg="#1a1b1e",
    accepted=("#1e5231", "#256139"),
    verifier=("#24406f", "#2d4d84"),
    rejected="#ff7b72",
    good="#56d364",
    warning="#d29922",
    error_bg="#4a2326",
    pygments_style="github-dark",
)


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def pick(preference: str) -> Theme:
    """ "light", "dark" or "system"; TANDEM_THEME overrides (for screenshots)."""
    choice = os.environ.get("TANDEM_THEME") or preference
    if choice == "dark":
        return DARK
    if choice == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def palette(theme: Theme) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.sidebar,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.base,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: theme.accent_text,
        QPalette.ColorRole.ToolTipBase: theme.base,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
        QPalette.ColorRole.Mid: theme.border,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.muted))
    return p


def style_sheet(t: Theme, font_size: int = 0) -> str:
    """The window's style sheet; `font_size` points for every widget (0: the system's size).

    The size lives here, not in QApplication.setFont: widgets a style sheet has polished
    keep their font when only the application font changes.
    """
    size = f"* {{ font-size: {font_size}pt; }}" if font_size > 0 else ""
    return f"""
    {size}
    QWidget#sidebar {{ background: {t.sidebar}; border-right: 1px solid {t.border}; }}
    QListWidget#conversations {{ background: transparent; border: none; outline: none; }}
    QListWidget#conversations::item {{ padding: 7px 10px; border-radius: 6px; margin: 1px 6px; }}
    QListWidget#conversations::item:selected {{ background: {t.selection}; color: {t.text}; }}
    QListWidget#conversations::item:hover:!selected {{ background: {t.border}; }}
    QLineEdit, QPlainTextEdit {{
        border: 1px solid {t.border}; border-radius: 6px; padding: 4px 6px; background: {t.base}; }}
    QLineEdit:focus, QPlainTextEdit:focus {{ border: 1px solid {t.accent}; }}
    QFrame#composer {{ border: 1px solid {t.border}; border-radius: 10px; background: {t.base}; }}
    QFrame#composer QPlainTextEdit {{ border: none; background: transparent; }}
    QPushButton {{ border: 1px solid {t.border}; border-radius: 6px; padding: 5px 12px;
        background: {t.base}; }}
    QPushButton:hover {{ border-color: {t.accent}; }}
    QPushButton:focus {{ border: 2px solid {t.accent}; }}
    QPushButton:disabled {{ color: {t.muted}; }}
    QPushButton#primary {{ background: {t.accent}; color: {t.accent_text}; border-color: {t.accent}; }}
    QPushButton#primary:focus {{ border: 2px solid {t.text}; }}
    QListWidget#conversations QLineEdit {{ padding: 0px 4px; border-radius: 3px; margin: 0px; }}
    QPushButton#primary:disabled {{ background: {t.border}; border-color: {t.border}; color: {t.muted}; }}
    QPushButton#pairButton {{ font-weight: 600; }}
    QWidget#topbar, QWidget#statsStrip {{ background: {t.window}; }}
    QWidget#topbar {{ border-bottom: 1px solid {t.border}; }}
    QWidget#statsStrip {{ border-top: 1px solid {t.border}; }}
    QLabel#muted {{ color: {t.muted}; }}
    QLabel#banner {{ background: {t.error_bg}; border-radius: 6px; padding: 6px 10px; }}
    QTextBrowser#chat {{ border: none; background: {t.base}; }}
    QToolTip {{ border: 1px solid {t.border}; padding: 6px; }}
    QProgressBar {{ border: 1px solid {t.border}; border-radius: 5px; text-align: center; height: 14px; }}
    QProgressBar::chunk {{ background: {t.accent}; border-radius: 4px; }}
    """


def apply(app: QApplication, theme: Theme, font_size: int = 0) -> None:
    """Fusion with the theme's palette looks the same on every platform, light or dark."""
    app.setStyle("Fusion")
    app.setPalette(palette(theme))
    app.setStyleSheet(style_sheet(theme, font_size))
