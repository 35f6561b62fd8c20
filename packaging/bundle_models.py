"""Put a verified model pair inside a built app folder (the offline edition): `make dist
WITH_MODELS=tiny|default` runs `python packaging/bundle_models.py dist/tandem tiny`.

Each file is hashed here and must match the catalog (or, for a draft Tandem made itself, its
recorded hash), then copied to `<app>/models/` with a manifest the app reads at run time.
Fetch the pair first (`tandem models fetch NAME`).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from desktop.models.bundled import BundledFile, write_manifest
from desktop.models.catalog import CATALOG
from desktop.models.expected import expected_sha256
from desktop.models.integrity import sha256_file
from desktop.models.listing import pair_paths


def main(app: Path, pair: str) -> int:
    target = app / "models"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    files = []
    for source in pair_paths(pair):
        entry = CATALOG.file(source.name)
        expected = expected_sha256(source, entry)  # the catalog's, the Hub's, or Tandem's own record
        actual = sha256_file(source)
        if actual != expected:
            print(f"{source}: sha256 {actual} is not the expected {expected}; run tandem models fetch {pair}")
            return 1
        shutil.copyfile(source, target / source.name)
        files.append(BundledFile(source.name, target / source.name, source.stat().st_size, actual))
    write_manifest(target, files)
    print(f"bundled pair {pair!r} in {target} ({sum(f.size for f in files) / 1e6:,.1f} MB)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: bundle_models.py APP_FOLDER PAIR")
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
