"""Soak: does a long session leak memory or file descriptors?

Two parts, one process each, on the tiny pair:
  engine  10,000 speculative steps through ModelPair.reply, replies of --max-tokens each;
  window  300 replies sent through the real window offscreen (worker thread, store, view).
RSS and open descriptors are read after a warm-up (the first 5% of the work) and at the end.

    python benchmarks/soak.py engine --steps 10000 --json benchmarks/results/soak-engine.json
    python benchmarks/soak.py window --replies 300 --json benchmarks/results/soak-window.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROMPTS = [
    "Write a haiku about rain.",
    "List three uses of a paperclip.",
    "Explain recursion to a child in two sentences.",
    "Translate 'good morning, friends' into French and Spanish.",
    "Write a Python one-liner that reverses a string.",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def snapshot(label: str, done: int) -> dict[str, float | int | str]:
    gc.collect()
    return {"at": label, "done": done, "rss_mb": round(rss_mb(), 1), "fds": open_fds()}


def verdict(name: str, unit: str, total: int, marks: list[dict], seconds: float) -> dict:
    warm, end = marks[0], marks[-1]
    growth = (end["rss_mb"] - warm["rss_mb"]) / warm["rss_mb"]
    return {
        "part": name,
        unit: total,
        "seconds": round(seconds, 1),
        "rss_after_warmup_mb": warm["rss_mb"],
        "rss_end_mb": end["rss_mb"],
        "rss_growth": round(growth, 4),
        "rss_target_met": growth < 0.05,
        "fds_after_warmup": warm["fds"],
        "fds_end": end["fds"],
        "marks": marks,
    }


def soak_engine(steps: int, max_tokens: int, threads: int) -> dict:
    from desktop.engine.chat import Message
    from desktop.engine.config import DraftConfig, GenerationConfig, ModelConfig
    from desktop.engine.llamacpp import LlamaBackend
    from desktop.engine.pair import ModelPair, PairConfig
    from desktop.models.listing import pair_paths

    v, d = pair_paths("tiny")
    pair = ModelPair.load(
        LlamaBackend(),
        PairConfig(
            ModelConfig(str(v), n_ctx=2048, n_threads=threads),
            ModelConfig(str(d), n_ctx=2048, n_threads=threads),
        ),
    )
    cfg = GenerationConfig(max_tokens=max_tokens, draft=DraftConfig(draft_max=4))
    warmup, done, reply, marks = max(1, steps // 20), 0, 0, []
    started = time.perf_counter()
    while done < steps:
        history = [Message("user", PROMPTS[reply % len(PROMPTS)])]
        _, generation = pair.reply(history, cfg)
        for _step in generation:
            done += 1
            if done == warmup:
                marks.append(snapshot("warm-up", done))
            if done % 2000 == 0:
                marks.append(snapshot("progress", done))
                print(f"engine: {done} steps, RSS {marks[-1]['rss_mb']} MB", file=sys.stderr)
        reply += 1
    marks.append(snapshot("end", done))
    return verdict("engine", "steps", done, marks, time.perf_counter() - started) | {"replies": reply}


def soak_window(replies: int, max_tokens: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.models.listing import pair_paths

    installed = pair_paths("tiny")  # found in the real data folder, then linked into a fresh one
    data = Path(tempfile.mkdtemp(prefix="tandem-soak-"))
    (data / "models").mkdir()
    for model in installed:
        for path in (model, model.with_name(model.name + ".sha256")):
            if path.exists():
                (data / "models" / path.name).symlink_to(path)
    os.environ["TANDEM_DATA_DIR"] = str(data)
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from desktop.qt.collector import GuiThreadCollector
    from desktop.qt.controller import ChatController
    from desktop.qt.worker import PairWorker
    from desktop.store.db import Store, default_path
    from desktop.ui.settings import Settings, default_preferences
    from desktop.ui.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = GuiThreadCollector()  # as the app runs it
    prefs = default_preferences()
    prefs = replace(prefs, choice=replace(prefs.choice, pair="tiny", use_draft=True))
    default_path().parent.mkdir(parents=True, exist_ok=True)
    store = Store(default_path())
    controller = ChatController(store, PairWorker())
    controller.session.generation = replace(prefs.generation, max_tokens=max_tokens)
    window = MainWindow(controller, Settings(), prefs, False)
    window.resize(1100, 800)
    window.show()
    state = {"sent": 0, "marks": [], "failed": ""}
    warmup = max(1, replies // 20)

    def send_next(*_: object) -> None:
        n = state["sent"]
        if n == warmup:
            state["marks"].append(snapshot("warm-up", n))
        if n and n % 50 == 0:
            state["marks"].append(snapshot("progress", n))
            print(f"window: {n} replies, RSS {state['marks'][-1]['rss_mb']} MB", file=sys.stderr)
        if n >= replies:
            app.quit()
            return
        if n % 10 == 0:
            window.new_conversation()  # conversations of ten turns, as people have them
        state["sent"] = n + 1
        window.composer.edit.setPlainText(PROMPTS[n % len(PROMPTS)])
        window.composer.send.click()

    def failed(failure: object) -> None:
        state["failed"] = str(getattr(failure, "message", failure))
        app.quit()

    controller.session.pair_loaded.connect(send_next)
    controller.chat.reply_finished.connect(send_next)
    controller.session.failed.connect(failed)
    controller.chat.failed.connect(failed)
    started = time.perf_counter()
    controller.session.load_pair(prefs.choice.request())
    app.exec()
    state["marks"].append(snapshot("end", state["sent"]))
    controller.shutdown()
    store.close()
    collector.stop()
    if state["failed"]:
        raise SystemExit(f"soak: the window failed: {state['failed']}")
    return verdict("window", "replies", state["sent"], state["marks"], time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=["engine", "window"])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--threads", type=int, default=1, help="llama.cpp threads (engine part)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.part == "engine":
        result = soak_engine(args.steps, args.max_tokens, args.threads)
    else:
        result = soak_window(args.replies, args.max_tokens)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
