#!/usr/bin/env bash
# Build llama-cpp-python once per CMAKE_ARGS and keep the wheel outside the repo, so later
# runs (and CI on the same machine) reuse it. Prints the wheel's path.
# Default CMAKE_ARGS: a portable CPU build (AVX2, no AVX-512/AMX), the same build an
# installer ships. For a GPU build set e.g. CMAKE_ARGS="-DGGML_CUDA=on" (see README).
set -euo pipefail
version="${LLAMA_CPP_VERSION:-0.3.36}"
args="${CMAKE_ARGS:--DGGML_NATIVE=off}"
cache="${TANDEM_WHEEL_CACHE:-$HOME/.cache/tandem/wheels}"
key=$(printf '%s|%s' "$version" "$args" | sha256sum | cut -c1-12)
dir="$cache/$key"
wheel=$(ls "$dir"/llama_cpp_python-"$version"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  python="${PYTHON:-python3}"
  echo "Building llama-cpp-python $version with CMAKE_ARGS='$args' (about 5-10 minutes, once)..." >&2
  mkdir -p "$dir.tmp"
  CMAKE_ARGS="$args" "$python" -m pip wheel --no-deps --no-cache-dir "llama-cpp-python==$version" -w "$dir.tmp" >&2
  printf '%s\n' "$args" > "$dir.tmp/CMAKE_ARGS"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  wheel=$(ls "$dir"/llama_cpp_python-"$version"-*.whl | head -n1)
fi
echo "$wheel"
