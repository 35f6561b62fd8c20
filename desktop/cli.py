"""The `tandem` command line: generate, models fetch/list; no arguments opens the window."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from desktop.bench.command import add_arguments as add_bench_arguments
from desktop.build_info import VersionAction
from desktop.cli_checks import (
    MAX_CTX,
    MAX_SEED,
    MAX_TEMPERATURE,
    UsageError,
    bounded,
    check_screenshot,
    check_text,
    folder_failure,
    stop_string,
    threads,
)
from desktop.cli_signals import Interrupt
from desktop.engine.chat import Message
from desktop.engine.config import (
    DraftConfig,
    DraftPolicy,
    GenerationConfig,
    Mode,
    ModelConfig,
    SamplingConfig,
)
from desktop.engine.errors import Cancelled, TandemError
from desktop.engine.events import GenerationStats, Source, StepEvent
from desktop.engine.offload import AUTO_GPU_LAYERS
from desktop.engine.pair import PairConfig
from desktop.models import command as hub_command
from desktop.models import library_command

ACCEPTED_COLOUR = "\x1b[32m"  # green, as LM Studio shows accepted draft tokens
VERIFIER_COLOUR = "\x1b[34m"  # blue: the verifier's own token
RESET = "\x1b[0m"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line, status 2, as for every other bad input.
        print(f"tandem: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def _gpu_layers(text: str) -> int:
    if text == "auto":
        return AUTO_GPU_LAYERS
    return int(bounded(int, -1)(text))


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
    gen.add_argument("--max-tokens", type=bounded(int, 1), default=256)
    gen.add_argument(
        "--temperature",
        type=bounded(float, 0, MAX_TEMPERATURE),
        default=0.0,
        help=f"0 = greedy (at most {MAX_TEMPERATURE:g})",
    )
    gen.add_argument("--top-p", type=bounded(float, 0, 1), default=1.0)
    gen.add_argument("--top-k", type=bounded(int, 0), default=0)
    gen.add_argument("--min-p", type=bounded(float, 0, 1), default=0.0)
    gen.add_argument("--seed", type=bounded(int, 0, MAX_SEED), help=f"0 to {MAX_SEED}")
    gen.add_argument(
        "--draft-max", type=bounded(int, 0, 32), default=4, help="tokens drafted per step (0-32)"
    )
    gen.add_argument(
        "--p-min", type=bounded(float, 0, 1), default=0.0, help="stop drafting below this probability"
    )
    gen.add_argument("--adaptive", action="store_true", help="tune the draft length from acceptance")
    gen.add_argument(
        "--mode",
        choices=[m.value for m in Mode],
        default=Mode.SPECULATIVE.value,
        help="speculative: always draft; fastest: draft only when it is predicted to pay",
    )
    gen.add_argument("--ngram", action="store_true", help="draft by prompt lookup before the draft model")
    gen.add_argument(
        "--suffix", action="store_true", help="draft the most frequent earlier continuation (suffix drafting)"
    )
    gen.add_argument(
        "--stop", action="append", type=stop_string, default=[], help="a stop string (repeatable)"
    )
    gen.add_argument("--ctx", type=bounded(int, 1, MAX_CTX), default=4096, help="context size in tokens")
    gen.add_argument("--threads", type=threads, help="CPU threads (default: all cores)")
    gen.add_argument(
        "--gpu-layers",
        type=_gpu_layers,
        default=AUTO_GPU_LAYERS,
        help="layers to offload: a count, -1 = all, auto (default) = what fits on a GPU, none on a CPU build",
    )
    gen.add_argument("--json", action="store_true", help="one JSON object per step, then a summary")
    gen.add_argument(
        "--step-log",
        metavar="FILE",
        help="write each step as JSON to FILE: who proposed what, predicted vs measured cost",
    )
    gen.add_argument("--no-color", action="store_true", help="plain text (also: NO_COLOR=1)")

    models = sub.add_parser("models", help="fetch or list models")
    msub = models.add_subparsers(dest="models_command", parser_class=_Parser, required=True)
    fetch = msub.add_parser("fetch", help="download and verify a curated model pair")
    hub_command.add_fetch_arguments(fetch)
    fetch.add_argument("--verify", action="store_true", help="hash installed files again; repair damage")
    verify = msub.add_parser("verify", help="hash installed files again and compare with the catalog")
    verify.add_argument("pair", nargs="?", choices=[*hub_command.pair_names(), "all"], default="all")
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
            suffix=args.suffix,
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
        "drafter": step.drafter,
        "timings": {
            "draft_s": round(step.timings.draft_s, 6),
            "verify_s": round(step.timings.verify_s, 6),
            "other_s": round(step.timings.other_s, 6),
            "total_s": round(step.timings.total_s, 6),
            "draft_tokens": step.timings.draft_tokens,
        },
        **({"decision": step.decision.as_dict()} if step.decision else {}),
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
    with Interrupt() as interrupt:  # before the imports: loading llama.cpp takes a moment too
        try:
            return _generate(args, interrupt)
        except Cancelled:
            interrupt.check()
            raise


def _open_log(path: str) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8")  # closed by the caller's ExitStack
    except OSError as e:
        raise UsageError(f"cannot write the step log {path}: {e.strerror}") from None


def _generate(args: argparse.Namespace, interrupt: Interrupt) -> int:
    with contextlib.ExitStack() as stack:
        # Opened before seconds of loading, so a bad path fails at once.
        log = stack.enter_context(_open_log(args.step_log)) if args.step_log else None
        return _generate_logged(args, interrupt, log)


def _generate_logged(args: argparse.Namespace, interrupt: Interrupt, log: TextIO | None) -> int:
    from desktop.engine.llamacpp import LlamaBackend
    from desktop.engine.pair import ModelPair

    pcfg = pair_config(args)
    gcfg = generation_config(args)
    pair = ModelPair.load(LlamaBackend(), pcfg, cancel=interrupt.event)
    interrupt.check()
    for warning in pair.warnings:
        print(f"tandem: warning: {warning}", file=sys.stderr)
    if pair.template.note:
        print(f"tandem: note: {pair.template.note}", file=sys.stderr)
    if gcfg.draft.mode is Mode.FASTEST:
        from desktop.models.paths import calibration_file

        pair.calibrate(calibration_file())
        interrupt.check()
    messages = [Message("system", args.system)] if args.system else []
    messages.append(Message("user", args.prompt))
    prompt, generation = pair.reply(messages, gcfg, interrupt.event)
    out = sys.stdout
    colour = not args.no_color and not os.environ.get("NO_COLOR")
    for step in generation:
        if log is not None:
            log.write(json.dumps(step_json(step, step.verifier_text), ensure_ascii=False) + "\n")
        if args.json:
            payload = step_json(step, step.verifier_text)
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
            out.flush()
        else:
            _write_step(out, step, colour)
    if not args.json:
        out.write("\n")
    interrupt.check()
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
        print(stats_line(generation.stats, generation.finish_reason), file=sys.stderr)
    if log is not None:
        done = {"type": "done", "finish_reason": generation.finish_reason}
        log.write(json.dumps({**done, "stats": generation.stats.as_dict()}) + "\n")
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


def cmd_verify(which: str) -> int:
    """`tandem models verify`: one line per file; status 1 when any is damaged or missing."""
    from desktop.models.verify import Verdict, verify

    progress = StderrProgress()
    try:
        checks = verify(which, progress)
    finally:
        progress.close()
    if not checks:
        print("no model files are installed")
    for c in checks:
        print(f"{c.verdict.value:9} {c.name}" + (f" ({c.detail})" if c.detail else ""))
    bad = [c for c in checks if c.verdict is not Verdict.OK]
    repairs = [which] if which != "all" and bad else [c.pairs[0] for c in bad if c.pairs]
    for pair in dict.fromkeys(repairs):
        print(f"tandem: run `tandem models fetch {pair}` to repair", file=sys.stderr)
    return 1 if bad else 0


def cmd_models(args: argparse.Namespace) -> int:
    if args.models_command in library_command.COMMANDS:
        return library_command.run(args)
    if args.models_command in hub_command.COMMANDS:
        return hub_command.run(args)
    if args.models_command == "verify":
        return cmd_verify(args.pair)
    if args.models_command == "fetch":
        from desktop.models.errors import FetchError
        from desktop.models.fetch import FetchSource, fetch_pair

        progress = StderrProgress()
        try:
            source = FetchSource(args.source)
            v, d = fetch_pair(args.pair, progress, args.verify, source, hub_command.print_note)
        except OSError as e:
            raise FetchError(folder_failure(e)) from None
        finally:
            progress.close()
        print(f"pair '{args.pair}' is ready:\n  verifier {v}\n  draft    {d}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tandem` console script."""
    try:
        args = build_parser().parse_args(argv)
        check_text(args)
        status = _run(args)
        sys.stdout.flush()  # a reader that went away shows here, not in the interpreter's exit
        return status
    except TandemError as e:
        print(f"tandem: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tandem: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (`| head`) has what it wants: stop quietly, with the status SIGPIPE would give.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _run(args: argparse.Namespace) -> int:
    if args.command == "generate":
        return cmd_generate(args)
    if args.command == "models":
        return cmd_models(args)
    if args.command == "bench":
        from desktop.bench.command import run_bench

        return run_bench(args)
    if args.screenshot:
        check_screenshot(args.screenshot, args.window_prompt)
    from desktop.ui.app import Launch, run

    return run(Launch(args.window_pair, args.screenshot, args.window_prompt or ""))
