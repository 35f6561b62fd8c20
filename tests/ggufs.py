"""Small GGUF files written with the `gguf` package, for tests of refusals."""

from __future__ import annotations

from pathlib import Path


def write_vocab_gguf(
    path: Path, tokens: list[str], merges: list[str] | None = None, bos: int = 1, eos: int = 2
) -> Path:
    """A llama-architecture GGUF that carries only hyper-parameters and a BPE vocabulary
    (enough for llama.cpp's vocabulary-only load, which the compatibility check uses).
    """
    import gguf

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(256)
    w.add_embedding_length(64)
    w.add_block_count(1)
    w.add_feed_forward_length(128)
    w.add_head_count(4)
    w.add_head_count_kv(4)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.NORMAL] * len(tokens))
    w.add_token_merges(merges or ["a b"])  # llama.cpp refuses a BPE vocabulary without merges
    w.add_bos_token_id(bos)
    w.add_eos_token_id(eos)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def read_merges(path: Path) -> list[str]:
    """The BPE merges stored in a GGUF."""
    import gguf

    field = gguf.GGUFReader(str(path)).fields["tokenizer.ggml.merges"]
    return [bytes(field.parts[i]).decode("utf-8") for i in field.data]
