"""Download progress: bytes so far, the recent rate and the time left, in the words users read."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_S = 5.0  # the rate is measured over the last few seconds, so a stall shows at once
INTERVAL_S = 0.1  # at most ten reports a second, plus the last one


@dataclass(frozen=True)
class Progress:
    """One progress report: `done` of `total` bytes, `rate` in bytes/s, `eta_s` None while unknown."""

    name: str
    done: int
    total: int
    rate: float
    eta_s: float | None

    def line(self) -> str:
        """E.g. ``Downloading x.gguf: 312 of 1,117 MB, 12.3 MB/s, 2 min left``."""
        text = f"Downloading {self.name}: {self.done / 1e6:,.0f} of {self.total / 1e6:,.0f} MB"
        if self.rate > 0:
            text += f", {self.rate / 1e6:,.1f} MB/s"
        if self.eta_s is not None and self.done < self.total:
            text += f", {time_left(self.eta_s)} left"
        return text


ProgressCallback = Callable[[Progress], None]


def time_left(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1 h 5 min``."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class Meter:
    """Turns byte counts into throttled Progress reports for `callback`."""

    def __init__(
        self,
        name: str,
        total: int,
        done: int,
        callback: ProgressCallback | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.total, self.done = name, total, done
        self._callback, self._clock = callback, clock
        self._samples: deque[tuple[float, int]] = deque([(clock(), done)])
        self._last_report = float("-inf")

    def restart(self) -> None:
        """The server ignored a Range request: counting starts again from byte 0."""
        self.done = 0
        self._samples = deque([(self._clock(), 0)])

    def update(self, done: int) -> None:
        """Record that `done` bytes are now on disk; report if it is time to."""
        now = self._clock()
        self.done = done
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > WINDOW_S:
            self._samples.popleft()
        if self._callback is not None and (now - self._last_report >= INTERVAL_S or done >= self.total):
            self._last_report = now
            self._callback(self.report())

    def report(self) -> Progress:
        """The progress now."""
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        rate = (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        return Progress(self.name, self.done, self.total, rate, eta)
