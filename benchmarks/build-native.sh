#!/usr/bin/env bash
# Build llama.cpp's own llama-bench and llama-server from the sources vendored in the same
# llama-cpp-python release Tandem uses, with the same CMAKE_ARGS, for side-by-side benchmarks.
# Prints the directory holding the binaries. Built once per CMAKE_ARGS, cached outside the repo.
set -euo pipefail
version="${LLAMA_CPP_VERSION:-0.3.36}"
args="${CMAKE_ARGS:--DGGML_NATIVE=off}"
# Beside the llama-cpp-python wheels in ~/.cache/tandem, apart from the app's own cache.
cache="${TANDEM_NATIVE_CACHE:-$HOME/.cache/tandem/native}"
key=$(printf '%s|%s' "$version" "$args" | sha256sum | cut -c1-12)
out="$cache/$key"
if [ ! -x "$out/bin/llama-server" ] || [ ! -x "$out/bin/llama-bench" ]; then
  python="${PYTHON:-python3}"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$python" -m pip download --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$work" -q >&2
  tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
  src="$work/llama_cpp_python-$version/vendor/llama.cpp"
  # shellcheck disable=SC2086
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON $args >&2
  cmake --build "$work/build" --target llama-server llama-bench -j "$(nproc)" >&2
  mkdir -p "$out/bin"
  cp -a "$work/build/bin/." "$out/bin/"
fi
echo "$out/bin"
