"""Guards against a PySide6 build that mis-counts references when a signal is emitted."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    fired = Signal(object)


def test_emitting_signals_leaves_the_bool_singletons_alone() -> None:
    # PySide6 6.12.0 dropped a reference to True per emit(): a chat reply of a few hundred
    # steps then aborted the interpreter. pyproject.toml excludes that release.
    emitter = Emitter()
    before = sys.getrefcount(True)
    for i in range(500):
        emitter.fired.emit(i)
    assert abs(sys.getrefcount(True) - before) < 50
