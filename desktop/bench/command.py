"""`tandem bench`: its arguments, and the run from loading the pair to the table, JSON and chart."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from desktop.bench import configs as bc
from desktop.bench.errors import BenchError
from desktop.bench.memory import expected_memory, peak_rss_bytes
from desktop.bench.modelfree import ModelFreeSides
from desktop.bench.report import format_table, report_json
from desktop.bench.runner import (
    Contestant,
    PreparedPrompt,
    Sample,
    TandemContestant,
    prepare,
    run_suite,
    tandem_contestants,
)
from desktop.bench.suite import load_suite
from desktop.bench.summary import Report, summarise
from desktop.engine.config import ModelConfig, default_threads
from desktop.engine.pair import ModelPair, PairConfig

QUICK_SUITE, DEFAULT_SUITE = "quick", "default"
QUICK_MAX_TOKENS, DEFAULT_MAX_TOKENS = 48, 128
WARMUP_TOKENS = 8


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `tandem bench`."""
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--pair", choices=["default", "tiny"], help="an installed pair (default; tiny with --quick)"
    )
    which.add_argument("--verifier", metavar="PATH", help="the verifier GGUF")
    p.add_argument("--draft", metavar="PATH", help="the draft GGUF (with --verifier)")
    p.add_argument("--suite", metavar="NAME", help="a suite in resources/prompts, or a JSON file")
    p.add_argument("--quick", action="store_true", help="the 4-prompt suite and 48 tokens")
    p.add_argument("--json", metavar="OUT", help="write every number as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="write a chart (needs matplotlib)")
    p.add_argument("--native-server", metavar="PATH", help="compare with this llama-server binary")
    p.add_argument("--llama-bench", metavar="PATH", help="compare with this llama-bench binary")
    p.add_argument("--threads", type=_positive, help="CPU threads (default: all cores)")
    p.add_argument("--max-tokens", type=_positive, help="tokens per reply (default 128; 48 with --quick)")
    p.add_argument("--repeat", type=_positive, default=1, help="rounds; each config's best round counts")
    p.add_argument(
        "--configs",
        metavar="NAMES",
        help="comma-separated configurations to run (e.g. 'fastest,n-gram'); the verifier alone always runs",
    )


@dataclass(frozen=True, slots=True)
class BenchPlan:
    """The validated arguments."""

    verifier: str
    draft: str | None
    suite: str
    max_tokens: int
    threads: int
    json_out: Path | None
    plot_out: Path | None
    native_server: str | None
    llama_bench: str | None
    quick: bool
    repeat: int = 1
    configs: tuple[str, ...] = ()


def _executable(path: str | None, flag: str) -> str | None:
    if path is None:
        return None
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BenchError(f"{flag}: {path} is not an executable file")
    return path


def plan(args: argparse.Namespace) -> BenchPlan:
    """Check everything that can be checked before minutes of loading and decoding."""
    if args.draft and not args.verifier:
        raise BenchError("--draft needs --verifier")
    if args.verifier:
        verifier, draft = args.verifier, args.draft
    else:
        from desktop.models.listing import pair_paths

        v, d = pair_paths(args.pair or ("tiny" if args.quick else "default"))
        verifier, draft = str(v), str(d)
    for path in (verifier, draft):
        if path is not None and not Path(path).is_file():
            raise BenchError(f"model file not found: {path}")
    if args.plot:
        from desktop.bench.plot import _pyplot

        _pyplot()  # fail now, not after the run, when matplotlib is missing
    return BenchPlan(
        verifier=verifier,
        draft=draft,
        suite=args.suite or (QUICK_SUITE if args.quick else DEFAULT_SUITE),
        max_tokens=args.max_tokens or (QUICK_MAX_TOKENS if args.quick else DEFAULT_MAX_TOKENS),
        threads=args.threads or default_threads(),
        json_out=Path(args.json) if args.json else None,
        plot_out=Path(args.plot) if args.plot else None,
        native_server=_executable(args.native_server, "--native-server"),
        llama_bench=_executable(args.llama_bench, "--llama-bench"),
        quick=args.quick,
        repeat=args.repeat,
        configs=_config_names(getattr(args, "configs", None)),
    )


def _config_names(text: str | None) -> tuple[str, ...]:
    """The names --configs asks for, checked against the known configurations."""
    if not text:
        return ()
    known = [c.name for c in bc.configurations()]
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BenchError(f"--configs: unknown {', '.join(unknown)}; known: {', '.join(known)}")
    return names


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _progress(i: int, n: int, prompt: PreparedPrompt, s: Sample) -> None:
    _say(f"  [{i + 1}/{n}] {prompt.id:28} {s.config:26} {s.tokens_per_s:7.1f} tok/s  {s.tokens} tokens")


def _cpu_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _warm_up(contestants: list[TandemContestant], prompt: PreparedPrompt) -> None:
    """One short reply per configuration, discarded: the first touches of the weights and
    buffers should not land on whichever configuration happens to run first."""
    for c in contestants:
        TandemContestant(c.pair, c.config, WARMUP_TOKENS).run(prompt)


@dataclass(frozen=True, slots=True)
class NativeSide:
    """The llama-server contestants: (Tandem config, server) pairs to compare, the plain
    server every server row is measured against, its n-gram types, and each command line."""

    contestants: list[Contestant]
    pairs: list[tuple[str, str]]
    baseline: str
    ngram: list[str]
    commands: dict[str, list[str]]


def _native_contestants(
    stack: contextlib.ExitStack, p: BenchPlan, n_ctx: int, configs: list[bc.BenchConfig]
) -> NativeSide:
    from desktop.bench import native as nat

    assert p.native_server is not None
    help_text = nat.server_help(p.native_server)
    planned = nat.plan_servers(p.verifier, p.draft, p.threads, n_ctx, configs, help_text)
    ngram = [s.name for s in planned if s.spec.ngram is not None]
    if any(bc.model_free(c) for c in configs) and not ngram:
        _say("note: this llama-server has no n-gram --spec-type; model-free drafting is not compared")
    contestants: list[Contestant] = []
    commands = {}
    for s in planned:
        if s.fresh:
            fresh = nat.FreshServerContestant(s.name, p.native_server, s.spec, help_text, p.max_tokens)
            contestants.append(fresh)
            commands[s.name] = nat.LlamaServer(p.native_server, s.spec, help_text).command
            continue
        _say(f"starting llama-server ({s.name})")
        server = stack.enter_context(nat.LlamaServer(p.native_server, s.spec, help_text))
        contestants.append(nat.ServerContestant(s.name, server.base_url, p.max_tokens))
        commands[s.name] = server.command
    pairs = [(s.tandem, s.name) for s in planned if s.tandem]
    return NativeSide(contestants, pairs, nat.native_name(0), ngram, commands)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the `with` blocks, so servers are stopped


def run_bench(args: argparse.Namespace) -> int:
    """Load once, calibrate, run every configuration on every prompt, report."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    from desktop.engine.llamacpp import LlamaBackend, system_info
    from desktop.models.paths import calibration_file

    p = plan(args)
    suite = load_suite(p.suite)
    pcfg = PairConfig(
        ModelConfig(p.verifier, n_threads=p.threads),
        ModelConfig(p.draft, n_threads=p.threads) if p.draft else None,
    )
    _say(f"loading {Path(p.verifier).name}" + (f" + {Path(p.draft).name}" if p.draft else ""))
    pair = ModelPair.load(LlamaBackend(), pcfg)
    costs = pair.calibrate(calibration_file())
    load_peak = peak_rss_bytes()
    models = [(pair.verifier, Path(p.verifier), pair.verifier.n_ctx)]
    if pair.draft is not None and p.draft:
        models.append((pair.draft, Path(p.draft), pair.draft.n_ctx))
    memory = expected_memory(models)
    prepared = prepare(pair, suite.prompts, p.max_tokens)
    configs = bc.configurations(has_draft=pair.draft is not None)
    if p.configs:
        configs = [c for c in configs if c.name == bc.PLAIN or c.name in p.configs]
    tandem = tandem_contestants(pair, configs, p.max_tokens)
    tg = None
    from desktop.bench.native import run_llama_bench

    if p.llama_bench:  # first: a broken binary should not cost a whole run
        _say("running llama-bench")
        tg = run_llama_bench(p.llama_bench, p.verifier, p.threads)
    _warm_up(tandem, prepared[0])
    # The cached calibration may come from a busier moment, or from cold weights right after a
    # load; predictions are checked against costs measured now, with everything warm.
    cached, costs = costs, pair.decoder.calibrate()
    off = cached.verify(1) / costs.verify(1) - 1.0
    if abs(off) > 0.25:
        _say(f"note: the cached calibration is {off:+.0%} off a fresh one (stale?); using the fresh one")
    started = time.time()
    with contextlib.ExitStack() as stack:
        contestants: list[Contestant] = list(tandem)
        native = None
        if p.native_server:
            native = _native_contestants(stack, p, pair.verifier.n_ctx, configs)
            contestants += native.contestants
        _say(
            f"suite {suite.name}: {len(prepared)} prompts x {len(contestants)} configurations, "
            f"{p.max_tokens} tokens each, {p.threads} threads"
        )
        samples = run_suite(prepared, contestants, _progress, p.repeat)
    if p.llama_bench:  # again: contention only ever slows a run, so the faster of the two counts
        assert tg is not None
        tg = max(tg, run_llama_bench(p.llama_bench, p.verifier, p.threads))
    servers = native.contestants if native else []
    order = [(c.name, c.fixed_k) for c in configs] + [(c.name, None) for c in servers]
    report = summarise(
        samples,
        order,
        costs,
        native_pairs=native.pairs if native else (),
        native_baseline=native.baseline if native else None,
        llama_bench_tg=tg,
        peak_rss=load_peak,
        memory=memory,
        model_free=ModelFreeSides(
            [c.name for c in configs if bc.model_free(c)],
            native.ngram if native else [],
            native.baseline if native else None,
            {q.id: q.category for q in prepared},
        ),
    )
    title = f"{Path(p.verifier).name} + {Path(p.draft).name if p.draft else 'no draft'}"
    print(f"{title}\n{_cpu_name()}, {p.threads} threads; suite {suite.name}, {p.max_tokens} tokens/reply\n")
    print(format_table(report))
    meta = {
        "suite": suite.name,
        "quick": p.quick,
        "max_tokens": p.max_tokens,
        "repeat": p.repeat,
        "threads": p.threads,
        "n_ctx": pair.verifier.n_ctx,
        "verifier": p.verifier,
        "draft": p.draft,
        "machine": {"cpu": _cpu_name(), "cores": os.cpu_count(), "llama_cpp": system_info()},
        "costs": asdict(costs),
        "cached_costs": asdict(cached),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
        "llama_server_commands": native.commands if native else {},
    }
    _write_outputs(p, report, report_json(report, meta, prepared, samples), title)
    return 0


def _write_outputs(p: BenchPlan, report: Report, doc: dict[str, object], title: str) -> None:
    if p.json_out is not None:
        try:
            p.json_out.parent.mkdir(parents=True, exist_ok=True)
            p.json_out.write_text(json.dumps(doc, indent=1) + "\n")
        except OSError as e:
            raise BenchError(f"cannot write {p.json_out}: {e}") from e
        _say(f"wrote {p.json_out}")
    if p.plot_out is not None:
        from desktop.bench.plot import write_plot

        write_plot(report, p.plot_out, title)
        _say(f"wrote {p.plot_out}")
