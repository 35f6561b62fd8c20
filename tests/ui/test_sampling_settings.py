"""Stop strings and the repeat penalty: in the pair dialog, kept in settings, used by replies."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.engine.config import GenerationConfig
from desktop.engine.events import FinishReason
from desktop.ui.pair_dialog import PairDialog
from desktop.ui.preferences import Preferences, format_stop_strings, parse_stop_strings
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.ui.test_chat_features import send


def test_stop_strings_are_typed_one_per_line_with_escapes() -> None:
    stops = parse_stop_strings("User:\n\n\\n\\n\n###\\t")
    assert stops == ("User:", "\n\n", "###\t")
    assert parse_stop_strings(format_stop_strings(stops)) == stops


def test_the_dialog_sets_them_and_settings_keep_them(qtbot: QtBot, tmp_path: Path) -> None:
    prefs = default_preferences()
    dialog = PairDialog(prefs.choice, prefs.generation, [], False)
    qtbot.addWidget(dialog)
    dialog.repeat_penalty.setValue(1.3)
    dialog.stop_strings.setPlainText("User:\n\\n\\n")
    generation = dialog.result_value().generation
    assert generation.sampling.repeat_penalty == 1.3 and generation.stop == ("User:", "\n\n")
    Settings(tmp_path / "s.ini").save(Preferences(prefs.choice, generation))
    loaded = Settings(tmp_path / "s.ini").load().generation
    assert loaded.stop == ("User:", "\n\n") and loaded.sampling.repeat_penalty == 1.3
    again = PairDialog(prefs.choice, loaded, [], False)
    qtbot.addWidget(again)
    assert again.stop_strings.toPlainText() == "User:\n\\n\\n" and again.repeat_penalty.value() == 1.3


def test_a_stop_string_ends_the_reply_before_it(qtbot: QtBot, window: MainWindow) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=30, stop=("gh",))
    send(qtbot, window, "abc")  # the fake language counts on from the prompt's last letter
    reply = c.chat.conversation.messages()[-1]
    assert reply.content == "uvwxyabcdef" and reply.finish_reason is FinishReason.STOP
