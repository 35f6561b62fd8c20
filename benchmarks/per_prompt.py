"""Per-prompt ratios of a `tandem bench --json` result against the verifier alone.

Wall time: the best round of each configuration (tokens/s), as `tandem bench` reports it.
CPU time (results that have it): tokens per CPU second after the first step, best round;
with one thread it is close to the work done whatever else the machine runs.

    python benchmarks/per_prompt.py benchmarks/results/unseen-tiny.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

BASE = "verifier alone"


def table(samples: list[dict[str, object]], rate: str) -> list[str]:
    best: dict[tuple[str, str], float] = {}
    for s in samples:
        if rate == "cpu":
            cpu, n = float(s.get("cpu_s") or 0.0), int(s.get("cpu_tokens") or 0)  # type: ignore[arg-type]
            if cpu <= 0:
                continue
            value = n / cpu
        else:
            value = float(s["tokens_per_s"])  # type: ignore[arg-type]
        key = (str(s["prompt_id"]), str(s["config"]))
        best[key] = max(best.get(key, 0.0), value)
    prompts = list(dict.fromkeys(p for p, _ in best))
    configs = [c for c in dict.fromkeys(c for _, c in best) if c != BASE]
    if not prompts or not configs:
        return []
    lines = [f"{rate + ' time':24}" + "".join(f"{c:>14}" for c in configs)]
    cols: dict[str, list[float]] = {c: [] for c in configs}
    for p in prompts:
        row = []
        for c in configs:
            r = best[(p, c)] / best[(p, BASE)]
            cols[c].append(r)
            row.append(f"{r:14.2f}")
        lines.append(f"{p:24}" + "".join(row))
    lines.append(f"{'median':24}" + "".join(f"{statistics.median(cols[c]):14.2f}" for c in configs))
    lines.append(f"{'worst':24}" + "".join(f"{min(cols[c]):14.2f}" for c in configs))
    return lines


def main() -> int:
    doc = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for rate in ("wall", "cpu"):
        lines = table(doc["samples"], rate)
        if lines:
            print("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
