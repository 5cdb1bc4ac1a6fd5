#!/usr/bin/env bash
# Builds dist/Piecework-<version>-<arch>.AppImage from the frozen app (make package).
#
# Needs appimagetool on PATH (or APPIMAGETOOL=/path/to/appimagetool). It is published as an
# AppImage on the AppImageKit/appimagetool releases page, not in Debian or PyPI, so it cannot be
# installed on a machine that reaches only package registries; CI downloads it (see
# .github/workflows/installers.yml). Everything up to that step (the AppDir) is built here.
#
# Running from a read-only squashfs is fine for a normal user. As root, pgserver runs PostgreSQL as
# a `pgserver` user and chmods its install dirs, which fails on the read-only image: use the .deb
# for root/server installs.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bundle=dist/piecework
[ -x "$bundle/piecework" ] || { echo "error: $bundle/piecework is missing; run make package first" >&2; exit 1; }
version=$("$bundle/piecework" --version | awk '{print $2}')
arch=$(uname -m)
appdir=build/Piecework.AppDir

rm -rf "$appdir"
mkdir -p "$appdir/opt" "$appdir/usr/share/applications" "$appdir/usr/share/icons/hicolor/256x256/apps"
cp -a "$bundle" "$appdir/opt/piecework"
install -m 0755 installers/linux/appimage/AppRun "$appdir/AppRun"
install -m 0644 installers/linux/piecework.desktop "$appdir/piecework.desktop"
install -m 0644 installers/linux/piecework.desktop "$appdir/usr/share/applications/piecework.desktop"
install -m 0644 resources/icons/piecework.png "$appdir/piecework.png"
install -m 0644 resources/icons/piecework.png "$appdir/usr/share/icons/hicolor/256x256/apps/piecework.png"
ln -sf piecework.png "$appdir/.DirIcon"
echo "AppDir ready: $appdir"

tool=${APPIMAGETOOL:-$(command -v appimagetool || true)}
if [ -z "$tool" ]; then
  echo "note: appimagetool is not installed; the AppDir above is complete. Build the image with:" >&2
  echo "  ARCH=$arch appimagetool $appdir dist/Piecework-$version-$arch.AppImage" >&2
  exit 0
fi
ARCH=$arch "$tool" --no-appstream "$appdir" "dist/Piecework-$version-$arch.AppImage"
echo "built dist/Piecework-$version-$arch.AppImage"
