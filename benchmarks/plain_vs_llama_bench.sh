#!/usr/bin/env bash
# Plain decoding through Tandem vs llama.cpp's llama-bench, interleaved round by round so a
# noisy machine hits both alike. Usage: benchmarks/plain_vs_llama_bench.sh BIN_DIR [ROUNDS]
# (BIN_DIR: what benchmarks/build-native.sh prints). Prints one line per round and the ratios.
set -euo pipefail
bin="$1"; rounds="${2:-3}"
model=$(.venv/bin/python -c "from desktop.models.listing import pair_paths; print(pair_paths('default')[0])")
threads=$(.venv/bin/python -c "from desktop.engine.config import default_threads; print(default_threads())")
prompt="Write a Python function that merges two sorted lists, with a docstring."
for r in $(seq "$rounds"); do
  lb=$(LD_LIBRARY_PATH="$bin" "$bin/llama-bench" -m "$model" -t "$threads" -p 0 -n 64 -r 1 -o json 2>/dev/null \
       | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)[0]['avg_ts'])")
  td=$(.venv/bin/python -m desktop generate --verifier "$model" --no-draft --threads "$threads" \
       --max-tokens 64 --prompt "$prompt" --json | tail -1 \
       | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)['stats']['tokens_per_s'])")
  echo "round $r: llama-bench $lb tok/s, tandem plain $td tok/s, ratio $(.venv/bin/python -c "print(round($td/$lb, 3))")"
done
