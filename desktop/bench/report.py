"""The bench's outputs: a table for the terminal and a JSON document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from desktop.bench.modelfree import ModelFreeRow
from desktop.bench.runner import PreparedPrompt, Sample
from desktop.bench.summary import ConfigRow, Report, median

COLUMNS = (
    ("config", 26),
    ("tok/s", 7),
    ("min-max", 11),
    ("speed-up", 8),
    ("worst", 6),
    ("accept", 6),
    ("tok/step", 8),
    ("draft", 6),
    ("verify", 6),
    ("python", 6),
    ("peak RSS", 9),
    ("predicted", 16),
)


FREE_RATIOS = ("ratio", "tandem_vs_plain", "native_vs_plain", "plain_ratio")


def _median_of(rows: Sequence[ModelFreeRow], attr: str) -> float | None:
    xs = [x for r in rows if (x := getattr(r, attr)) is not None]
    return median(xs) if xs else None


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _x(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def _prediction(r: ConfigRow) -> str:
    if r.predicted_rate is None or r.prediction_error is None:
        return "-"
    return f"{r.predicted_rate:.1f} ({100 * r.prediction_error:+.0f}%)"


def row_cells(r: ConfigRow) -> list[str]:
    return [
        r.name,
        f"{r.tokens_per_s:.1f}",
        f"{r.tokens_per_s_min:.1f}-{r.tokens_per_s_max:.1f}",
        _x(r.speedup),
        _x(r.speedup_min),
        _pct(r.acceptance),
        "-" if r.tokens_per_step is None else f"{r.tokens_per_step:.2f}",
        _pct(r.draft_share),
        _pct(r.verify_share),
        _pct(r.other_share),
        "-" if r.peak_rss is None else f"{r.peak_rss / 1e6:,.0f} MB",
        _prediction(r),
    ]


FREE_COLUMNS = (
    ("prompt", 24),
    ("Tandem best", 12),
    ("tok/s", 6),
    ("llama.cpp best", 26),
    ("tok/s", 6),
    ("T/ll", 6),
    ("T/plain", 7),
    ("ll/plain", 8),
    ("plain T/ll", 10),
)


def _free_line(cells: Sequence[str]) -> str:
    widths = [w for _, w in FREE_COLUMNS]
    return "  " + " ".join(
        c.ljust(w) if i in (0, 1, 3) else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def model_free_lines(rows: Sequence[ModelFreeRow]) -> list[str]:
    """Per prompt: Tandem's best model-free config vs llama.cpp's best n-gram type, each over
    its own verifier alone, then medians; copy-heavy prompts are marked *."""
    if not rows:
        return []
    out = [
        "Model-free drafting: each side's best config over the suite (by median speed-up over its"
        " own plain); * copy-heavy"
    ]
    out.append(_free_line([c for c, _ in FREE_COLUMNS]))
    for r in rows:
        out.append(
            _free_line(
                [
                    r.prompt_id + (" *" if r.copy_heavy else ""),
                    r.tandem,
                    f"{r.tandem_rate:.1f}",
                    r.native,
                    f"{r.native_rate:.1f}",
                    _x(r.ratio),
                    _x(r.tandem_vs_plain),
                    _x(r.native_vs_plain),
                    _x(r.plain_ratio),
                ]
            )
        )
    for label, group in (
        ("median, copy-heavy", [r for r in rows if r.copy_heavy]),
        ("median, others", [r for r in rows if not r.copy_heavy]),
    ):
        if group:
            out.append(_free_line([label, "", "", "", "", *(_x(_median_of(group, f)) for f in FREE_RATIOS)]))
    return out


def format_table(report: Report) -> str:
    """Rows of configurations, then native comparisons, then the targets with met/missed."""
    widths = [w for _, w in COLUMNS]

    def line(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    out = [line([c for c, _ in COLUMNS]), line(["-" * w for w in widths])]
    out += [line(row_cells(r)) for r in report.rows]
    if report.comparisons or report.llama_bench_tg is not None:
        out.append("")
        out.append("Tandem / llama.cpp (median per-prompt ratio, worst in brackets):")
        for c in report.comparisons:
            out.append(f"  {c.tandem:20} vs {c.native:24} {_x(c.ratio)} ({_x(c.ratio_min)})")
        if report.llama_bench_tg is not None:
            out.append(f"  llama-bench tg rate: {report.llama_bench_tg:.1f} tok/s")
    if report.model_free:
        out += ["", *model_free_lines(report.model_free)]
    out.append("")
    out.append("Targets:")
    for t in report.targets:
        verdict = {True: "MET   ", False: "MISSED", None: "n/a   "}[t.met]
        sign = ">=" if t.at_least else "<="
        value = "-" if t.measured is None else f"{t.measured:.3f}"
        out.append(f"  [{verdict}] {t.name}: {value} ({sign} {t.limit:g}) {t.detail}".rstrip())
    return "\n".join(out)


def report_json(
    report: Report,
    meta: Mapping[str, object],
    prompts: Sequence[PreparedPrompt],
    samples: Sequence[Sample],
) -> dict[str, object]:
    """The JSON document `--json` writes: settings, per-config rows, targets, raw samples."""
    rows = [asdict(r) for r in report.rows]
    memory = report.expected_memory
    return {
        **meta,
        "prompts": [{"id": p.id, "category": p.category, "prompt_tokens": len(p.tokens)} for p in prompts],
        "configs": rows,
        "comparisons": [asdict(c) for c in report.comparisons],
        "model_free": [asdict(r) for r in report.model_free],
        "llama_bench_tg": report.llama_bench_tg,
        "memory": {
            "peak_rss": report.peak_rss,
            "model_files": memory.files if memory else None,
            "kv_caches": memory.kv_caches if memory else None,
        },
        "targets": [t.as_dict() for t in report.targets],
        "samples": [s.as_dict() for s in samples],
    }
