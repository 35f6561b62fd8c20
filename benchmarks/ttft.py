"""Time to first token for prompts of about 50, 1,000 and 3,000 tokens, per drafting mode.

Each measurement starts from empty caches and times `generate()` up to the first step it
yields (prompt processing plus the first verifier token). Configurations run in a rotating
order, `--repeat` rounds; the fastest round counts (contention only ever slows a run down).
"draft prefilled first" reproduces the order before lazy prefill (the draft read the prompt
before the first token) as a reference.

    python benchmarks/ttft.py --pair tiny --json benchmarks/results/ttft-tiny.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.bench.configs import rotated
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", choices=["default", "tiny"], default="tiny")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args()
    from desktop.models.listing import pair_paths
    from desktop.models.paths import calibration_file

    v, d = pair_paths(args.pair)
    extra = {"n_threads": args.threads} if args.threads else {}
    pair = ModelPair.load(
        LlamaBackend(), PairConfig(ModelConfig(str(v), **extra), ModelConfig(str(d), **extra))
    )
    pair.calibrate(calibration_file())
    sizes = [int(s) for s in args.sizes.split(",")]
    prompts = {n: message(pair, n) for n in sizes}
    names = list(CONFIGS)
    for n in sizes:  # warm-up: first touches of weights and buffers
        first_token_s(pair, prompts[n][:64], names[0])
    times: dict[tuple[int, str], list[float]] = {}
    cpu: dict[tuple[int, str], list[float]] = {}
    for r in range(args.repeat):
        for i, n in enumerate(sizes):
            for name in rotated(names, i + r):
                t, c = first_token_s(pair, prompts[n], name)
                times.setdefault((n, name), []).append(t)
                cpu.setdefault((n, name), []).append(c)
                say = f"{len(prompts[n]):5} tokens  {name:22} {t:7.3f} s  cpu {c:7.3f} s"
                print(say, file=sys.stderr, flush=True)
    rows = []
    for n in sizes:
        base = min(times[(n, names[0])])
        cpu_base = min(cpu[(n, names[0])])
        for name in names:
            best = min(times[(n, name)])
            best_cpu = min(cpu[(n, name)])
            rows.append(
                {
                    "prompt_tokens": len(prompts[n]),
                    "config": name,
                    "ttft_s": round(best, 4),
                    "vs_verifier_alone": round(best / base, 3),
                    "cpu_s": round(best_cpu, 4),
                    "cpu_vs_verifier_alone": round(best_cpu / cpu_base, 3),
                    "all_s": [round(t, 4) for t in times[(n, name)]],
                }
            )
    for row in rows:
        ratio, cpu_ratio = row["vs_verifier_alone"], row["cpu_vs_verifier_alone"]
        head = f"{row['prompt_tokens']:5}  {row['config']:22} {row['ttft_s']:7.3f} s"
        print(f"{head}  {ratio:.2f}x  cpu {cpu_ratio:.2f}x")
    doc = {
        "what": "time to first token (prompt processing + first verifier token), empty caches",
        "pair": args.pair,
        "verifier": str(v),
        "draft": str(d),
        "repeat": args.repeat,
        "threads": args.threads or ModelConfig(str(v)).n_threads,
        "machine": {"cores": os.cpu_count(), "llama_cpp": system_info()},
        "llama_server": "not measured: no native build here (benchmarks/build-native.sh not run)",
        "note": "shared 2-core machine under heavy contention: only the side-by-side ratios mean anything",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "rows": rows,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
