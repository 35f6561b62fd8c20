#!/usr/bin/env bash
# Build llama-cpp-python once per CMAKE_ARGS and keep the wheel outside the repo, so later
# runs (and CI on the same machine) reuse it. Prints the wheel's path.
# Default CMAKE_ARGS: llama.cpp's CPU backend in every x86-64 variant (SSE4.2 … AVX-512/AMX), one
# libggml-cpu-<variant>.so each, the best one chosen when the backend loads: the same build an
# installer ships. For a GPU build add e.g. -DGGML_CUDA=on (see README).
set -euo pipefail
version="${LLAMA_CPP_VERSION:-0.3.36}"
args="${CMAKE_ARGS:--DGGML_NATIVE=off -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON}"
# Backends built as loadable modules install to CMAKE_INSTALL_BINDIR; llama-cpp-python's own
# CMakeLists only installs targets it names (not ggml-cpu-haswell etc.), so put them beside
# libllama in llama_cpp/lib, where desktop/engine/llamacpp.py loads them from.
build_args="$args"
case "$args" in *GGML_BACKEND_DL=ON*|*GGML_BACKEND_DL=on*) build_args="$args -DCMAKE_INSTALL_BINDIR=llama_cpp/lib" ;; esac
# Build caches stay in ~/.cache/tandem, apart from the app's own cache (desktop/models/paths.py
# says why); CI caches this folder, and each key folder saves a rebuild of up to an hour.
cache="${TANDEM_WHEEL_CACHE:-$HOME/.cache/tandem/wheels}"
key=$(printf '%s|%s' "$version" "$args" | sha256sum | cut -c1-12)
dir="$cache/$key"
wheel=$(ls "$dir"/llama_cpp_python-"$version"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  python="${PYTHON:-python3}"
  echo "Building llama-cpp-python $version with CMAKE_ARGS='$args' (about 5-10 minutes, once)..." >&2
  mkdir -p "$dir.tmp"
  CMAKE_ARGS="$build_args" "$python" -m pip wheel --no-deps --no-cache-dir "llama-cpp-python==$version" -w "$dir.tmp" >&2
  printf '%s\n' "$build_args" > "$dir.tmp/CMAKE_ARGS"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  wheel=$(ls "$dir"/llama_cpp_python-"$version"-*.whl | head -n1)
fi
echo "$wheel"
