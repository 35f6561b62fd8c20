"""The window's explicit state; widgets enable themselves from it, nothing else."""

from __future__ import annotations

import enum


class UiState(enum.Enum):
    """Where the app is; `Error` means the last load failed and no pair is usable."""

    EMPTY = "no model pair"
    FETCHING = "fetching models"
    LOADING = "loading"
    MEASURING = "measuring"  # timing the verifier again, for the speed-up's baseline
    IDLE = "ready"
    GENERATING = "generating"
    STOPPING = "stopping"
    ERROR = "error"

    @property
    def can_send(self) -> bool:
        return self is UiState.IDLE

    @property
    def can_stop(self) -> bool:
        return self is UiState.GENERATING

    @property
    def busy(self) -> bool:
        """A reply is streaming or stopping: the conversation must not change under it."""
        return self in (UiState.GENERATING, UiState.STOPPING)

    @property
    def can_change_pair(self) -> bool:
        return self not in (UiState.LOADING, UiState.FETCHING, UiState.MEASURING)

    @property
    def will_be_ready(self) -> bool:
        """The pair is on its way: a message sent now waits for it instead of being lost."""
        return self in (UiState.LOADING, UiState.MEASURING)
