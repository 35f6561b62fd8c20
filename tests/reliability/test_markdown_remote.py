"""A reply's Markdown never loads anything: no remote image, no local file; links open on click only."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.qt.conversation import ConversationModel
from desktop.store.records import ChatMessage
from desktop.ui.chat_view import ChatView
from desktop.ui.markdown import render_html
from desktop.ui.theme import LIGHT

PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f2b3a40000000049454e44ae426082"
)


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request path."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PIXEL)))
            self.end_headers()
            self.wfile.write(PIXEL)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def show_reply(qtbot: QtBot, text: str) -> ChatView:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    model.load(1, "t", [ChatMessage(1, "user", "hi"), ChatMessage(2, "assistant", text)])
    view.viewport().repaint()  # layout and paint: when Qt would load images
    QApplication.processEvents()
    return view


def test_a_remote_image_is_never_requested(
    qtbot: QtBot, server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, seen = server
    connects: list[object] = []
    real_connect = socket.socket.connect

    def guard(self: socket.socket, address: object) -> None:
        connects.append(address)
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guard)
    reply = f"Look: ![x]({base}/pixel.png) and [a page]({base}/page)\n\n<img src='{base}/raw.png'>"
    view = show_reply(qtbot, reply)
    assert seen == [] and connects == []
    assert "[image: x]" in view.document().toPlainText()


def test_images_render_as_links_not_images() -> None:
    html = render_html("![a cat](http://example.com/cat.png)", LIGHT)
    assert "<img" not in html
    assert '<a href="http://example.com/cat.png">[image: a cat]</a>' in html


def test_the_view_loads_no_resource_not_even_a_local_file(qtbot: QtBot, tmp_path: Path) -> None:
    png = tmp_path / "pixel.png"
    png.write_bytes(PIXEL)
    view = show_reply(qtbot, "text")
    kind = int(QTextDocument.ResourceType.ImageResource.value)
    for url in (QUrl.fromLocalFile(str(png)), QUrl("http://127.0.0.1:9/x.png"), QUrl(str(png))):
        assert not view.loadResource(kind, url)


def test_links_open_in_the_system_browser_only_on_click(
    qtbot: QtBot, server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, seen = server
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    view = show_reply(qtbot, f"See [the docs]({base}/docs).")
    assert opened == []  # showing a link opens nothing
    view.anchorClicked.emit(QUrl(f"{base}/docs"))
    assert opened == [f"{base}/docs"]
    assert seen == []  # the view itself fetched nothing: the browser would
    assert not view.openLinks() and not view.openExternalLinks()
