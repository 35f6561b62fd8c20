"""A target from the issues: a measured value against a limit, and whether it was met."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Target:
    """One of the issue's targets: `measured` against `limit`; met is None when not measured."""

    name: str
    measured: float | None
    limit: float
    at_least: bool  # True: measured >= limit is met; False: measured <= limit
    detail: str = ""

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "met": self.met}
