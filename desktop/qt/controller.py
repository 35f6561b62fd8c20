"""The bridge between the widgets and the worker, in two halves with one reason to change each:
`PairSession` (the model pair: load, fetch, measure, the worker's thread) and `Chat` (the
conversations and their replies, streamed into the model and the store).

The window connects to whichever half owns what it shows; this object only builds the two
and shuts them down in order.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.qt.chat import Chat
from desktop.qt.session import PairSession
from desktop.qt.worker import PairWorker
from desktop.store.db import Store


class ChatController:
    """The model pair's session and the chat that runs its replies on it."""

    def __init__(self, store: Store, worker: PairWorker, parent: QObject | None = None) -> None:
        self.session = PairSession(worker, parent)
        self.chat = Chat(store, self.session, parent)

    def shutdown(self) -> None:
        """Stop whatever runs, end the worker's thread, and save what streamed."""
        self.chat.cancel()
        self.session.shutdown()
        self.chat.shutdown()
