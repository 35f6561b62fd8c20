"""Offline laptops: Tandem opens no connection (and does not load huggingface_hub) unless asked to.

A guard in a fresh interpreter fails every socket connect except to the test's own fake Hub.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_hub import REPO, FakeHub, synthetic_gguf

ROOT = Path(__file__).resolve().parents[2]

GUARDED = """
import json, socket, sys

allowed = int(sys.argv[1])
attempts = []
real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex


def check(sock, address):
    if sock.family != socket.AF_UNIX:
        attempts.append(list(address[:2]))
        if address[0] not in ("127.0.0.1", "::1") or address[1] != allowed:
            raise OSError("blocked by the test's network guard")


def connect(self, address):
    check(self, address)
    return real_connect(self, address)


def connect_ex(self, address):
    check(self, address)
    return real_connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
import desktop.cli

steps = []
for argv in json.loads(sys.argv[2]):
    code = desktop.cli.main(argv)
    steps.append({"argv": argv, "code": code, "connects": list(attempts),
                  "hub_imported": "huggingface_hub" in sys.modules})
print(json.dumps(steps))
"""


def run_guarded(hub: FakeHub, *commands: list[str]) -> list[dict[str, object]]:
    argv = [sys.executable, "-c", GUARDED, str(hub.port), json.dumps(list(commands))]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    steps: list[dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return steps


def test_listing_models_opens_no_connection_and_search_only_the_hub(hub: FakeHub, tmp_path: Path) -> None:
    hub.add_repo(REPO, {"m-Q4_K_M.gguf": synthetic_gguf(tmp_path / "m.gguf", 2**16)})
    listing, search = run_guarded(hub, ["models", "list"], ["models", "search", "smollm2", "--json"])
    assert listing == {"argv": ["models", "list"], "code": 0, "connects": [], "hub_imported": False}
    assert search["code"] == 0
    assert search["connects"] and all(c == ["127.0.0.1", hub.port] for c in search["connects"])  # type: ignore[attr-defined]


@pytest.mark.slow
def test_generating_opens_no_connection(hub: FakeHub, tmp_path: Path, tiny_files: tuple[Path, Path]) -> None:
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    for path in tiny_files:  # the installed pair, linked in; its sidecars still match
        (models / path.name).symlink_to(path)
        shutil.copy(path.with_name(path.name + ".sha256"), models)
    generate = ["generate", "--pair", "tiny", "--prompt", "Hi", "--max-tokens", "4", "--json"]
    (step,) = run_guarded(hub, generate)
    assert step == {"argv": step["argv"], "code": 0, "connects": [], "hub_imported": False}
