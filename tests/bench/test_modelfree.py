"""Model-free drafting against llama.cpp's n-gram types, on hand-made numbers: who is best per
prompt on each side, the ratios, the copy-heavy split, the targets and the printed table."""

from __future__ import annotations

import pytest

from desktop.bench.modelfree import ModelFreeSides, best_config, model_free_rows, model_free_targets
from desktop.bench.report import format_table, model_free_lines, report_json
from desktop.bench.runner import Sample
from desktop.bench.summary import summarise

PLAIN, SERVER = "verifier alone", "llama-server plain"
NGRAM, SUFFIX = "n-gram", "suffix"
CACHE, MOD = "llama-server ngram-cache", "llama-server ngram-mod"
SIDES = ModelFreeSides((NGRAM, SUFFIX), (CACHE, MOD), SERVER, {"edit": "code editing", "story": "chat"})

# tokens/s: (prompt, config) -> rate; the server's rows carry engine "llama-server".
RATES = {
    ("edit", PLAIN): 10.0,
    ("edit", NGRAM): 20.0,
    ("edit", SUFFIX): 24.0,
    ("edit", SERVER): 12.0,
    ("edit", CACHE): 18.0,
    ("edit", MOD): 15.0,
    ("story", PLAIN): 10.0,
    ("story", NGRAM): 9.7,
    ("story", SUFFIX): 9.0,
    ("story", SERVER): 12.5,
    ("story", CACHE): 11.0,
    ("story", MOD): 12.5,
}


def samples() -> list[Sample]:
    return [
        Sample(p, c, "llama-server" if c.startswith("llama") else "tandem", 64, rate)
        for (p, c), rate in RATES.items()
    ]


def test_each_side_picks_one_config_for_the_suite_by_its_median_speedup() -> None:
    # n-gram: 2.0x and 0.97x (median 1.485); suffix 2.4x and 0.9x (1.65): suffix.
    # ngram-cache: 1.5x and 0.88x (1.19); ngram-mod 1.25x and 1.0x (1.125): ngram-cache, although
    # ngram-mod is the faster one on "story": one pick per side, not the luckiest per prompt.
    assert best_config(samples(), (NGRAM, SUFFIX), PLAIN) == SUFFIX
    assert best_config(samples(), (CACHE, MOD), SERVER) == CACHE
    assert best_config(samples(), ("absent",), PLAIN) is None


def test_each_prompt_divides_the_two_picks_and_each_by_its_own_plain() -> None:
    edit, story = model_free_rows(samples(), SIDES)
    assert (edit.prompt_id, edit.copy_heavy, edit.tandem, edit.native) == ("edit", True, SUFFIX, CACHE)
    assert edit.ratio == pytest.approx(24.0 / 18.0)
    assert edit.tandem_vs_plain == pytest.approx(2.4)  # over Tandem's verifier alone
    assert edit.native_vs_plain == pytest.approx(1.5)  # over llama-server plain
    assert edit.plain_ratio == pytest.approx(10.0 / 12.0)
    assert (story.copy_heavy, story.tandem, story.native) == (False, SUFFIX, CACHE)
    assert story.ratio == pytest.approx(9.0 / 11.0)
    assert story.tandem_vs_plain == pytest.approx(0.9) and story.native_vs_plain == pytest.approx(0.88)


def test_a_prompt_one_side_did_not_run_is_left_out() -> None:
    some = [s for s in samples() if not (s.prompt_id == "story" and s.config == CACHE)]
    assert [r.prompt_id for r in model_free_rows(some, SIDES)] == ["edit"]
    assert model_free_rows(samples(), ModelFreeSides((NGRAM,), (), SERVER, {})) == []


def test_targets_take_the_worst_copy_heavy_ratio_and_the_worst_other_prompt() -> None:
    copy, others = model_free_targets(model_free_rows(samples(), SIDES))
    assert copy.measured == pytest.approx(24.0 / 18.0) and copy.met is True and "edit" in copy.detail
    assert others.measured == pytest.approx(0.9) and others.met is False and "story" in others.detail
    assert model_free_targets([]) == []


def test_repeated_rounds_keep_the_best_and_the_report_shows_the_table() -> None:
    slower = [Sample("edit", SUFFIX, "tandem", 64, 5.0), Sample("edit", CACHE, "llama-server", 64, 1.0)]
    order = [(PLAIN, 0), (NGRAM, None), (SUFFIX, None), (SERVER, None), (CACHE, None), (MOD, None)]
    report = summarise(
        [*slower, *samples()],
        order,
        None,
        native_pairs=[(PLAIN, SERVER)],
        native_baseline=SERVER,
        model_free=SIDES,
    )
    assert report.model_free[0].ratio == pytest.approx(24.0 / 18.0)
    # server rows are measured against llama-server plain, n-gram types included
    cache = next(r for r in report.rows if r.name == CACHE)
    assert cache.speedup == pytest.approx((1.5 + 11.0 / 12.5) / 2)
    names = [t.name for t in report.targets]
    assert "model-free >= 1.1x best llama.cpp n-gram type on every copy-heavy prompt" in names
    table = format_table(report)
    assert "edit *" in table and "1.33x" in table and "median, copy-heavy" in table
    assert report_json(report, {}, [], [])["model_free"][1]["native"] == CACHE  # type: ignore[index]


def test_the_table_lines_line_up() -> None:
    lines = model_free_lines(model_free_rows(samples(), SIDES))
    assert len({len(line) for line in lines[1:]}) == 1  # header, rows and medians: same width
    assert lines[2].split()[:3] == ["edit", "*", SUFFIX]
    assert lines[3].split()[:2] == ["story", SUFFIX]
