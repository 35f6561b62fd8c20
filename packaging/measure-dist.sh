#!/usr/bin/env bash
# The installer budgets, measured: folder, .deb and tarball sizes, and the frozen app's start
# time to its window (offscreen, no models: it shows the window, finds no pair and exits).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app="$root/dist/tandem"
mib() { echo "$(( ($1 + 524288) / 1048576 )) MiB"; }
echo "installed folder (no models): $(mib $(( $(du -sk "$app" | cut -f1) * 1024 )))"
for f in "$root"/dist/*.deb "$root"/dist/*.tar.gz; do
  [ -e "$f" ] && echo "$(basename "$f"): $(mib "$(stat -c %s "$f")")"
done
home=$(mktemp -d)
best=""
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  HOME="$home" TANDEM_DATA_DIR="$home/data" QT_QPA_PLATFORM=offscreen \
    "$app/tandem" --screenshot "$home/x.png" --prompt hi >/dev/null 2>&1 || true
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
rm -rf "$home"
echo "start to window shown and closed (best of 5): $best ms"
