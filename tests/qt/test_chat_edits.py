"""The controller's chat features: system prompt, variants, edit any message, delete, Continue."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.engine.chat import Message
from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.events import FinishReason
from desktop.qt.controller import ChatController
from desktop.qt.payloads import GenerateRequest
from desktop.store.records import DONE, reply_text


def send_and_wait(qtbot: QtBot, ctl: ChatController, text: str) -> None:
    with qtbot.waitSignal(ctl.chat.reply_finished, timeout=5000):
        assert ctl.chat.send(text)


def stored(ctl: ChatController) -> list:  # type: ignore[type-arg]
    return ctl.chat.store.messages(ctl.chat.conversation.conversation_id or 0)


def test_the_system_prompt_goes_first_in_every_request_and_is_saved(
    qtbot: QtBot, controller: ChatController
) -> None:
    controller.session.generation = GenerationConfig(max_tokens=5)
    requests: list[GenerateRequest] = []
    controller.session.generate_requested.connect(requests.append)
    controller.chat.edits.set_system_prompt("Answer in French.")  # before the conversation exists
    send_and_wait(qtbot, controller, "abc")
    controller.chat.edits.set_system_prompt("Answer in German.")
    send_and_wait(qtbot, controller, "def")
    assert requests[0].messages == (Message("system", "Answer in French."), Message("user", "abc"))
    assert requests[1].messages[0] == Message("system", "Answer in German.")
    cid = controller.chat.conversation.conversation_id or 0
    assert controller.chat.store.conversation(cid).system_prompt == "Answer in German."  # type: ignore[union-attr]
    controller.chat.new_conversation()
    assert controller.chat.conversation.system_prompt == ""
    controller.chat.open_conversation(cid)
    assert controller.chat.conversation.system_prompt == "Answer in German."


def test_regenerate_keeps_variants_to_flip_between(qtbot: QtBot, controller: ChatController) -> None:
    controller.session.generation = GenerationConfig(max_tokens=6)
    send_and_wait(qtbot, controller, "abc")
    first = controller.chat.conversation.messages()[-1]
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000):
        assert controller.chat.regenerate()
    second = controller.chat.conversation.messages()[-1]
    assert len(controller.chat.conversation.messages()) == 2
    assert second.variants == (first.id, second.id) and second.status == DONE
    assert controller.chat.edits.show_variant(second.id, -1)
    shown = controller.chat.conversation.messages()[-1]
    assert shown.id == first.id and shown.content == first.content and shown.steps == first.steps
    assert not controller.chat.edits.show_variant(first.id, -1)  # nothing before the first
    assert stored(controller) == list(controller.chat.conversation.messages())
    assert controller.chat.edits.show_variant(first.id, +1)
    assert controller.chat.conversation.messages()[-1].id == second.id


def test_editing_an_earlier_message_drops_what_followed_and_replies_again(
    qtbot: QtBot, controller: ChatController
) -> None:
    controller.session.generation = GenerationConfig(max_tokens=5)
    send_and_wait(qtbot, controller, "abc")
    send_and_wait(qtbot, controller, "def")
    first_user = controller.chat.conversation.messages()[0]
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000):
        assert controller.chat.edits.edit_message(first_user.id, "xyz")
    messages = controller.chat.conversation.messages()
    assert next((m.role, m.content) for m in messages) == ("user", "xyz")
    assert len(messages) == 2 and messages[1].status == DONE
    assert stored(controller) == list(messages)


def test_deleting_one_message_keeps_the_others(qtbot: QtBot, controller: ChatController) -> None:
    controller.session.generation = GenerationConfig(max_tokens=5)
    send_and_wait(qtbot, controller, "abc")
    send_and_wait(qtbot, controller, "def")
    reply = controller.chat.conversation.messages()[1]
    assert controller.chat.edits.delete_message(reply.id)
    assert [m.content for m in controller.chat.conversation.messages()][:1] == ["abc"]
    assert reply.id not in [m.id for m in controller.chat.conversation.messages()]
    assert [m.id for m in stored(controller)] == [m.id for m in controller.chat.conversation.messages()]


def test_continue_extends_a_reply_cut_at_the_token_limit(qtbot: QtBot, controller: ChatController) -> None:
    controller.session.generation = GenerationConfig(max_tokens=8, draft=DraftConfig(draft_max=3))
    send_and_wait(qtbot, controller, "abc")
    cut = controller.chat.conversation.messages()[-1]
    assert cut.finish_reason is FinishReason.LENGTH
    requests: list[GenerateRequest] = []
    controller.session.generate_requested.connect(requests.append)
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000):
        assert controller.chat.edits.continue_reply()
    assert requests[0].continuing and requests[0].messages[-1] == Message("assistant", cut.content)
    longer = controller.chat.conversation.messages()[-1]
    assert longer.id == cut.id and len(controller.chat.conversation.messages()) == 2
    assert longer.content.startswith(cut.content) and len(longer.content) == 16
    assert [s.index for s in longer.steps] == list(range(len(longer.steps)))
    assert longer.content == reply_text(longer.steps)
    # The fake language counts letters: the continuation picks up where the cut left off.
    assert longer.content[len(cut.content)] == chr((ord(cut.content[-1]) - ord("a") + 1) % 25 + ord("a"))
    assert stored(controller)[-1] == longer
