"""Searching the Hugging Face Hub for GGUF models, listing a repo's files, and pinning one to download.

Everything goes through huggingface_hub (see hub_client); each call opens a connection, so only a
user's request to search or download calls these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from desktop.models import hub_client
from desktop.models.hub_client import translated
from desktop.models.hub_errors import BadModelSpecError, HubError

METADATA_TIMEOUT_S = 10.0
PREFERRED_QUANT = "Q4_K_M"  # the usual balance of size and quality, LM Studio's default too
_REPO = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_QUANT = re.compile(r"(?<![A-Za-z0-9])(I?Q\d(?:_[A-Za-z0-9]+)*|B?F16|F32)(?=[.-])", re.IGNORECASE)
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class HubModel:
    """A search result: a model repo and how popular it is."""

    repo: str
    downloads: int
    likes: int
    gated: bool


@dataclass(frozen=True)
class HubFile:
    """A GGUF file in a repo, as the repo's file listing shows it."""

    repo: str
    path: str
    size: int
    sha256: str | None

    @property
    def quant(self) -> str | None:
        """The quantization named in the file name (``Q4_K_M``, ``Q8_0``, ``F16``…), upper-cased."""
        return quant_of(self.path)

    @property
    def split(self) -> bool:
        """Whether this is one part of a GGUF split across several files."""
        return _SPLIT.search(self.path) is not None


@dataclass(frozen=True)
class RemoteFile:
    """One file pinned to a commit: what a download fetches and checks the bytes against."""

    repo: str
    path: str
    commit: str
    size: int
    sha256: str
    url: str


@dataclass(frozen=True)
class ModelSpec:
    """What `tandem models pull` was asked for: ``REPO``, ``REPO:QUANT`` or ``REPO/FILE``."""

    repo: str
    file: str | None = None
    quant: str | None = None


def quant_of(path: str) -> str | None:
    """The last quantization name in the file's base name, or None."""
    found = _QUANT.findall(PurePosixPath(path).name)
    return found[-1].upper() if found else None


def parse_spec(text: str) -> ModelSpec:
    """Parse ``owner/name``, ``owner/name:QUANT`` or ``owner/name/path/file.gguf``."""
    text = text.strip()
    head, _, quant = text.partition(":")
    owner, _, rest = head.partition("/")
    name, _, file = rest.partition("/")
    repo = f"{owner}/{name}"
    if not _REPO.fullmatch(repo) or (quant and file) or (":" in text and not quant):
        raise BadModelSpecError(f"{text!r} is not OWNER/REPO, OWNER/REPO:QUANT or OWNER/REPO/FILE.gguf")
    if file and (not file.lower().endswith(".gguf") or ".." in file.split("/")):
        raise BadModelSpecError(f"{file!r} is not a .gguf file name")
    return ModelSpec(repo, file or None, quant.upper() or None)


def search_models(query: str, limit: int = 20) -> tuple[HubModel, ...]:
    """GGUF model repos matching `query`, most downloaded first."""
    with translated(query):
        found = hub_client.api().list_models(filter="gguf", search=query, sort="downloads", limit=limit)
        return tuple(HubModel(m.id, int(m.downloads or 0), int(m.likes or 0), bool(m.gated)) for m in found)


def list_gguf_files(repo: str, revision: str = "main") -> tuple[HubFile, ...]:
    """Every ``.gguf`` file in `repo` at `revision`, in the repo's order."""
    with translated(repo, revision=revision):
        tree = hub_client.api().list_repo_tree(repo, revision=revision, recursive=True)
        files = []
        for entry in tree:
            if getattr(entry, "size", None) is None or not entry.path.lower().endswith(".gguf"):
                continue  # a folder, or not a model file
            sha = entry.lfs.sha256 if entry.lfs is not None else None
            files.append(HubFile(repo, entry.path, int(entry.size), sha))
        return tuple(files)


def file_info(repo: str, path: str, revision: str = "main") -> RemoteFile:
    """Size, commit and LFS sha256 of one file, from a HEAD request without retries."""
    hf = hub_client.hf()
    site = hub_client.endpoint()
    with translated(repo, path, revision):
        meta = hf.get_hf_file_metadata(
            hf.hf_hub_url(repo, path, revision=revision, endpoint=site),
            timeout=METADATA_TIMEOUT_S,
            headers=hub_client.headers(),
            retry_on_errors=False,
        )
        sha = (meta.etag or "").lower()
        if not _SHA256.fullmatch(sha):
            # Not the LFS hash (a git blob id, or a proxy rewrote the ETag): ask the tree instead.
            infos = hub_client.api().get_paths_info(repo, [path], revision=meta.commit_hash or revision)
            lfs = getattr(infos[0], "lfs", None) if infos else None
            sha = lfs.sha256 if lfs is not None else ""
    if not sha or meta.commit_hash is None or meta.size is None:
        raise HubError(f"{repo}/{path} has no LFS sha256 on the Hub, so Tandem cannot verify it")
    # Pinned to the commit, so a resumed download cannot splice two versions of the file.
    url = hf.hf_hub_url(repo, path, revision=meta.commit_hash, endpoint=site)
    return RemoteFile(repo, path, meta.commit_hash, int(meta.size), sha, url)


def pick_file(files: tuple[HubFile, ...], spec: ModelSpec) -> HubFile:
    """The file `spec` names among `files`: by quantization, else Q4_K_M, else the only one."""
    whole = [f for f in files if not f.split]
    quants = sorted({f.quant for f in whole if f.quant})
    choices = f"; available: {', '.join(quants)}" if quants else ""
    if spec.quant:
        matches = [f for f in whole if f.quant == spec.quant]
    else:
        matches = [f for f in whole if f.quant == PREFERRED_QUANT] or (whole if len(whole) == 1 else [])
    if len(matches) >= 1:
        return min(matches, key=lambda f: (f.path.count("/"), len(f.path)))
    if spec.quant and any(f.quant == spec.quant for f in files):
        raise BadModelSpecError(
            f"{spec.repo} has {spec.quant} only as a split GGUF; Tandem downloads single-file GGUFs"
        )
    if not whole:
        raise BadModelSpecError(f"{spec.repo} has no single-file GGUF to download")
    wanted = f"no {spec.quant} file" if spec.quant else "several GGUF files"
    raise BadModelSpecError(f"{spec.repo} has {wanted}{choices}; pull {spec.repo}:QUANT")


def resolve(spec: ModelSpec, revision: str = "main") -> RemoteFile:
    """The file a pull should download, pinned to the repo's current commit."""
    path = spec.file or pick_file(list_gguf_files(spec.repo, revision), spec).path
    return file_info(spec.repo, path, revision)
