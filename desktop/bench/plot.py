"""A PNG chart of a bench: tokens/s per configuration, and where each step's time goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.bench.errors import BenchError
from desktop.bench.runner import TANDEM
from desktop.bench.summary import Report

COLOURS = {"draft": "#4caf50", "verify": "#1f77b4", "python": "#ff7f0e"}


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise BenchError(
            "--plot needs matplotlib: pip install 'tandem[bench]' (or: pip install matplotlib)"
        ) from None
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def write_plot(report: Report, path: Path, title: str) -> None:
    """Two panels: median tokens/s (range over prompts, predicted marked) and the time split."""
    plt = _pyplot()
    rows = report.rows
    tandem = [r for r in rows if r.engine == TANDEM]
    fig, (speed, split) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [3, 2]})
    names = [r.name for r in rows]
    x = range(len(rows))
    medians = [r.tokens_per_s for r in rows]
    lo = [r.tokens_per_s - r.tokens_per_s_min for r in rows]
    hi = [r.tokens_per_s_max - r.tokens_per_s for r in rows]
    colours = ["#1f77b4" if r.engine == TANDEM else "#9e9e9e" for r in rows]
    speed.bar(x, medians, yerr=[lo, hi], color=colours, capsize=3)
    predicted = [(i, r.predicted_rate) for i, r in enumerate(rows) if r.predicted_rate is not None]
    if predicted:
        speed.scatter(
            [i for i, _ in predicted],
            [p for _, p in predicted],
            marker="_",
            s=400,
            color="black",
            zorder=3,
            label="cost model's prediction",
        )
        speed.legend(loc="upper right")
    plain = next((r for r in rows if r.fixed_k == 0 and r.engine == TANDEM), None)
    if plain is not None:
        speed.axhline(plain.tokens_per_s, color="#d62728", linestyle="--", linewidth=1)
    for i, r in enumerate(rows):
        if r.speedup is not None:
            speed.annotate(
                f"{r.speedup:.2f}x",
                (i, r.tokens_per_s),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=8,
            )
    speed.set_xticks(list(x), names, rotation=35, ha="right")
    speed.set_ylabel("tokens/s (median over prompts; bars: min-max)")
    speed.set_title("Speed (grey: llama.cpp's llama-server)")

    y = range(len(tandem))
    left = [0.0] * len(tandem)
    for key, attr in (("draft", "draft_share"), ("verify", "verify_share"), ("python", "other_share")):
        widths = [100 * (getattr(r, attr) or 0.0) for r in tandem]
        split.barh(list(y), widths, left=left, color=COLOURS[key], label=key)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    split.set_yticks(list(y), [r.name for r in tandem])
    split.invert_yaxis()
    split.set_xlabel("% of step time")
    split.set_title("Time split (python target <= 3%)")
    split.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    except OSError as e:
        raise BenchError(f"cannot write the chart to {path}: {e}") from e
    finally:
        plt.close(fig)
