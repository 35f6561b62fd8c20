"""Time to first token for prompts of about 50, 1,000 and 3,000 tokens, per drafting mode.

Each measurement starts from empty caches and times `generate()` up to the first step it
yields (prompt processing plus the first verifier token). Configurations run in a rotating
order, `--repeat` rounds; the fastest round counts (contention only ever slows a run down).
"draft prefilled first" reproduces the order before lazy prefill (the draft read the prompt
before the first token) as a reference.

With `--native-server PATH`, llama-server plain (the verifier alone, same threads and context,
its host prompt cache off) joins the rotation: the same token ids are sent to its streaming
/completion with `cache_prompt: false` and one token to predict, and its time to first token is
the client's wall time from sending the request to the first streamed token (localhost HTTP
included); the server's own `timings.prompt_ms` is recorded beside it, and `prompt_n` is checked
to be the whole prompt (nothing reused).

    python benchmarks/ttft.py --pair tiny --json benchmarks/results/ttft-tiny.json
    python benchmarks/ttft.py --pair tiny --threads 1 \
        --native-server ~/.cache/tandem/native/KEY/bin/llama-server \
        --json benchmarks/results/ttft-vs-server-tiny.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.bench.configs import rotated
from desktop.bench.native import NATIVE_PLAIN, LlamaServer, ServerSpec, first_token, server_help
from desktop.engine.chat import Message
from desktop.engine.config import DraftConfig, GenerationConfig, Mode, ModelConfig
from desktop.engine.llamacpp import LlamaBackend, system_info
from desktop.engine.pair import ModelPair, PairConfig

SIZES = (50, 1000, 3000)
CONFIGS = {
    "verifier alone": DraftConfig(draft_max=0),
    "speculative k=4": DraftConfig(draft_max=4),
    "fastest": DraftConfig(draft_max=8, mode=Mode.FASTEST, ngram=True),
    "draft prefilled first": DraftConfig(draft_max=4),
}
SERVER_TTFT = (
    "client wall time from sending the request to the first streamed token (/completion, stream, "
    "cache_prompt false, n_predict 1, server started with --cache-ram 0), localhost HTTP included; "
    "server_prompt_s is the server's own timings.prompt_ms, fastest round"
)
SENTENCE = (
    "Note {i}: the shipment of {n} crates left the harbour on day {d}, and the crew logged the weather."
)


def message(pair: ModelPair, n_tokens: int) -> list[int]:
    """A user message whose rendered prompt has about `n_tokens` tokens."""
    cfg = GenerationConfig(max_tokens=8)
    text = "Summarise the log in one sentence."
    i = 0
    while True:
        tokens = pair.prompt([Message("user", text)], cfg).tokens
        if len(tokens) >= n_tokens or i > 10 * n_tokens:
            return list(tokens)
        text = SENTENCE.format(i=i, n=17 * i % 91, d=i % 28 + 1) + " " + text
        i += 1


def server_first_token_s(base_url: str, prompt: list[int]) -> tuple[float, float | None, float]:
    """Wall seconds to llama-server's first streamed token, no CPU time (another process), and
    its own prompt_ms; refuses a reply that did not read the whole prompt."""
    f = first_token(base_url, prompt)
    if f.prompt_n != len(prompt):
        raise SystemExit(f"llama-server read {f.prompt_n} of {len(prompt)} prompt tokens: a cache was reused")
    return f.wall_s, None, f.prompt_ms / 1000


def first_token_s(pair: ModelPair, prompt: list[int], name: str) -> tuple[float, float]:
    """Wall and CPU seconds from an empty cache to the first step."""
    dec = pair.decoder
    dec.verifier.rewind(0)
    if dec.draft is not None:
        dec.draft.rewind(0)
    t0, c0 = time.perf_counter(), time.process_time()
    if name == "draft prefilled first" and dec.draft is not None:
        dec.draft.prefill(prompt[:-1], 256)
    gen = dec.generate(prompt, GenerationConfig(max_tokens=2, draft=CONFIGS[name]))
    next(iter(gen))
    return time.perf_counter() - t0, time.process_time() - c0


Measure = Callable[[list[int]], tuple[float, float | None, float | None]]


def tandem_measure(pair: ModelPair, name: str) -> Measure:
    def measure(prompt: list[int]) -> tuple[float, float | None, float | None]:
        return (*first_token_s(pair, prompt, name), None)

    return measure


def row(
    n_tokens: int, name: str, times: list[float], cpu: list[float], base: float, base_cpu: float
) -> dict[str, object]:
    """One (prompt size, config): its fastest round and that over the verifier alone's."""
    best = min(times)
    out: dict[str, object] = {
        "prompt_tokens": n_tokens,
        "config": name,
        "ttft_s": round(best, 4),
        "vs_verifier_alone": round(best / base, 3),
        "all_s": [round(t, 4) for t in times],
    }
    if cpu:
        out |= {"cpu_s": round(min(cpu), 4), "cpu_vs_verifier_alone": round(min(cpu) / base_cpu, 3)}
    return out


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", choices=["default", "tiny"], default="tiny")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    ap.add_argument("--configs", help=f"comma-separated subset of: {', '.join(CONFIGS)} (default: all)")
    ap.add_argument("--native-server", metavar="PATH", help="add llama-server plain (this binary)")
    ap.add_argument("--json", metavar="OUT")
    return ap.parse_args()


def main() -> int:
    args = arguments()
    from desktop.models.listing import pair_paths
    from desktop.models.paths import calibration_file

    v, d = pair_paths(args.pair)
    extra = {"n_threads": args.threads} if args.threads else {}
    pair = ModelPair.load(
        LlamaBackend(), PairConfig(ModelConfig(str(v), **extra), ModelConfig(str(d), **extra))
    )
    pair.calibrate(calibration_file())
    threads = args.threads or ModelConfig(str(v)).n_threads
    sizes = [int(s) for s in args.sizes.split(",")]
    prompts = {n: message(pair, n) for n in sizes}
    names = [n for n in CONFIGS if n == "verifier alone" or not args.configs or n in args.configs.split(",")]
    measure = {name: tandem_measure(pair, name) for name in names}
    times: dict[tuple[int, str], list[float]] = {}
    cpu: dict[tuple[int, str], list[float]] = {}
    server_prompt_s: dict[int, list[float]] = {}
    server_cmd = None
    with contextlib.ExitStack() as stack:  # the server is stopped however the run ends
        if args.native_server:
            spec = ServerSpec(str(v), None, 0, threads, pair.verifier.n_ctx, extra=("--cache-ram", "0"))
            help_text = server_help(args.native_server)
            server = stack.enter_context(LlamaServer(args.native_server, spec, help_text))
            server_cmd = server.command
            measure[NATIVE_PLAIN] = partial(server_first_token_s, server.base_url)
            names.append(NATIVE_PLAIN)
        for n in sizes:  # warm-up: first touches of weights and buffers
            for name in names:
                measure[name](prompts[n][:64])
        for r in range(args.repeat):
            for i, n in enumerate(sizes):
                for name in rotated(names, i + r):
                    t, c, prompt_s = measure[name](prompts[n])
                    times.setdefault((n, name), []).append(t)
                    if c is not None:
                        cpu.setdefault((n, name), []).append(c)
                    if prompt_s is not None:
                        server_prompt_s.setdefault(n, []).append(prompt_s)
                    say = f"{len(prompts[n]):5} tokens  {name:22} {t:7.3f} s"
                    print(say + (f"  cpu {c:7.3f} s" if c else ""), file=sys.stderr, flush=True)
    rows = []
    for n in sizes:
        base, base_cpu = min(times[(n, names[0])]), min(cpu[(n, names[0])])
        native = min(times[(n, NATIVE_PLAIN)]) if server_cmd else None
        for name in names:
            entry = row(len(prompts[n]), name, times[(n, name)], cpu.get((n, name), []), base, base_cpu)
            if native is not None:
                entry["vs_llama_server"] = round(min(times[(n, name)]) / native, 3)
            if name == NATIVE_PLAIN:
                entry["server_prompt_s"] = round(min(server_prompt_s[n]), 4)
            rows.append(entry)
    for e in rows:
        line = f"{e['prompt_tokens']:5}  {e['config']:22} {e['ttft_s']:7.3f} s  {e['vs_verifier_alone']:.2f}x"
        print(line + (f"  vs llama-server {e['vs_llama_server']:.2f}x" if "vs_llama_server" in e else ""))
    doc = {
        "what": "time to first token (prompt processing + first verifier token), empty caches",
        "pair": args.pair,
        "verifier": str(v),
        "draft": str(d),
        "repeat": args.repeat,
        "threads": threads,
        "machine": {"cores": os.cpu_count(), "llama_cpp": system_info(), "load_average": os.getloadavg()},
        "llama_server": {"command": server_cmd, "ttft": SERVER_TTFT} if server_cmd else "not measured",
        "note": "shared 2-core machine under heavy contention: only the side-by-side ratios mean anything",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "rows": rows,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
