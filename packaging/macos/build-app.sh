#!/usr/bin/env bash
# Tandem.app around the PyInstaller folder (a Metal build of llama.cpp), then a .dmg.
# Signs and notarises when the secrets are set (MACOS_CERTIFICATE as base64 .p12,
# MACOS_CERTIFICATE_PASSWORD, MACOS_SIGNING_IDENTITY, APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD);
# otherwise the app is ad-hoc signed and users open it with right-click > Open the first time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$("$root/dist/tandem/tandem" --version | sed -n 's/^Tandem \([^ ]*\).*/\1/p')
backend=${TANDEM_BACKEND:-metal}
app="$root/build/Tandem.app"
rm -rf "$app" && mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp -a "$root/dist/tandem/." "$app/Contents/MacOS/"
sed "s/@VERSION@/$version/g" "$root/packaging/macos/Info.plist" > "$app/Contents/Info.plist"

iconset="$root/build/tandem.iconset"
rm -rf "$iconset" && mkdir -p "$iconset"
for s in 16 32 128 256 512; do
  cp "$root/resources/icons/tandem-$s.png" "$iconset/icon_${s}x${s}.png"
  [ "$s" -le 256 ] && cp "$root/resources/icons/tandem-$((s * 2)).png" "$iconset/icon_${s}x${s}@2x.png"
done
iconutil -c icns "$iconset" -o "$app/Contents/Resources/tandem.icns"

identity="-"
if [ -n "${MACOS_CERTIFICATE:-}" ]; then
  keychain="$root/build/signing.keychain-db"
  security create-keychain -p tandem "$keychain"
  security unlock-keychain -p tandem "$keychain"
  echo "$MACOS_CERTIFICATE" | base64 --decode > "$root/build/cert.p12"
  security import "$root/build/cert.p12" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
  security set-key-partition-list -S apple-tool:,apple: -s -k tandem "$keychain"
  security list-keychains -d user -s "$keychain"
  identity="$MACOS_SIGNING_IDENTITY"
fi
stamp=--timestamp
[ "$identity" = "-" ] && stamp=--timestamp=none  # ad-hoc: no Apple timestamp server
codesign --force --deep --options runtime "$stamp" --sign "$identity" "$app"

dmg="$root/dist/Tandem-$version-macos-arm64-$backend.dmg"
hdiutil create -volname Tandem -srcfolder "$app" -ov -format UDZO "$dmg"
if [ -n "${APPLE_ID:-}" ] && [ "$identity" != "-" ]; then
  codesign --force --sign "$identity" "$dmg"
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
fi
echo "$dmg"
