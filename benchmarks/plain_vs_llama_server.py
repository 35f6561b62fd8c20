"""Plain decoding through Tandem vs llama.cpp's llama-server, interleaved request by request.

Start the server first (same model, threads and context), e.g.
  LD_LIBRARY_PATH=BIN BIN/llama-server -m VERIFIER.gguf -c 4096 -t 2 -tb 2 -ngl 0 --port 38111 -np 1
then: .venv/bin/python benchmarks/plain_vs_llama_server.py [PORT] [ROUNDS]
Both decode the same token ids greedily; each round prints both speeds and their ratio.
"""

from __future__ import annotations

import json
import sys
import urllib.request

from desktop.engine.chat import Message
from desktop.engine.config import DraftConfig, GenerationConfig, ModelConfig
from desktop.engine.llamacpp import LlamaBackend
from desktop.engine.pair import ModelPair, PairConfig
from desktop.models.listing import pair_paths


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 38111
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    verifier, _ = pair_paths("default")
    pair = ModelPair.load(LlamaBackend(), PairConfig(ModelConfig(str(verifier))))
    messages = [Message("user", "Write a Python function that merges two sorted lists, with a docstring.")]
    cfg = GenerationConfig(max_tokens=64, draft=DraftConfig(draft_max=0))
    tokens = list(pair.prompt(messages, cfg).tokens)
    body = {"prompt": tokens, "n_predict": 64, "temperature": 0, "top_k": 1, "cache_prompt": True}
    for r in range(1, rounds + 1):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/completion",
            json.dumps(body).encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            server = json.load(response)["timings"]["predicted_per_second"]
        pair.decoder.verifier.rewind(
            0
        )  # read the prompt again, as the server's cache does not help it either
        _, generation = pair.reply(messages, cfg)
        list(generation)
        tandem = generation.stats.tokens_per_s
        ratio = tandem / server
        print(f"round {r}: llama-server {server:.2f} tok/s, tandem {tandem:.2f} tok/s, ratio {ratio:.3f}")


if __name__ == "__main__":
    main()
