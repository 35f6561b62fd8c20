#!/usr/bin/env bash
# AppImage from the PyInstaller folder. appimagetool is not packaged in Debian/Ubuntu and
# downloads its runtime, so this runs in the release workflow (with internet), not in `make dist`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
id=io.github.tandem.Tandem
version=$("$root/dist/tandem/tandem" --version | sed -n 's/^Tandem \([^ ]*\).*/\1/p')
backend=${TANDEM_BACKEND:-cpu}
appdir="$root/build/Tandem.AppDir"
rm -rf "$appdir" && mkdir -p "$appdir/usr/share/applications" "$appdir/usr/share/metainfo"
cp -a "$root/dist/tandem" "$appdir/usr/tandem"
cat > "$appdir/AppRun" <<'RUN'
#!/bin/sh
exec "$(dirname "$(readlink -f "$0")")/usr/tandem/tandem" "$@"
RUN
chmod +x "$appdir/AppRun"
cp "$root/packaging/linux/$id.desktop" "$appdir/$id.desktop"
cp "$root/packaging/linux/$id.desktop" "$appdir/usr/share/applications/"
cp "$root/packaging/linux/$id.metainfo.xml" "$appdir/usr/share/metainfo/$id.appdata.xml"
cp "$root/resources/icons/tandem-256.png" "$appdir/$id.png"
tool="$root/build/appimagetool"
[ -x "$tool" ] || { curl -fsSL -o "$tool" \
  https://github.com/AppImage/appimagetool/releases/download/continuous/appimagetool-x86_64.AppImage
  chmod +x "$tool"; }
ARCH=x86_64 "$tool" --appimage-extract-and-run "$appdir" "$root/dist/Tandem-$version-x86_64-$backend.AppImage"
