"""The `tandem` command line: generate, models fetch/list; no arguments opens the window."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from desktop.bench.command import add_arguments as add_bench_arguments
from desktop.build_info import VersionAction
from desktop.engine.chat import Message
from desktop.engine.config import (
    DraftConfig,
    DraftPolicy,
    GenerationConfig,
    Mode,
    ModelConfig,
    SamplingConfig,
)
from desktop.engine.errors import TandemError
from desktop.engine.events import GenerationStats, Source, StepEvent
from desktop.engine.pair import PairConfig
from desktop.models import command as hub_command
from desktop.models import library_command

ACCEPTED_COLOUR = "\x1b[32m"  # green, as LM Studio shows accepted draft tokens
VERIFIER_COLOUR = "\x1b[34m"  # blue: the verifier's own token
RESET = "\x1b[0m"


class UsageError(TandemError):
    """Bad command-line input."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line, status 2, as for every other bad input.
        print(f"tandem: {message} (see 'tandem {self.prog.split()[-1]} --help')", file=sys.stderr)
        raise SystemExit(2)


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _non_negative(kind: type[int] | type[float]):  # type: ignore[no-untyped-def]
    def parse(text: str) -> int | float:
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text} must not be negative")
        return value

    return parse


def _draft_length(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 32:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 32")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tandem", description="Speculative decoding you can watch.")
    parser.add_argument("--version", action=VersionAction)
    # With no command, `tandem` opens the window; these options drive it offscreen.
    window = parser.add_argument_group("window (no command)")
    window.add_argument("--screenshot", metavar="PATH", help="offscreen: reply to --prompt, save a PNG, exit")
    window.add_argument("--prompt", dest="window_prompt", metavar="TEXT", help="the message to send")
    window.add_argument("--pair", dest="window_pair", choices=["default", "tiny"], help="the pair to open")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    gen = sub.add_parser("generate", help="generate a reply on the command line")
    which = gen.add_mutually_exclusive_group()
    which.add_argument("--pair", choices=["default", "tiny"], help="an installed model pair")
    which.add_argument("--verifier", metavar="PATH", help="the verifier GGUF")
    gen.add_argument("--draft", metavar="PATH", help="the draft GGUF (with --verifier)")
    gen.add_argument("--no-draft", action="store_true", help="plain decoding with the verifier alone")
    gen.add_argument("--prompt", required=True, help="the user message")
    gen.add_argument("--system", help="a system prompt")
    gen.add_argument("--max-tokens", type=_positive_int, default=256)
    gen.add_argument("--temperature", type=_non_negative(float), default=0.0, help="0 = greedy")
    gen.add_argument("--top-p", type=_fraction, default=1.0)
    gen.add_argument("--top-k", type=_non_negative(int), default=0)
    gen.add_argument("--min-p", type=_fraction, default=0.0)
    gen.add_argument("--seed", type=int)
    gen.add_argument("--draft-max", type=_draft_length, default=4, help="tokens drafted per step (0-32)")
    gen.add_argument("--p-min", type=_fraction, default=0.0, help="stop drafting below this probability")
    gen.add_argument("--adaptive", action="store_true", help="tune the draft length from acceptance")
    gen.add_argument(
        "--mode",
        choices=[m.value for m in Mode],
        default=Mode.SPECULATIVE.value,
        help="speculative: always draft; fastest: draft only when it is predicted to pay",
    )
    gen.add_argument("--ngram", action="store_true", help="draft by prompt lookup before the draft model")
    gen.add_argument("--stop", action="append", default=[], help="a stop string (repeatable)")
    gen.add_argument("--ctx", type=_positive_int, default=4096, help="context size in tokens")
    gen.add_argument("--threads", type=_positive_int, help="CPU threads (default: all cores)")
    gen.add_argument("--gpu-layers", type=int, default=0, help="layers to offload (-1 = all)")
    gen.add_argument("--json", action="store_true", help="one JSON object per step, then a summary")
    gen.add_argument("--no-color", action="store_true", help="plain text (also: NO_COLOR=1)")

    models = sub.add_parser("models", help="fetch or list models")
    msub = models.add_subparsers(dest="models_command", parser_class=_Parser, required=True)
    fetch = msub.add_parser("fetch", help="download and verify a model pair")
    fetch.add_argument("pair", choices=["default", "tiny"])
    library_command.add_arguments(msub)
    hub_command.add_arguments(msub)

    bench = sub.add_parser("bench", help="compare drafting configurations on a prompt suite")
    add_bench_arguments(bench)
    return parser


def _model_config(path: str, args: argparse.Namespace) -> ModelConfig:
    extra = {"n_threads": args.threads} if args.threads else {}
    return ModelConfig(path=path, n_gpu_layers=args.gpu_layers, n_ctx=args.ctx, **extra)


def pair_config(args: argparse.Namespace) -> PairConfig:
    """Resolve --pair / --verifier / --draft / --no-draft into files to load."""
    if args.draft and args.no_draft:
        raise UsageError("--draft and --no-draft contradict each other")
    if args.verifier:
        verifier, draft = args.verifier, args.draft
    else:
        if args.draft:
            raise UsageError("--draft needs --verifier")
        from desktop.models.listing import pair_paths

        v, d = pair_paths(args.pair or "default")
        verifier, draft = str(v), str(d)
    if args.no_draft:
        draft = None
    return PairConfig(
        verifier=_model_config(verifier, args),
        draft=_model_config(draft, args) if draft else None,
    )


def generation_config(args: argparse.Namespace) -> GenerationConfig:
    return GenerationConfig(
        max_tokens=args.max_tokens,
        sampling=SamplingConfig(
            temperature=args.temperature,
            top_k=args.top_k,
            top_p=args.top_p,
            min_p=args.min_p,
            seed=args.seed,
        ),
        draft=DraftConfig(
            draft_max=args.draft_max,
            p_min=args.p_min,
            policy=DraftPolicy.ADAPTIVE if args.adaptive else DraftPolicy.FIXED,
            mode=Mode(args.mode),
            ngram=args.ngram,
        ),
        stop=tuple(args.stop),
    )


def step_json(step: StepEvent, verifier_text: str) -> dict[str, object]:
    """A step as the JSON object `--json` prints (token texts, with ids alongside)."""
    return {
        "type": "step",
        "index": step.index,
        "drafted": list(step.drafted_text),
        "accepted": list(step.drafted_text[: len(step.accepted)]),
        "rejected": list(step.rejected_text),
        "verifier": verifier_text,
        "text": step.text,
        "drafted_ids": list(step.drafted),
        "accepted_ids": list(step.accepted),
        "rejected_ids": list(step.rejected),
        "verifier_id": step.verifier,
        "timings": {
            "draft_s": round(step.timings.draft_s, 6),
            "verify_s": round(step.timings.verify_s, 6),
            "other_s": round(step.timings.other_s, 6),
        },
        **({"finish_reason": step.finish_reason} if step.finish_reason else {}),
    }


def stats_line(stats: GenerationStats, finish: str | None) -> str:
    """The one-line summary after a reply."""
    return (
        f"{stats.tokens} tokens in {stats.steps} steps, {stats.tokens_per_s:.1f} tok/s; "
        f"drafted {stats.drafted}, accepted {stats.accepted} ({stats.acceptance:.0%}), "
        f"{stats.tokens_per_step:.2f} tokens/step; time draft {stats.draft_s:.2f}s, "
        f"verify {stats.verify_s:.2f}s, other {stats.other_s:.2f}s; "
        f"prompt {stats.prompt_tokens} tokens ({stats.prefill_s:.2f}s); finish: {finish}"
    )


def _write_step(out: TextIO, step: StepEvent, colour: bool) -> None:
    for piece in step.pieces:
        if colour and piece.text:
            c = ACCEPTED_COLOUR if piece.source is Source.ACCEPTED else VERIFIER_COLOUR
            out.write(f"{c}{piece.text}{RESET}")
        else:
            out.write(piece.text)
    out.flush()


def cmd_generate(args: argparse.Namespace) -> int:
    from desktop.engine.llamacpp import LlamaBackend
    from desktop.engine.pair import ModelPair

    pcfg = pair_config(args)
    gcfg = generation_config(args)
    pair = ModelPair.load(LlamaBackend(), pcfg)
    if gcfg.draft.mode is Mode.FASTEST:
        from desktop.models.paths import calibration_file

        pair.calibrate(calibration_file())
    messages = [Message("system", args.system)] if args.system else []
    messages.append(Message("user", args.prompt))
    prompt, generation = pair.reply(messages, gcfg)
    out = sys.stdout
    colour = not args.no_color and not os.environ.get("NO_COLOR")
    for step in generation:
        if args.json:
            payload = step_json(step, step.verifier_text)
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
            out.flush()
        else:
            _write_step(out, step, colour)
    if args.json:
        done = {
            "type": "done",
            "text": generation.text,
            "finish_reason": generation.finish_reason,
            "stats": generation.stats.as_dict(),
            "dropped_turns": prompt.dropped_turns,
        }
        out.write(json.dumps(done, ensure_ascii=False) + "\n")
    else:
        out.write("\n")
        print(stats_line(generation.stats, generation.finish_reason), file=sys.stderr)
    return 0


class StderrProgress:
    """Prints fetch progress on stderr: a line per stage, percentages in between."""

    def __init__(self) -> None:
        self._label = ""
        self._shown = -1
        self._tty = sys.stderr.isatty()

    def __call__(self, label: str, done: int, total: int) -> None:
        if label != self._label:
            if self._label and self._tty:
                sys.stderr.write("\n")
            self._label, self._shown = label, -1
        pct = int(100 * done / total) if total else -1
        step = 1 if self._tty else 25
        if pct == self._shown or (pct >= 0 and self._shown >= 0 and pct - self._shown < step and pct < 100):
            return
        self._shown = pct
        mib = done / 2**20
        text = f"{label}: {mib:,.0f} MiB" + (f" of {total / 2**20:,.0f} MiB ({pct}%)" if total else "")
        sys.stderr.write(("\r" + text) if self._tty else text + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self._label and self._tty:
            sys.stderr.write("\n")


def cmd_models(args: argparse.Namespace) -> int:
    if args.models_command in library_command.COMMANDS:
        return library_command.run(args)
    if args.models_command in hub_command.COMMANDS:
        return hub_command.run(args)
    if args.models_command == "fetch":
        from desktop.models.fetch import fetch_pair

        progress = StderrProgress()
        try:
            v, d = fetch_pair(args.pair, progress)
        finally:
            progress.close()
        print(f"pair '{args.pair}' is ready:\n  verifier {v}\n  draft    {d}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tandem` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            return cmd_generate(args)
        if args.command == "models":
            return cmd_models(args)
        if args.command == "bench":
            from desktop.bench.command import run_bench

            return run_bench(args)
        if args.screenshot and not args.window_prompt:
            raise UsageError("--screenshot needs --prompt")
        from desktop.ui.app import Launch, run

        return run(Launch(args.window_pair, args.screenshot, args.window_prompt or ""))
    except TandemError as e:
        print(f"tandem: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tandem: interrupted", file=sys.stderr)
        return 130
