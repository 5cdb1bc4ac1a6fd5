#!/usr/bin/env bash
# Signs dist/Piecework.app inside out for notarization: every nested Mach-O file (the PostgreSQL
# programs and libraries, Qt, Python extensions) with the hardened runtime and a timestamp, the
# Deno binary with the allow-jit entitlement, then the app itself.
#
#   MACOS_SIGN_IDENTITY="Developer ID Application: Name (TEAMID)" installers/macos/sign.sh
#
# Without MACOS_SIGN_IDENTITY it signs ad hoc ("-"): the app runs on this Mac, not on others.
set -euo pipefail
cd "$(dirname "$0")/../.."
app=${1:-dist/Piecework.app}
identity=${MACOS_SIGN_IDENTITY:--}
here=installers/macos
flags=(--force --options runtime --sign "$identity")
[ "$identity" = "-" ] || flags+=(--timestamp)

is_macho() { file -b "$1" | grep -q "Mach-O"; }

# find -depth lists a directory after its contents: libraries are signed before the frameworks
# that hold them, and everything before the app.
while IFS= read -r -d '' f; do
  if [ -d "$f" ]; then
    case "$f" in *.framework) codesign "${flags[@]}" "$f" ;; esac
    continue
  fi
  [ -L "$f" ] && continue
  is_macho "$f" || continue
  case "$f" in
    */bin/deno) codesign "${flags[@]}" --entitlements "$here/deno-entitlements.plist" "$f" ;;
    */pginstall*/bin/*|*/MacOS/*) codesign "${flags[@]}" --entitlements "$here/entitlements.plist" "$f" ;;
    *) codesign "${flags[@]}" "$f" ;;
  esac
done < <(find "$app/Contents" -depth -print0)

codesign "${flags[@]}" --entitlements "$here/entitlements.plist" "$app"
codesign --verify --deep --strict --verbose=2 "$app"
