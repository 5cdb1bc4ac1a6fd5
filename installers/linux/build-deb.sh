#!/usr/bin/env bash
# Builds dist/piecework_<version>_<arch>.deb from the frozen app in dist/piecework (make package).
# Layout: /opt/piecework (the bundle), /usr/bin/piecework (wrapper), desktop entry and icons.
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=dist/piecework
[ -x "$bundle/piecework" ] || { echo "error: $bundle/piecework is missing; run make package first" >&2; exit 1; }
version=$("$bundle/piecework" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
root=build/deb/root
deb="dist/piecework_${version}_${arch}.deb"

rm -rf build/deb
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/256x256/apps" "$root/usr/share/icons/hicolor/scalable/apps" \
  "$root/usr/share/doc/piecework"
cp -a "$bundle" "$root/opt/piecework"
install -m 0755 installers/linux/piecework.sh "$root/usr/bin/piecework"
install -m 0644 installers/linux/piecework.desktop "$root/usr/share/applications/piecework.desktop"
install -m 0644 resources/icons/piecework.png "$root/usr/share/icons/hicolor/256x256/apps/piecework.png"
install -m 0644 resources/icons/piecework.svg "$root/usr/share/icons/hicolor/scalable/apps/piecework.svg"
printf 'Piecework %s\nLicense: MIT\n' "$version" > "$root/usr/share/doc/piecework/copyright"
# Files as root:root 0755/0644 (dpkg-deb --root-owner-group), whatever the build umask was.
chmod -R u+rwX,go+rX,go-w "$root"

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
  installers/linux/control.in > "$root/DEBIAN/control"
install -m 0755 installers/linux/postinst "$root/DEBIAN/postinst"
install -m 0755 installers/linux/postrm "$root/DEBIAN/postrm"

# zstd (dpkg >= 1.21.18: Debian 12, Ubuntu 22.04) builds in seconds here; DEB_COMPRESSION=xz makes
# a smaller package that older dpkg versions read too, in minutes (release builds on CI use it).
compression=${DEB_COMPRESSION:-zstd}
level=${DEB_COMPRESSION_LEVEL:-$([ "$compression" = zstd ] && echo 10 || echo 6)}
dpkg-deb --root-owner-group "-Z$compression" "-z$level" --build "$root" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1); installed $(du -sh "$root/opt/piecework" | cut -f1))"
