#!/usr/bin/env bash
# macOS CI: builds dist/Piecework.app (make package), signs it (sign.sh), makes
# dist/Piecework-<version>.dmg with dmgbuild, signs the .dmg and, when Apple credentials are set,
# notarizes and staples it (notarize.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=installers/macos

# The app icon: an .icns made from the PNG with the system's own tools.
mkdir -p build/icon.iconset
for size in 16 32 128 256; do
  sips -z $size $size resources/icons/piecework.png --out "build/icon.iconset/icon_${size}x${size}.png" >/dev/null
  sips -z $((size * 2)) $((size * 2)) resources/icons/piecework.png --out "build/icon.iconset/icon_${size}x${size}@2x.png" >/dev/null
done
iconutil -c icns build/icon.iconset -o build/piecework.icns

make package
.venv/bin/uv pip install --quiet --python .venv/bin/python "dmgbuild>=1.6"
version=$(dist/Piecework.app/Contents/MacOS/piecework --version | awk '{print $2}')
dmg="dist/Piecework-${version}-$(uname -m).dmg"

bash "$here/sign.sh" dist/Piecework.app
rm -f "$dmg"
.venv/bin/dmgbuild -s "$here/dmg_settings.py" -D app=dist/Piecework.app "Piecework" "$dmg"
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --sign "$MACOS_SIGN_IDENTITY" --timestamp "$dmg"
fi
if [ -n "${APPLE_ID:-}${NOTARY_KEY_PATH:-}" ]; then
  bash "$here/notarize.sh" "$dmg"
else
  echo "note: no Apple credentials: $dmg is not notarized (Gatekeeper will warn on other Macs)"
fi
echo "built $dmg ($(du -h "$dmg" | cut -f1))"
