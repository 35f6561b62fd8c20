"""A stand-in for llama-server on 127.0.0.1: /health, and a canned /completion that echoes
what it was sent, so a test can check the request."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

CANNED = {
    "prompt_n": 3,
    "prompt_ms": 12.5,
    "predicted_n": 16,
    "predicted_per_second": 42.5,
    "draft_n": 20,
    "draft_n_accepted": 15,
}


class Handler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []  # noqa: RUF012 - shared by design: the test reads it

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append(body)
        if body.get("stream"):  # server-sent events: a token, then the last chunk with timings
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for chunk in ({"content": "hi", "stop": False}, {"content": "", "stop": True, "timings": CANNED}):
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            return
        self._send(200, {"content": "hi", "tokens_predicted": 16, "timings": CANNED})

    def log_message(self, *args: object) -> None:
        pass


def serve(port: int = 0) -> tuple[HTTPServer, threading.Thread]:
    server = HTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


if __name__ == "__main__":  # run as a fake llama-server binary: --port N among the arguments
    if "--help" in sys.argv:
        print("--spec-draft-n-max N\n--spec-draft-n-min N\n--spec-draft-p-min P\n--no-webui")
        sys.exit(0)
    port = int(sys.argv[sys.argv.index("--port") + 1])
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
