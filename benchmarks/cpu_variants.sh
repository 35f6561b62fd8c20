#!/usr/bin/env bash
# The shipped build (every CPU variant, the best picked at start) against llama-bench built
# natively for this CPU and against the same build held to AVX2 (TANDEM_CPU_VARIANT=haswell),
# interleaved round by round so a noisy machine hits all three alike.
# Usage: benchmarks/cpu_variants.sh [ROUNDS] [PAIR]   (PAIR: default or tiny; the verifier is used)
# Needs the venv on the shipped build (make setup) and builds native llama-bench once
# (benchmarks/build-native.sh with -DGGML_NATIVE=on). Prints prompt (pp) and decode (tg) tok/s.
set -euo pipefail
rounds="${1:-3}"; pair="${2:-default}"
py=.venv/bin/python
native=$(CMAKE_ARGS="-DGGML_NATIVE=on" bash benchmarks/build-native.sh)
model=$($py -c "from desktop.models.listing import pair_paths; print(pair_paths('$pair')[0])")
threads=$($py -c "from desktop.engine.config import default_threads; print(default_threads())")
# About 128 prompt tokens, as llama-bench's pp128.
prompt=$(printf 'Summarise the following list of words in one sentence: %s' \
  "$(printf 'river mountain valley forest ocean desert island canyon glacier meadow %.0s' 1 2 3 4 5 6 7 8 9 10)")
tandem() {  # prints "pp tg" for Tandem's plain decoding (no draft)
  "$@" "$py" -m desktop generate --verifier "$model" --no-draft --threads "$threads" \
    --max-tokens 64 --prompt "$prompt" --json | tail -1 | "$py" -c "
import json, sys; s = json.load(sys.stdin)['stats']
print(round(s['prefilled_tokens'] / s['prefill_s'], 1), s['tokens_per_s'])"
}
echo "variant chosen: $("$py" -m desktop --version | sed -n 's/^CPU variant: //p'); model $(basename "$model"), $threads threads"
printf '%-6s %-28s %-28s %-28s\n' round "native llama-bench pp tg" "Tandem shipped pp tg" "Tandem AVX2 (haswell) pp tg"
for r in $(seq "$rounds"); do
  lb=$(LD_LIBRARY_PATH="$native" "$native/llama-bench" -m "$model" -t "$threads" -p 128 -n 64 -r 1 -o json \
       2>/dev/null | "$py" -c "import json,sys; d=json.load(sys.stdin); print(*[round(x['avg_ts'],1) for x in d])")
  shipped=$(tandem env)
  avx2=$(tandem env TANDEM_CPU_VARIANT=haswell)
  printf '%-6s %-28s %-28s %-28s\n' "$r" "$lb" "$shipped" "$avx2"
done
