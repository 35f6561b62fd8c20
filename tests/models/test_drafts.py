"""Which files can draft for a verifier, in what order, and the reason for every other file."""

from __future__ import annotations

from pathlib import Path

import pytest
from gguf_fakes import F16, Q3_K_M, Q4_K_M, Q8_0, Spec, tokens, write_gguf

from desktop.models.app_folders import Source
from desktop.models.drafts import find_drafts, load_suggestions, suggest
from desktop.models.gguf_info import GgufInfo
from desktop.models.library import LibraryModel, describe_file
from desktop.models.vocab_print import make_print

pytest.importorskip("gguf")

VOCAB = tokens(700)


def _edit(i: int, text: str = "changed") -> list[str]:
    out = list(VOCAB)
    out[i] = text
    return out


FILES = {
    "verifier": Spec(params=60000),
    "small": Spec(params=4000),
    "small-q3": Spec(params=4000, file_type=Q3_K_M),
    "barely": Spec(params=40000, file_type=Q8_0),
    "padded": Spec(params=5000, vocab=VOCAB + tokens(100, "pad"), file_type=F16),
    "too-many": Spec(params=5000, vocab=VOCAB + tokens(200, "pad")),
    "text-block": Spec(params=5000, vocab=_edit(300)),
    "text-tail": Spec(params=5000, vocab=_edit(650)),
    "adds-bos": Spec(params=5000, add_bos=True),
    "spm": Spec(params=5000, model="llama"),
    "qwen3": Spec(params=5000, arch="qwen3"),
    "mamba": Spec(params=5000, arch="mamba"),
    "bigger": Spec(params=90000),
}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LibraryModel]:
    folder = tmp_path_factory.mktemp("drafts")
    return {name: describe_file(write_gguf(folder / f"{name}.gguf", spec)) for name, spec in FILES.items()}


def test_ranks_compatible_drafts_and_explains_the_rest(models: dict[str, LibraryModel]) -> None:
    verifier = models["verifier"]
    report = find_drafts(verifier, tuple(models.values()))
    assert [d.model.name for d in report.drafts] == [
        "small.gguf",
        "padded.gguf",
        "small-q3.gguf",
        "barely.gguf",
    ]
    ratio = verifier.size / models["small"].size
    assert report.drafts[0].notes == (
        "same architecture (llama)",
        f"{ratio:.1f}× smaller",
        "Q4_K_M quantization",
    )
    assert "Q3_K_M lowers acceptance" in report.drafts[2].notes
    barely = verifier.size / models["barely"].size
    assert report.drafts[3].notes[1] == f"only {barely:.2f}× smaller: drafting may not pay"
    why = {r.model.name.removesuffix(".gguf"): r.reasons for r in report.refused}
    assert why["too-many"] == (
        "vocabulary sizes within 128: the verifier has 700 tokens, the draft 900 (a difference of 200)",
    )
    assert why["text-block"] == ("identical token text: token texts differ between ids 5 and 516",)
    assert why["text-tail"] == (
        "identical token text: token 650 is 't650' in the verifier but 'changed' in the draft",
    )
    assert why["adds-bos"] == ("same add-BOS flag: the verifier does not add BOS, the draft adds it",)
    assert why["spm"][0].startswith("same vocabulary type: the verifier uses BPE, the draft SentencePiece")
    assert why["qwen3"] == ("a different architecture: the verifier is llama, this file qwen3",)
    assert why["mamba"] == ("mamba keeps a recurrent state that Tandem cannot rewind after a rejected draft",)
    assert why["bigger"] == (f"not smaller than the verifier ({_mb(models['bigger'])} vs {_mb(verifier)})",)
    assert len(report.drafts) + len(report.refused) == len(models) - 1  # all but the verifier
    assert report.suggestion is None and report.problem == ""


def _mb(m: LibraryModel) -> str:
    return f"{m.size / 1e6:,.1f} MB"


def test_every_reason_is_listed(tmp_path: Path, models: dict[str, LibraryModel]) -> None:
    odd = describe_file(
        write_gguf(tmp_path / "odd.gguf", Spec(arch="qwen3", params=90000, vocab=tokens(900)))
    )
    (refusal,) = find_drafts(models["verifier"], (odd,)).refused
    assert [r.split(":")[0].split(" (")[0] for r in refusal.reasons] == [
        "a different architecture",
        "vocabulary sizes within 128",
        "not smaller than the verifier",
    ]


def test_family_and_recurrent_verifiers(tmp_path: Path) -> None:
    big = {arch: describe_file(write_gguf(tmp_path / f"{arch}.gguf", Spec(arch=arch, params=60000)))
           for arch in ("qwen3moe", "qwen3next")}  # fmt: skip
    dense = describe_file(write_gguf(tmp_path / "dense.gguf", Spec(arch="qwen3", params=4000)))
    moe = find_drafts(big["qwen3moe"], (dense,))
    assert [d.model.name for d in moe.drafts] == ["dense.gguf"]
    assert moe.drafts[0].notes[0] == "same family (qwen3 for qwen3moe)"
    nxt = find_drafts(big["qwen3next"], (dense,))
    assert nxt.drafts == ()
    assert nxt.refused[0].reasons == ("a different architecture: the verifier is qwen3next, this file qwen3",)
    assert "recurrent state" in nxt.problem


def _model(name: str, arch: str, n_vocab: int, size: int) -> LibraryModel:
    vocab = make_print([f"t{i}".encode() for i in range(n_vocab)], 2, False, False, 1, 2)
    info = GgufInfo(size, arch, name, "8B", 8 * 10**9, "Q4_K_M", 4096, "gpt2", vocab)
    return LibraryModel(name, Source.FOLDER, Path(f"/m/{name}"), Path(f"/m/{name}"), size, info)


def test_suggests_a_known_draft_when_nothing_local_fits() -> None:
    table = load_suggestions()
    qwen3 = _model("Qwen3-8B-Q4_K_M.gguf", "qwen3", 151_936, 5_027_783_488)
    report = find_drafts(qwen3, ())
    assert report.suggestion is not None
    assert (report.suggestion.repo, report.suggestion.file) == (
        "Qwen/Qwen3-0.6B-GGUF",
        "Qwen3-0.6B-Q8_0.gguf",
    )
    coder = suggest(_model("q.gguf", "qwen2", 152_064, 4 * 10**9), table)
    assert coder is not None and coder.repo == "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
    assert suggest(_model("Qwen3-0.6B-Q8_0.gguf", "qwen3", 151_936, 639_446_688), table) is None
    assert suggest(_model("llama2.gguf", "llama", 32_000, 4 * 10**9), table) is None
    llama3 = suggest(_model("llama3.gguf", "llama", 128_256, 4 * 10**9), table)
    assert llama3 is not None and llama3.file == "Llama-3.2-1B-Instruct-Q4_K_M.gguf"
    assert find_drafts(qwen3, (_model("small.gguf", "qwen3", 151_936, 10**8),)).suggestion is None


def test_unknown_quantization_does_not_break_ranking(tmp_path: Path, models: dict[str, LibraryModel]) -> None:
    plain = describe_file(write_gguf(tmp_path / "plain.gguf", Spec(params=3000, file_type=None)))
    report = find_drafts(models["verifier"], (plain, models["small"]))
    assert [d.model.name for d in report.drafts] == ["plain.gguf", "small.gguf"]
    assert report.drafts[0].notes[2] == "unknown quantization"
    assert Q4_K_M == 15
