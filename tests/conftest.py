"""Every tier: Python's cyclic collector runs between tests, on the main thread.

Left automatic, it can run on a worker thread that happens to allocate and destroy Qt objects
made on the GUI thread there (the app itself collects on a GUI-thread timer for the same reason:
desktop/qt/collector.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if enabled:
        gc.enable()
