"""The window's chat features on a fake pair: system prompt box and presets, variants, message
actions, Continue."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.ui.chat.actions import href
from desktop.ui.settings import DEFAULT_PRESETS, Settings
from desktop.ui.window import MainWindow


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    with qtbot.waitSignal(window.controller.chat.reply_finished, timeout=5000):
        window.composer.edit.setPlainText(text)
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


def click(window: MainWindow, action: str, mid: int) -> None:
    """What clicking a header action does (anchors have no widget to click)."""
    assert href(action, mid) in window.chat.toHtml()  # the action is on screen
    window.chat.anchorClicked.emit(QUrl(href(action, mid)))


def test_the_system_prompt_box_sets_the_conversations_prompt(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=4)
    bar = window.system_prompt
    assert [bar.preset_box.itemText(i) for i in range(1, bar.preset_box.count())] == [
        p.name for p in DEFAULT_PRESETS
    ]
    qtbot.mouseClick(bar.toggle, Qt.MouseButton.LeftButton)
    assert bar.editor.isVisible()
    bar.preset_box.activated.emit(2)  # "Concise"
    assert bar.text() == DEFAULT_PRESETS[1].text
    qtbot.keyClicks(bar.editor, " Use lists.")
    send(qtbot, window, "abc")
    cid = c.chat.conversation.conversation_id or 0
    expected = DEFAULT_PRESETS[1].text + " Use lists."
    assert c.chat.store.conversation(cid).system_prompt == expected  # type: ignore[union-attr]
    window.new_conversation()
    assert bar.text() == "" and "none" in bar.summary.text()
    c.chat.open_conversation(cid)
    assert bar.text() == expected

    bar.add_preset("Mine")
    assert Settings(tmp_path / "settings.ini").system_presets()[-1].text == expected


def test_regenerate_shows_variants_and_the_arrows_flip_them(qtbot: QtBot, window: MainWindow) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=6, draft=DraftConfig(draft_max=3))
    send(qtbot, window, "abc")
    first = c.chat.conversation.messages()[-1]
    assert "1/2" not in window.chat.toPlainText()
    with qtbot.waitSignal(c.chat.reply_finished, timeout=5000):
        qtbot.mouseClick(window.composer.regenerate, Qt.MouseButton.LeftButton)
    second = c.chat.conversation.messages()[-1]
    assert "2/2" in window.chat.toPlainText()
    click(window, "previous", second.id)
    assert c.chat.conversation.messages()[-1].id == first.id
    assert "1/2" in window.chat.toPlainText()


def test_editing_an_earlier_message_from_its_header(qtbot: QtBot, window: MainWindow) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=4)
    send(qtbot, window, "abc")
    send(qtbot, window, "def")
    first = c.chat.conversation.messages()[0]
    click(window, "edit", first.id)
    assert window.composer.editing and window.composer.edit.toPlainText() == "abc"
    assert "earlier message" in window.composer.hint.text()
    send(qtbot, window, "xyz")
    assert [m.content for m in c.chat.conversation.messages() if m.role == "user"] == ["xyz"]
    reply = c.chat.conversation.messages()[-1]
    click(window, "delete", reply.id)
    assert [m.role for m in c.chat.conversation.messages()] == ["user"]


def test_continue_appears_only_after_the_token_limit(qtbot: QtBot, window: MainWindow) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=5)
    assert not window.composer.continue_reply.isVisible()
    send(qtbot, window, "abc")
    assert window.composer.continue_reply.isVisible() and window.composer.continue_reply.isEnabled()
    before = c.chat.conversation.messages()[-1].content
    with qtbot.waitSignal(c.chat.reply_finished, timeout=5000):
        qtbot.mouseClick(window.composer.continue_reply, Qt.MouseButton.LeftButton)
    after = c.chat.conversation.messages()[-1].content
    assert after.startswith(before) and len(after) == 10
    assert len(c.chat.conversation.messages()) == 2


def test_export_then_import_opens_an_identical_conversation(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=6, draft=DraftConfig(draft_max=3))
    window.system_prompt.editor.setPlainText("Be brief.")
    send(qtbot, window, "abc")
    original, cid = c.chat.conversation.messages(), c.chat.conversation.conversation_id
    assert window.transfer.export_to(tmp_path / "a.md", "md")
    assert "## You\n\nabc" in (tmp_path / "a.md").read_text(encoding="utf-8")
    assert window.transfer.export_to(tmp_path / "a.json", "json")
    assert window.transfer.import_from(tmp_path / "a.json")
    assert c.chat.conversation.conversation_id != cid and window.sidebar.list.count() == 2
    assert c.chat.conversation.system_prompt == "Be brief." and window.system_prompt.text() == "Be brief."
    assert [(m.role, m.content, m.steps) for m in c.chat.conversation.messages()] == [
        (m.role, m.content, m.steps) for m in original
    ]
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    assert not window.transfer.import_from(tmp_path / "bad.json")
    assert "not a conversation" in window.transfer.said
    assert not window.transfer.export_to(tmp_path / "missing" / "a.md", "md")
    assert window.transfer.said.startswith("Could not export")


def test_the_context_meter_counts_tokens_and_says_when_old_turns_are_left_out(
    qtbot: QtBot, window: MainWindow
) -> None:
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=5)
    meter = window.composer.context
    assert meter.isVisible() and meter.n_ctx == 2048  # the fake pair's context
    send(qtbot, window, "a" * 1500)
    first = c.chat.conversation.messages()[-1].stats
    assert first is not None and meter.used == first.prompt_tokens + first.tokens > 1500
    assert "left out" not in meter.label.text()
    assert f"{meter.used:,} / 2,048 tokens" in meter.label.text()
    send(qtbot, window, "b" * 600)  # the two turns no longer fit: the first exchange is left out
    assert meter.dropped == 2 and "2 old messages left out" in meter.label.text()
    assert "oldest" in meter.toolTip()
    assert meter.used < 2048
