"""Errors of the benchmark harness; the CLI prints them as one line and exits 2."""

from __future__ import annotations

from desktop.engine.errors import TandemError


class BenchError(TandemError):
    """A suite, a binary or a native run the bench cannot use."""
