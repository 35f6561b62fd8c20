"""The step log: each step says who proposed what, and the prediction next to the measurement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main, step_json
from desktop.engine.config import DraftConfig, GenerationConfig, Mode
from desktop.engine.costmodel import Costs
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel

GPU = Costs(verify_s=(0.010, 0.0102, 0.0104, 0.0106, 0.0108, 0.011), draft_token_s=0.002)


def test_fastest_steps_carry_their_decision_into_the_json() -> None:
    dec = Decoder(FakeModel(), FakeModel())
    dec.costs = GPU
    cfg = GenerationConfig(max_tokens=12, draft=DraftConfig(draft_max=4, mode=Mode.FASTEST))
    rows = [json.loads(json.dumps(step_json(s, s.verifier_text))) for s in dec.generate([1, 2, 3], cfg)]
    assert rows[0]["decision"]["kind"] == "plain"  # the first token is the verifier's alone
    drafting = [r for r in rows if r["drafted_ids"]]
    assert drafting and drafting[0]["drafter"] == "draft model"
    d = drafting[0]["decision"]
    assert d["kind"] in ("exploit", "probe") and d["k"] >= 1 and d["predicted_s"] > 0
    assert d["catch_up"] > 1  # the draft read the prompt here, lazily
    assert drafting[0]["timings"]["draft_tokens"] >= d["catch_up"]
    assert {"total_s", "verify_s", "draft_s"} <= set(drafting[0]["timings"])


def test_an_unwritable_step_log_is_one_line_before_any_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "steps.jsonl"
    verifier = tmp_path / "v.gguf"
    verifier.write_bytes(b"not a model")
    status = main(["generate", "--verifier", str(verifier), "--prompt", "hi", "--step-log", str(missing)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and "step log" in err[0]
