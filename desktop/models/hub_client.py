"""The one door to the Hugging Face Hub: lazy import, endpoint, headers and the HTTP session.

Nothing here runs at import, so Tandem opens no connection (and does not even import
huggingface_hub) unless the user asks to search or download.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from desktop.models.hub_errors import (
    GatedRepoError,
    HubError,
    HubFileNotFoundError,
    HubUnreachableError,
    RepoNotFoundError,
    RevisionNotFoundError,
)

DEFAULT_ENDPOINT = "https://huggingface.co"
CONNECT_TIMEOUT_S = 5.0  # a laptop without a network must hear so within seconds
READ_TIMEOUT_S = 30.0
_install_lock = threading.Lock()
_installed = False


def endpoint() -> str:
    """The Hub's address, read from ``HF_ENDPOINT`` now (huggingface_hub reads it only at import)."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def hf() -> ModuleType:
    """huggingface_hub, imported on first use with telemetry off and the fail-fast session installed."""
    # Read at import: without it the library phones home once a day.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import huggingface_hub

    _install_session(huggingface_hub)
    return huggingface_hub


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tandem")
    except PackageNotFoundError:
        return "dev"


def api() -> Any:
    """An ``HfApi`` for the endpoint set now, naming Tandem in its user agent."""
    return hf().HfApi(endpoint=endpoint(), library_name="tandem", library_version=_version())


def headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The library's headers: the token (HF_TOKEN or `hf auth login`) and a user agent naming Tandem."""
    built = hf().utils.build_hf_headers(library_name="tandem", library_version=_version(), headers=extra)
    return dict(built)


def session() -> Any:
    """The library's shared HTTP client (an ``httpx2.Client``), so proxies and tokens behave alike."""
    return hf().get_session()


def timeout() -> Any:
    """Short connect, patient read: a dead network fails fast, a slow download does not."""
    import httpx2

    return httpx2.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)


def _install_session(huggingface_hub: ModuleType) -> None:
    # huggingface_hub retries a refused connection for about 24 s (measured offline). Its documented hook,
    # set_client_factory, lets us give it a transport that reports connect failures as
    # HubUnreachableError, which its retry loop does not catch.
    global _installed
    with _install_lock:
        if _installed:
            return
        huggingface_hub.set_client_factory(_client)
        _installed = True


def _client() -> Any:
    import httpx2
    from huggingface_hub import is_offline_mode
    from huggingface_hub.errors import OfflineModeIsEnabled

    class FailFastTransport(httpx2.HTTPTransport):
        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            limits = dict(request.extensions.get("timeout") or {})
            # The library passes timeout=None (wait forever) on most calls; bound the connect.
            if limits.get("connect") is None:
                limits["connect"] = CONNECT_TIMEOUT_S
            if limits.get("read") is None:
                limits["read"] = READ_TIMEOUT_S
            request.extensions["timeout"] = limits
            try:
                return super().handle_request(request)
            except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                raise HubUnreachableError.at(
                    f"{request.url.scheme}://{request.url.netloc.decode()}", exc
                ) from exc

    def offline_guard(request: httpx2.Request) -> None:
        if is_offline_mode():
            raise OfflineModeIsEnabled(f"cannot reach {request.url}: HF_HUB_OFFLINE is set")

    return httpx2.Client(
        transport=FailFastTransport(),
        event_hooks={"request": [offline_guard]},
        follow_redirects=True,
        timeout=timeout(),
    )


@contextmanager
def translated(repo: str, path: str | None = None, revision: str = "main") -> Iterator[None]:
    """Turn the library's and httpx's exceptions into Tandem's one-line HubErrors."""
    try:
        yield
    except HubError:
        raise
    except Exception as exc:
        mapped = _mapped(exc, repo, path, revision)
        if mapped is None:
            raise
        raise mapped from exc


def _mapped(exc: Exception, repo: str, path: str | None, revision: str) -> HubError | None:
    if "huggingface_hub" not in sys.modules:
        return None
    import httpx2
    from huggingface_hub import errors

    site = endpoint()
    if isinstance(exc, errors.GatedRepoError):
        return GatedRepoError(
            f"{repo} is gated: accept its licence at {site}/{repo} while logged in, then give Tandem "
            "your token with HF_TOKEN or `hf auth login`"
        )
    if isinstance(exc, errors.RevisionNotFoundError):
        return RevisionNotFoundError(f"{repo} has no revision {revision!r} on {site}")
    if isinstance(exc, errors.EntryNotFoundError):
        return HubFileNotFoundError(f"{repo} has no file {path!r} (see: tandem models files {repo})")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return RepoNotFoundError(
            f"no model repo {repo!r} on {site} (private repos need HF_TOKEN or `hf auth login`); "
            "see: tandem models search"
        )
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return HubUnreachableError(
            "HF_HUB_OFFLINE is set, so Tandem does not contact the Hub; unset it to search or download"
        )
    if isinstance(exc, errors.HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else "an error"
        return HubError(f"the Hub at {site} answered {status} for {repo}; try again later")
    if isinstance(exc, httpx2.TransportError):
        return HubUnreachableError.at(site, exc)
    return None
