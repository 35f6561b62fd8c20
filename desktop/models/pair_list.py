"""The curated pairs as `tandem models list` shows them: sources, sizes, the machine each suits,
and whether they are installed. Listing reads no file and opens no connection."""

from __future__ import annotations

from desktop.models.catalog import CATALOG, DEFAULT_PAIR, Catalog, CatalogFile, DerivedFile
from desktop.models.hub_errors import megabytes
from desktop.models.listing import PairStatus, list_pairs


def file_json(f: CatalogFile) -> dict[str, object]:
    """Where a curated file comes from, and its size and sha256 where the catalog knows them."""
    if isinstance(f, DerivedFile):
        return {"name": f.name, "title": f.title, "size": f.size, "size_exact": False, "sha256": None,
                "made_from": f.source, "quant": f.quant, "hub": None, "mirror": False}  # fmt: skip
    return {
        "name": f.name,
        "title": f.title,
        "size": f.size,
        "size_exact": f.size_exact,
        "sha256": f.sha256,  # None: the Hub's LFS sha256, checked and recorded at download
        "hub": {"repo": f.hub.repo, "file": f.hub.file, "revision": f.hub.revision},
        "mirror": f.mirrored,
    }


def pairs_json(catalog: Catalog = CATALOG) -> list[dict[str, object]]:
    """Every curated pair with its files' sources, its size, what it suits and its install state."""
    rows = []
    for p, status in zip(catalog.pairs, list_pairs(catalog), strict=True):
        files = {"verifier": file_json(catalog.file(p.verifier)), "draft": file_json(catalog.file(p.draft))}
        rows.append({
            "name": p.name, "title": p.title, "default": p.name == DEFAULT_PAIR,
            "installed": status.installed, "not_ready": list(status.not_ready),
            "verifier": str(status.verifier), "draft": str(status.draft),
            "download_size": catalog.download_size(p),
            "suits": {"ram_gb": p.suits.ram_gb, "gpu_advised": p.suits.gpu_advised, "why": p.why},
            "files": files,
        })  # fmt: skip
    return rows


def _source(f: CatalogFile) -> str:
    if isinstance(f, DerivedFile):
        return f"made here from {f.source} ({f.quant}), about {megabytes(f.size)}"
    size = megabytes(f.size) if f.size_exact else f"about {megabytes(f.size)}"
    also = ", PyPI mirror too" if f.mirrored else ", sha256 checked against the Hub's"
    return f"{f.hub.repo}/{f.hub.file}  {size}{also}"


def _state(p: PairStatus) -> str:
    return "installed" if p.installed else f"not installed: tandem models fetch {p.name}"


def pairs_text(catalog: Catalog = CATALOG) -> list[str]:
    """The lines of the Pairs section of `tandem models list`."""
    lines = ["Pairs (tandem models fetch NAME [--source auto|hub|mirror]):"]
    for p, status in zip(catalog.pairs, list_pairs(catalog), strict=True):
        mark = " (default)" if p.name == DEFAULT_PAIR else ""
        size = f"{catalog.download_size(p) / 1e9:.1f} GB"
        lines += [
            f"  {p.name:9}{p.title}{mark} · {size} · {_state(status)}",
            f"  {'':9}suits {p.suits.line()}: {p.why}",
            f"  {'':9}verifier  {_source(catalog.file(p.verifier))}",
            f"  {'':9}draft     {_source(catalog.file(p.draft))}",
        ]
    return lines
