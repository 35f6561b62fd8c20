"""Errors raised while fetching or locating model files."""

from __future__ import annotations

from desktop.engine.errors import TandemError


class FetchError(TandemError):
    """A model file could not be downloaded, assembled, derived or verified."""


class NotInstalledError(TandemError):
    """A pair's files are not in the models folder yet; the message says which command fetches them."""


class UnknownModelError(TandemError):
    """A pair or file name that the catalog does not list."""


class NotRemovableError(TandemError):
    """A file Tandem did not install: it belongs to another app and is never deleted by Tandem."""
