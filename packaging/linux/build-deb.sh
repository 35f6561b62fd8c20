#!/usr/bin/env bash
# Package the PyInstaller folder (dist/tandem) as a .deb and a .tar.gz in dist/.
# The app goes to /opt/tandem with `tandem` on the PATH, a .desktop entry, hicolor icons and
# AppStream metainfo. Depends lists the Debian packages of every system library the bundle
# links to but does not carry (found with ldd on this machine, mapped with dpkg -S).
# DEB_COMPRESS=gzip packs faster (CI smoke test); xz (default) is smaller.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
app="$root/dist/tandem"
id=io.github.tandem.Tandem
version=${TANDEM_VERSION:-$("$app/tandem" --version | sed -n 's/^Tandem \([^ ]*\).*/\1/p')}
backend=${TANDEM_BACKEND:-cpu}
# An offline edition (make dist WITH_MODELS=tiny) carries a model pair and says so in its name.
edition=${WITH_MODELS:+-with-$WITH_MODELS}
[ -x "$app/tandem" ] || { echo "build-deb: run pyinstaller first (make dist)" >&2; exit 1; }

stage="$root/build/deb"
rm -rf "$stage" && mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin"
cp -a "$app" "$stage/opt/tandem"
ln -s /opt/tandem/tandem "$stage/usr/bin/tandem"
install -Dm644 "$root/packaging/linux/$id.desktop" "$stage/usr/share/applications/$id.desktop"
install -Dm644 "$root/packaging/linux/$id.metainfo.xml" "$stage/usr/share/metainfo/$id.metainfo.xml"
install -Dm644 "$root/resources/icons/tandem.svg" "$stage/usr/share/icons/hicolor/scalable/apps/$id.svg"
for png in "$root"/resources/icons/tandem-*.png; do
  n=$(basename "$png" .png); n=${n#tandem-}
  install -Dm644 "$png" "$stage/usr/share/icons/hicolor/${n}x${n}/apps/$id.png"
done

# System libraries the bundle links to, outside the bundle, and the packages that ship them.
libpath="$app/_internal:$app/_internal/PySide6/Qt/lib:$app/_internal/llama_cpp/lib"
mapfile -t libs < <(find "$app" -type f \( -name '*.so*' -o -name tandem \) -print0 |
  LD_LIBRARY_PATH="$libpath" xargs -0 ldd 2>/dev/null | awk '/=> \// {print $3}' | sort -u | grep -v "^$app/" || true)
missing=$(find "$app" -type f -name '*.so*' -print0 | LD_LIBRARY_PATH="$libpath" xargs -0 ldd 2>/dev/null |
  awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')
[ -z "$missing" ] || echo "build-deb: not on this machine, so not in Depends: $missing" >&2
pkgs=()
for lib in "${libs[@]}"; do
  real=$(readlink -f "$lib")
  for p in "$lib" "$real" "${lib#/usr}" "/usr${lib}" "${real#/usr}" "/usr${real}"; do
    pkg=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$pkg" ] && { pkgs+=("$pkg"); break; }
  done
done
# Qt's xcb platform dlopens these at run time; keep them even when ldd did not see them.
pkgs+=(libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3)
depends=$(printf '%s\n' "${pkgs[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

cat > "$stage/DEBIAN/control" <<CONTROL
Package: tandem
Version: $version
Architecture: amd64
Maintainer: The Tandem developers <tandem@users.noreply.github.com>
Installed-Size: $(du -sk "$stage" | cut -f1)
Depends: $depends
Recommends: fonts-dejavu-core
Section: utils
Priority: optional
Homepage: https://github.com/tandem/tandem
Description: chat with local language models, faster with a draft model
 Tandem runs two GGUF models through llama.cpp: a small draft writes ahead and
 a larger verifier checks it. The chat shows which tokens the draft got right.
 This build carries llama.cpp's CPU backend for every x86-64 instruction set
 and picks the best one for the CPU at start.
CONTROL

mkdir -p "$root/dist"
deb="$root/dist/tandem_${version}_amd64-${backend}${edition}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$stage" "$deb" >/dev/null
tar -C "$root/dist" -czf "$root/dist/tandem-${version}-linux-x86_64-${backend}${edition}.tar.gz" tandem
echo "$deb"
