"""One Tandem per data folder: a lock file there, and a local socket to wake the running one.

Two windows on one database would each mark the other's streaming reply as stopped when they
open it. The second launch instead asks the first to raise its window and exits. A lock left
by a process that died is stale (its process is gone) and is taken over.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

LOCK_NAME = "tandem.lock"
TIMEOUT_MS = 3000


def server_name(folder: Path) -> str:
    """The local socket's name: one per data folder, the same for every launch on it."""
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return f"tandem-{digest[:16]}"


class SingleInstance(QObject):
    """Holds the data folder's lock; `raise_requested` when a later launch asks for the window."""

    raise_requested = Signal()

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = server_name(folder)
        self._lock = QLockFile(str(folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, however old
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when no other Tandem runs on this folder; this one then listens for later launches.

        A folder where no lock file can be made (read-only) is not a reason to refuse to start:
        nothing can be saved there by either instance.
        """
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
        if not self._lock.tryLock(0) and self._lock.error() is QLockFile.LockError.LockFailedError:
            return False
        QLocalServer.removeServer(self.name)  # the socket file of an instance that died
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_connection)
        self._server.listen(self.name)
        return True

    def notify_running(self) -> bool:
        """Ask the Tandem that holds the lock to raise its window; False when it did not answer."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(TIMEOUT_MS):
            return False
        socket.write(b"raise\n")
        sent = socket.waitForBytesWritten(TIMEOUT_MS)
        socket.disconnectFromServer()
        return sent

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    @Slot()
    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.disconnected.connect(socket.deleteLater)
            self.raise_requested.emit()
