"""The one adapter between Tandem and llama.cpp (llama-cpp-python's low-level API).

Logits are requested only for the positions the engine asks for and handed out as a
zero-copy numpy view of llama.cpp's output buffer, valid until the next decode.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import platform
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import llama_cpp as lc
import numpy as np

from desktop.engine.backends import BackendInfo, describe, load_backends
from desktop.engine.config import ModelConfig
from desktop.engine.errors import Cancelled, DecodeError, ModelLoadError
from desktop.engine.load_report import LoadReport, parse_load_log
from desktop.engine.model import Logits, VocabInfo
from desktop.engine.offload import AUTO_GPU_LAYERS, ModelFootprint, choose_gpu_layers

_init_lock = threading.Lock()
_initialised = False
_backend_info: BackendInfo | None = None
_LIB_DIR = Path(lc.__file__).parent / "lib"  # the wheel's (and the frozen app's) libraries
_log_tail: deque[str] = deque(maxlen=20)  # llama.cpp's recent log lines, for error messages
_load_log: deque[str] = deque(maxlen=400)  # every line of the current load, for its LoadReport
_load_lock = threading.Lock()  # one load at a time owns _load_log
_LOG_ERROR = 4  # GGML_LOG_LEVEL_ERROR
_PUNCTUATION = ".,;:-=*|/\\ "


def _on_log(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
    # llama.cpp is chatty on stderr; keep only the tail for error messages.
    if text:
        line = text.decode("utf-8", errors="replace").strip()
        _load_log.append(line)
        # Loading prints progress as lone "." lines; they would lead every error message.
        if line.strip(_PUNCTUATION) and level >= _LOG_ERROR - 1:
            _log_tail.append(line)


_log_callback = lc.llama_log_callback(_on_log)  # module-level: llama.cpp keeps the raw pointer


def _libggml() -> ctypes.CDLL:
    """The libggml libllama is linked to. The wheel holds libggml.so and libggml.so.0 as two
    copies, not links, and llama_cpp._ggml loads the other one: a second registry of backends
    that libllama would never see. Loaded by its soname, the dynamic linker hands back libllama's."""
    if sys.platform.startswith("linux"):
        sonames = sorted(p.name for p in _LIB_DIR.glob("libggml.so.[0-9]*"))
        if sonames:
            return ctypes.CDLL(min(sonames, key=len))
    from llama_cpp import _ggml  # Windows: one ggml.dll; macOS: not checked yet

    return _ggml.libggml  # type: ignore[no-any-return]


def _ensure_backend() -> None:
    global _initialised, _backend_info
    with _init_lock:
        if not _initialised:
            lc.llama_log_set(_log_callback, ctypes.c_void_p())
            # Before llama_backend_init, which would look for backends beside python only.
            ggml = _libggml()
            variant = load_backends(ggml, _LIB_DIR)
            lc.llama_backend_init()
            _backend_info = describe(ggml, variant)
            _initialised = True


def backend_info() -> BackendInfo:
    """The CPU variant, backends and devices llama.cpp uses in this process."""
    _ensure_backend()
    assert _backend_info is not None
    return _backend_info


def llama_cpp_version() -> str:
    """llama-cpp-python's version and the llama.cpp build inside it."""
    build = bytes(lc.llama_version() or b"").decode(errors="replace")
    return f"{lc.__version__} (llama.cpp {build})" if build else str(lc.__version__)


def _check_gguf(path: Path) -> None:
    if not path.is_file():
        raise ModelLoadError(f"model file not found: {path}")
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise ModelLoadError(f"{path.name} is not a GGUF model file (it starts with {magic!r})")


def _load_model(path: Path, params: lc.llama_model_params) -> tuple[Any, LoadReport]:
    _check_gguf(path)
    _ensure_backend()
    with _load_lock:
        _log_tail.clear()
        _load_log.clear()
        model = lc.llama_model_load_from_file(str(path).encode(), params)
        report = parse_load_log(_load_log)
    if not model:
        why = "; ".join(_log_tail) or "llama.cpp gave no reason"
        raise ModelLoadError(f"llama.cpp could not load {path.name}: {why}")
    return model, report


def supports_gpu_offload() -> bool:
    """True when this llama.cpp build can offload layers to a GPU (CUDA, Vulkan, Metal)."""
    _ensure_backend()
    return bool(lc.llama_supports_gpu_offload())


GPU_DEVICE_TYPES = (1, 2)  # ggml_backend_dev_type: GPU, integrated GPU


def gpu_free_bytes() -> int | None:
    """Free memory over the GPU devices llama.cpp sees; None on a build without one."""
    _ensure_backend()
    ggml = _libggml()
    ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
    ggml.ggml_backend_dev_get.restype = ctypes.c_void_p
    ggml.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    ggml.ggml_backend_dev_type.restype = ctypes.c_int
    ggml.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    ggml.ggml_backend_dev_memory.argtypes = [ctypes.c_void_p] + [ctypes.POINTER(ctypes.c_size_t)] * 2
    free_total = 0
    found = False
    for i in range(ggml.ggml_backend_dev_count()):
        dev = ggml.ggml_backend_dev_get(i)
        if ggml.ggml_backend_dev_type(dev) in GPU_DEVICE_TYPES:
            free, total = ctypes.c_size_t(), ctypes.c_size_t()
            ggml.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
            free_total += free.value
            found = True
    return free_total if found else None


def footprint(path: Path) -> ModelFootprint | None:
    """The model's layer count (read with its vocabulary only, no weights) and file size."""
    params = lc.llama_model_default_params()
    params.vocab_only = True
    try:
        model, _ = _load_model(path, params)
    except ModelLoadError:
        return None
    try:
        # vocab_only skips the hyperparameters, so the layer count comes from the metadata.
        arch = _meta(model, "general.architecture")
        layers = _meta(model, f"{arch}.block_count")
        return ModelFootprint(int(layers), path.stat().st_size) if layers.isdigit() else None
    finally:
        lc.llama_model_free(model)


def _meta(model: Any, key: str) -> str:
    buf = ctypes.create_string_buffer(256)
    n = lc.llama_model_meta_val_str(model, key.encode(), buf, len(buf))
    return buf.value.decode(errors="replace") if n >= 0 else ""


def _gpu_layers(cfg: ModelConfig, path: Path) -> int:
    """`cfg.n_gpu_layers`, with "auto" decided from the build and what fits in device memory."""
    gpu = supports_gpu_offload()
    if cfg.n_gpu_layers != AUTO_GPU_LAYERS or not gpu:
        return choose_gpu_layers(cfg.n_gpu_layers, gpu).layers
    free = gpu_free_bytes()
    model = footprint(path) if free is not None else None
    return choose_gpu_layers(cfg.n_gpu_layers, gpu, model, free).layers


def system_info() -> str:
    """llama.cpp's description of the CPU features and backends of this build."""
    _ensure_backend()
    return bytes(lc.llama_print_system_info()).decode(errors="replace").strip()


def _vocab_info(vocab: lc.llama_vocab_p) -> VocabInfo:
    n = lc.llama_vocab_n_tokens(vocab)
    get = lc.llama_vocab_get_text
    texts = [(get(vocab, i) or b"").decode("utf-8", errors="replace") for i in range(n)]
    return VocabInfo(
        vocab_type=int(lc.llama_vocab_type(vocab)),
        n_vocab=n,
        add_bos=bool(lc.llama_vocab_get_add_bos(vocab)),
        add_eos=bool(lc.llama_vocab_get_add_eos(vocab)),
        bos=int(lc.llama_vocab_bos(vocab)),
        eos=int(lc.llama_vocab_eos(vocab)),
        texts=texts,
    )


def read_vocab(path: str | Path) -> VocabInfo:
    """Read only the vocabulary of a GGUF (fast: no weights are loaded)."""
    params = lc.llama_model_default_params()
    params.vocab_only = True
    model, _ = _load_model(Path(path), params)
    try:
        return _vocab_info(lc.llama_model_get_vocab(model))
    finally:
        lc.llama_model_free(model)


_QUANTS = {
    "Q2_K": lc.LLAMA_FTYPE_MOSTLY_Q2_K,
    "Q3_K": lc.LLAMA_FTYPE_MOSTLY_Q3_K_M,
    "Q4_K": lc.LLAMA_FTYPE_MOSTLY_Q4_K_M,
    "Q8_0": lc.LLAMA_FTYPE_MOSTLY_Q8_0,
    "F16": lc.LLAMA_FTYPE_MOSTLY_F16,
}


def quantize(src: Path, dst: Path, quant: str, n_threads: int = 0) -> None:
    """Write `src` re-quantized to `quant` (one of Q2_K, Q3_K, Q4_K, Q8_0, F16) at `dst`."""
    if quant not in _QUANTS:
        raise ValueError(f"unknown quantization {quant!r}; choose one of {', '.join(_QUANTS)}")
    _check_gguf(src)
    _ensure_backend()
    params = lc.llama_model_quantize_default_params()
    params.ftype = _QUANTS[quant]
    params.allow_requantize = True
    params.nthread = n_threads
    rc = lc.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params))
    if rc != 0:
        raise ModelLoadError(f"llama.cpp could not quantize {src.name} to {quant} (code {rc})")


class LlamaModel:
    """A GGUF model and one llama.cpp context holding a single sequence's KV cache."""

    _model: Any
    load_report: LoadReport  # where llama.cpp put the layers and weights

    def __init__(
        self,
        cfg: ModelConfig,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.cfg = cfg
        self.path = Path(cfg.path)
        mparams = lc.llama_model_default_params()
        mparams.n_gpu_layers = _gpu_layers(cfg, self.path)
        mparams.load_mode = lc.LLAMA_LOAD_MODE_MMAP if cfg.mmap else lc.LLAMA_LOAD_MODE_NONE
        if progress is not None or cancel is not None:

            def on_progress(fraction: float, _user: ctypes.c_void_p) -> bool:
                if progress is not None:
                    progress(float(fraction))
                return not (cancel is not None and cancel.is_set())  # False aborts the load

            # Kept on self: llama.cpp holds only a raw pointer to it.
            self._progress_cb = lc.llama_progress_callback(on_progress)
            mparams.progress_callback = self._progress_cb
        try:
            self._model, self.load_report = _load_model(self.path, mparams)
        except ModelLoadError:
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"loading {self.path.name} was cancelled") from None
            raise
        self._ctx: Any = None
        self._batch: lc.llama_batch | None = None
        try:
            cparams = lc.llama_context_default_params()
            cparams.n_ctx = cfg.n_ctx
            cparams.n_batch = cfg.n_batch
            cparams.n_ubatch = cfg.n_batch
            cparams.n_outputs_max = cfg.n_outputs_max
            cparams.n_threads = cfg.n_threads
            cparams.n_threads_batch = cfg.n_threads
            cparams.no_perf = True
            ctx = lc.llama_init_from_model(self._model, cparams)
            if not ctx:
                why = "; ".join(_log_tail) or "out of memory?"
                raise ModelLoadError(f"llama.cpp could not create a context for {self.path.name}: {why}")
            self._ctx = ctx
        except BaseException:
            self.close()
            raise
        self._vocab = lc.llama_model_get_vocab(self._model)
        self._mem = lc.llama_get_memory(self._ctx)
        self._n_vocab = int(lc.llama_vocab_n_tokens(self._vocab))
        self._n_ctx = int(lc.llama_n_ctx(self._ctx))
        self._n_batch = int(lc.llama_n_batch(self._ctx))
        self._batch = lc.llama_batch_init(self._n_batch, 0, 1)
        self._piece_cache: dict[int, bytes] = {}
        self._vocab_info: VocabInfo | None = None

    # -- the Model protocol -----------------------------------------------------------

    @property
    def n_vocab(self) -> int:
        return self._n_vocab

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def tokenize(self, text: str, *, add_special: bool, parse_special: bool) -> list[int]:
        data = text.encode("utf-8")
        cap = len(data) + 8
        buf = (lc.llama_token * cap)()
        n = lc.llama_tokenize(self._vocab, data, len(data), buf, cap, add_special, parse_special)
        if n < 0:
            cap = -n
            buf = (lc.llama_token * cap)()
            n = lc.llama_tokenize(self._vocab, data, len(data), buf, cap, add_special, parse_special)
        return list(buf[:n])

    def token_bytes(self, token: int) -> bytes:
        cached = self._piece_cache.get(token)
        if cached is None:
            buf = ctypes.create_string_buffer(64)
            n = lc.llama_token_to_piece(self._vocab, token, buf, 64, 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = lc.llama_token_to_piece(self._vocab, token, buf, -n, 0, False)
            cached = buf.raw[:n]
            self._piece_cache[token] = cached
        return cached

    def is_eog(self, token: int) -> bool:
        return bool(lc.llama_vocab_is_eog(self._vocab, token))

    def decode(self, tokens: Sequence[int], start: int, n_logits: int) -> Logits:
        if start + len(tokens) > self._n_ctx:
            raise DecodeError(
                f"{self.path.name}: context full ({start + len(tokens)} > {self._n_ctx} tokens)"
            )
        n_logits = min(n_logits, len(tokens))
        first_out = len(tokens) - n_logits  # index of the first token whose logits are wanted
        step = self._n_batch  # llama.cpp caps it at the context size, so a batch may split
        parts: list[Logits] = []
        for lo in range(0, len(tokens), step):
            chunk = tokens[lo : lo + step]
            self._decode_chunk(chunk, start + lo, first_out - lo)
            n_out = max(0, len(chunk) - max(0, first_out - lo))
            if n_out:
                rows = self._output_rows(n_out)
                # The next decode overwrites llama.cpp's output buffer: keep a copy.
                parts.append(rows if lo + step >= len(tokens) else rows.copy())
        if not parts:
            return np.empty((0, self._n_vocab), dtype=np.float32)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _output_rows(self, n: int) -> Logits:
        """The logits rows of the last decode call, as a view of llama.cpp's buffer."""
        ptr = lc.llama_get_logits(self._ctx)
        return np.ctypeslib.as_array(ptr, shape=(n * self._n_vocab,)).reshape(n, self._n_vocab)

    def _decode_chunk(self, tokens: Sequence[int], start: int, first_out: int) -> None:
        b: Any = self._batch
        n = len(tokens)
        tok, pos, nseq, seq, out = b.token, b.pos, b.n_seq_id, b.seq_id, b.logits
        for i, t in enumerate(tokens):
            tok[i] = t
            pos[i] = start + i
            nseq[i] = 1
            seq[i][0] = 0
            out[i] = i >= first_out
        b.n_tokens = n
        rc = lc.llama_decode(self._ctx, b)
        if rc != 0:
            why = "; ".join(_log_tail) or f"code {rc}"
            raise DecodeError(f"llama.cpp failed to decode a batch of {n} tokens in {self.path.name}: {why}")

    def truncate(self, n: int) -> None:
        lc.llama_memory_seq_rm(self._mem, 0, n, -1)

    def vocab(self) -> VocabInfo:
        if self._vocab_info is None:
            self._vocab_info = _vocab_info(self._vocab)
        return self._vocab_info

    def metadata(self, key: str) -> str | None:
        buf = ctypes.create_string_buffer(1 << 16)
        n = lc.llama_model_meta_val_str(self._model, key.encode(), buf, len(buf))
        if n < 0:
            return None
        if n >= len(buf):
            buf = ctypes.create_string_buffer(n + 1)
            lc.llama_model_meta_val_str(self._model, key.encode(), buf, len(buf))
        return buf.value.decode("utf-8", errors="replace")

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Free the context, the batch and the weights (idempotent)."""
        if self._batch is not None:
            lc.llama_batch_free(self._batch)
            self._batch = None
        if self._ctx:
            lc.llama_free(self._ctx)
            self._ctx = None
        if self._model:
            lc.llama_model_free(self._model)
            self._model = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def fingerprint(cfg: ModelConfig) -> str:
    """Identifies a model file, its settings, this llama.cpp build and this machine, so a
    calibration measured under one of them is never reused under another.
    """
    path = Path(cfg.path).resolve()
    st = path.stat()
    parts = [
        str(path),
        str(st.st_size),
        str(st.st_mtime_ns),
        f"gpu={cfg.n_gpu_layers} threads={cfg.n_threads} batch={cfg.n_batch}",
        getattr(lc, "__version__", "?"),
        system_info(),
        platform.machine(),
        platform.processor() or platform.node(),
        str(os.cpu_count()),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


class LlamaBackend:
    """The `Backend` the app uses: llama.cpp through llama-cpp-python."""

    def fingerprint(self, cfg: ModelConfig) -> str:
        return fingerprint(cfg)

    def read_vocab(self, path: str | Path) -> VocabInfo:
        return read_vocab(path)

    def load(
        self,
        cfg: ModelConfig,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> LlamaModel:
        return LlamaModel(cfg, progress, cancel)
