"""What can go wrong between Tandem and the Hugging Face Hub, each as one line a user can act on."""

from __future__ import annotations

from desktop.engine.errors import TandemError


def megabytes(n: int) -> str:
    """Bytes as the MB figure messages show, e.g. ``1,117 MB``."""
    return f"{n / 1e6:,.0f} MB"


class HubError(TandemError):
    """Base of every error about searching or downloading from the Hub."""


class BadModelSpecError(HubError):
    """A repo or file name the user typed that cannot name a GGUF on the Hub."""


class HubUnreachableError(HubError):
    """No connection to the Hub (offline, DNS, refused, timed out, or HF_HUB_OFFLINE set)."""

    @classmethod
    def at(cls, where: str, reason: object) -> HubUnreachableError:
        """The error for a failed connection to `where`; `reason` is the low-level cause."""
        return cls(
            f"cannot reach the Hugging Face Hub at {where} ({reason}); check the network, "
            "or use the models already installed"
        )


class RepoNotFoundError(HubError):
    """The repo does not exist, or is private and the token cannot see it."""


class RevisionNotFoundError(HubError):
    """The repo exists but not the branch, tag or commit asked for."""


class HubFileNotFoundError(HubError):
    """The repo exists but holds no such file."""


class GatedRepoError(HubError):
    """The repo needs its licence accepted (and a token) before its files can be downloaded."""


class NotEnoughSpaceError(HubError):
    """The models folder's disk lacks room for the rest of a download plus a margin."""


class DiskFullError(HubError):
    """The disk filled up while a download was being written; the part fetched so far is kept."""


class HashMismatchError(HubError):
    """The downloaded bytes do not have the Hub's sha256; the file was set aside as ``.corrupt``."""


class DownloadInterruptedError(HubError):
    """The connection kept dropping; the part fetched so far is kept for the next try."""


class DownloadCancelledError(HubError):
    """The user cancelled; the part fetched so far is kept for the next try."""
