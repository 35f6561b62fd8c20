"""`tandem models list` and `tandem models drafts VERIFIER`: the library on the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from desktop.models.app_folders import Source
from desktop.models.discover import Skipped, default_locations
from desktop.models.drafts import DraftReport, find_drafts
from desktop.models.library import Library, LibraryModel, scan_library
from desktop.models.pair_list import pairs_json, pairs_text

COMMANDS = ("list", "drafts", "rm")


def add_arguments(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `list` and `drafts` to the `tandem models` subcommands."""
    listing = subparsers.add_parser("list", help="installed, bundled and found models, with sizes and places")
    drafts = subparsers.add_parser(
        "drafts", help="which models can draft for a verifier, and why not the rest"
    )
    drafts.add_argument(
        "verifier", metavar="VERIFIER", help="a model name from 'tandem models list', or a path"
    )
    rm = subparsers.add_parser("rm", help="delete a model Tandem installed (never another app's file)")
    rm.add_argument(
        "name", metavar="NAME", help="a name from 'tandem models list' (Tandem's models), or a path"
    )
    for p in (listing, drafts):
        p.add_argument(
            "--folder", action="append", default=[], metavar="DIR", help="also search DIR (repeatable)"
        )
    for p in (listing, drafts, rm):
        p.add_argument("--json", action="store_true", help="one JSON object for scripts")


def saved_folders() -> tuple[Path, ...]:
    """The folders added in the window's Model library (settings.ini, which only the UI reads)."""
    try:
        from desktop.ui.settings import Settings
    except ImportError:  # a build without Qt has no window to add folders in
        return ()
    return Settings().model_folders()


def scan(folders: list[str]) -> Library:
    """The library of this machine plus the saved folders and `folders`, with header reads cached."""
    from desktop.models.paths import gguf_info_cache

    given = tuple(Path(f).expanduser() for f in folders)
    added = tuple(dict.fromkeys((*saved_folders(), *given)))
    return scan_library(default_locations(folders=added), gguf_info_cache())


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def model_json(m: LibraryModel) -> dict[str, object]:
    """A library model as `--json` prints it."""
    i = m.info
    return {
        "name": m.name,
        "source": m.source.value,
        "path": str(m.path),
        "file": str(m.target),
        "size": m.size,
        "architecture": i.architecture,
        "model_name": i.name,
        "title": m.title,
        "size_label": i.size_label,
        "parameters": i.parameters,
        "quantization": i.quantization,
        "context_length": i.context_length,
        "tokenizer": i.tokenizer,
        "vocab_size": i.vocab.n_vocab if i.vocab else None,
        "vocab_fingerprint": i.vocab.fingerprint if i.vocab else None,
    }


def _skipped_json(s: Skipped) -> dict[str, object]:
    return {"name": s.name, "source": s.source.value, "path": str(s.path), "reason": s.reason}


def _summary(m: LibraryModel) -> str:
    i = m.info
    return " ".join(x for x in (i.architecture, i.size_label, i.quantization, _mb(m.size)) if x)


def _where(m: LibraryModel) -> str:
    return str(m.path) if m.path == m.target else f"{m.path} -> {m.target}"


def list_json(library: Library) -> dict[str, object]:
    """What `tandem models list --json` prints."""
    return {
        "models": [model_json(m) for m in library.models],
        "skipped": [_skipped_json(s) for s in library.skipped],
        "pairs": pairs_json(),
        "searched": [{"source": loc.source.value, "path": str(loc.root), "exists": loc.root.is_dir()}
                     for loc in library.searched],
    }  # fmt: skip


def list_text(library: Library) -> str:
    """What `tandem models list` prints: Tandem's files, found files, refused files, pairs."""
    from desktop.models.leftovers import clean_partials
    from desktop.models.listing import list_models
    from desktop.models.paths import models_dir

    states = {True: "  verified", False: "  NOT verified (run tandem models fetch)"}
    verified = {f.path: states[f.verified] for f in list_models()}
    lines = [f"Tandem's models ({library.searched[0].root}):" if library.searched else "Tandem's models:"]
    if models_dir().is_dir():
        lines += [f"  {leftover.describe()}" for leftover in clean_partials(models_dir())]
    own = [m for m in library.models if m.source is Source.TANDEM]
    bundled = [m for m in library.models if m.source is Source.BUNDLED]
    others = [m for m in library.models if m.source not in (Source.TANDEM, Source.BUNDLED)]
    for m in own:
        lines.append(f"  {m.name}  {_summary(m)}{verified.get(m.path, '')}")
    lines += ["  (none)"] if not own else []
    if bundled:
        lines.append(f"Bundled with the app (read-only, used in place): {bundled[0].path.parent}")
        lines += [f"  {m.name}  {_summary(m)}" for m in bundled]
    lines.append("Found in other apps and added folders (used in place, never copied):")
    for m in others:
        lines += [f"  {m.source.value}: {m.name}  {_summary(m)}", f"      {_where(m)}"]
    lines += ["  (none)"] if not others else []
    if library.skipped:
        lines.append("Not usable:")
        lines += [f"  {s.source.value}: {s.name}: {s.reason}  ({s.path})" for s in library.skipped]
    missing = [loc.root for loc in library.searched if loc.source is Source.FOLDER and not loc.root.is_dir()]
    lines += [f"Added folder {root} does not exist now (kept in the list)" for root in missing]
    lines += pairs_text()
    return "\n".join(lines)


def drafts_json(report: DraftReport, library: Library) -> dict[str, object]:
    """What `tandem models drafts --json` prints."""
    s = report.suggestion
    return {
        "verifier": model_json(report.verifier),
        "problem": report.problem or None,
        "drafts": [
            {**model_json(d.model), "rank": n, "notes": list(d.notes)} for n, d in enumerate(report.drafts, 1)
        ],
        "refused": [{**model_json(r.model), "reasons": list(r.reasons)} for r in report.refused],
        "skipped": [_skipped_json(x) for x in library.skipped],
        "suggestion": {"family": s.family, "repo": s.repo, "file": s.file, "size": s.size} if s else None,
    }


def drafts_text(report: DraftReport, library: Library) -> str:
    """What `tandem models drafts` prints: ranked drafts, then every refusal with its reasons."""
    v = report.verifier
    lines = [f"Drafts for {v.name} ({_summary(v)}, {v.source.value}):"]
    if report.problem:
        lines.append(f"  none: {v.name} cannot speculate: {report.problem}")
    for n, d in enumerate(report.drafts, 1):
        lines += [
            f"  {n}. {d.model.source.value}: {d.model.name}  {_summary(d.model)}",
            f"      {'; '.join(d.notes)}",
        ]
        lines.append(f"      {_where(d.model)}")
    if not report.drafts and not report.problem:
        lines.append("  none of the models here can draft for it")
        if (s := report.suggestion) is not None:
            size = f" ({_mb(s.size)})" if s.size else ""
            lines.append(f"  a {s.family} draft to download{size}: tandem models pull {s.repo}/{s.file}")
    if report.refused:
        lines.append("Cannot draft:")
        lines += [f"  {r.model.source.value}: {r.model.name}: {'; '.join(r.reasons)}" for r in report.refused]
    if library.skipped:
        lines.append("Not usable:")
        lines += [f"  {x.source.value}: {x.name}: {x.reason}" for x in library.skipped]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run `models list`, `drafts` or `rm`; an unknown name raises UnknownModelError (exit 2)."""
    if args.models_command == "rm":
        return _rm(args)
    library = scan(args.folder)
    if args.models_command == "list":
        print(json.dumps(list_json(library), indent=2) if args.json else list_text(library))
        return 0
    verifier = library.find(args.verifier)
    report = find_drafts(verifier, library.models)
    print(json.dumps(drafts_json(report, library), indent=2) if args.json else drafts_text(report, library))
    return 0


def _rm(args: argparse.Namespace) -> int:
    from desktop.models.errors import NotRemovableError
    from desktop.models.remove import remove_model

    model = scan([]).find(args.name)
    if model.source is not Source.TANDEM:
        raise NotRemovableError(
            f"{model.name} belongs to {model.source.value}; Tandem never deletes other apps' files "
            f"(remove it in {model.source.value}: {model.path})"
        )
    gone = remove_model(model.path)
    if args.json:
        print(
            json.dumps({"name": model.name, "size": model.size, "removed": [str(p) for p in gone]}, indent=2)
        )
    else:
        print(f"Deleted {model.name} ({_mb(model.size)}) from {model.path.parent}")
    return 0
