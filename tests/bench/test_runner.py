"""A whole bench run with scripted fake models: every config on every prompt, the JSON shape."""

from __future__ import annotations

import json

from desktop.bench.configs import configurations
from desktop.bench.report import report_json
from desktop.bench.runner import prepare, run_suite, tandem_contestants
from desktop.bench.suite import parse_suite
from desktop.bench.summary import summarise
from desktop.engine.costmodel import Costs
from desktop.engine.pair import ModelPair
from tests.fakes import FakeModel

SUITE = parse_suite(
    {
        "prompts": [
            {"id": "one", "category": "chat", "prompt": "abc"},
            {"id": "two", "category": "rewriting", "prompt": "abcabcabc"},
            {"id": "three", "category": "code writing", "prompt": "xyz"},
        ]
    },
    "fake",
)


def fake_run(max_tokens: int = 12):  # type: ignore[no-untyped-def]
    pair = ModelPair(FakeModel(n_ctx=1024), FakeModel(n_ctx=1024))
    pair.decoder.costs = Costs(verify_s=tuple(0.01 + 0.001 * i for i in range(9)), draft_token_s=0.002)
    prompts = prepare(pair, SUITE.prompts, max_tokens)
    configs = configurations()
    seen: list[tuple[int, str]] = []
    samples = run_suite(
        prompts, tandem_contestants(pair, configs, max_tokens), lambda i, n, p, s: seen.append((i, s.config))
    )
    return pair, prompts, configs, samples, seen


def test_every_configuration_runs_on_every_prompt_in_a_rotating_order() -> None:
    _, prompts, configs, samples, seen = fake_run()
    names = [c.name for c in configs]
    assert len(samples) == len(prompts) * len(configs)
    assert [c for i, c in seen if i == 0] == names
    assert [c for i, c in seen if i == 1] == names[1:] + names[:1]
    assert all(s.tokens == 12 for s in samples)


def test_the_same_model_as_draft_accepts_everything_and_replies_identically() -> None:
    _, _, _, samples, _ = fake_run()
    for s in samples:
        if s.config.startswith("draft k="):
            assert s.drafted > 0 and s.accepted == s.drafted and s.rejections == 0
    for pid in ("one", "two", "three"):
        assert len({s.text_sha for s in samples if s.prompt_id == pid}) == 1  # lossless


def test_prompts_are_tokenized_once_with_the_chat_template() -> None:
    _, prompts, _, _, _ = fake_run()
    assert [p.id for p in prompts] == ["one", "two", "three"]
    assert all(p.tokens for p in prompts)
    assert prompts[0].tokens != prompts[1].tokens


def test_json_document_has_rows_targets_and_samples() -> None:
    pair, prompts, configs, samples, _ = fake_run()
    report = summarise(samples, [(c.name, c.fixed_k) for c in configs], pair.decoder.costs, peak_rss=100)
    doc = json.loads(json.dumps(report_json(report, {"suite": "fake"}, prompts, samples)))
    assert doc["suite"] == "fake"
    assert [c["name"] for c in doc["configs"]] == [c.name for c in configs]
    row = doc["configs"][1]
    for key in (
        "tokens_per_s",
        "speedup",
        "acceptance",
        "tokens_per_step",
        "draft_share",
        "verify_share",
        "other_share",
        "peak_rss",
        "predicted_rate",
        "prediction_error",
    ):
        assert key in row
    assert doc["configs"][0]["speedup"] == 1.0
    assert {t["name"].split(" ")[0] for t in doc["targets"]} >= {"Python", "fastest", "cost"}
    assert all(isinstance(t["met"], bool | None) for t in doc["targets"])
    assert len(doc["samples"]) == len(samples)
    assert doc["prompts"][0] == {"id": "one", "category": "chat", "prompt_tokens": len(prompts[0].tokens)}


def test_repeated_rounds_rotate_again() -> None:
    pair = ModelPair(FakeModel(n_ctx=1024), FakeModel(n_ctx=1024))
    prompts = prepare(pair, SUITE.prompts[:1], 4)
    configs = configurations()[:3]
    seen: list[str] = []
    run_suite(
        prompts, tandem_contestants(pair, configs, 4), lambda i, n, p, s: seen.append(s.config), repeats=2
    )
    names = [c.name for c in configs]
    assert seen == names + names[1:] + names[:1]
