#!/usr/bin/env bash
# Sends the signed .dmg to Apple's notary service, waits, and staples the ticket to it.
#
#   APPLE_ID=... APPLE_TEAM_ID=... APPLE_APP_PASSWORD=... installers/macos/notarize.sh dist/Piecework-0.1.0.dmg
# or with an App Store Connect API key: NOTARY_KEY_PATH, NOTARY_KEY_ID, NOTARY_ISSUER.
set -euo pipefail
dmg=$1
if [ -n "${NOTARY_KEY_PATH:-}" ]; then
  auth=(--key "$NOTARY_KEY_PATH" --key-id "$NOTARY_KEY_ID" --issuer "$NOTARY_ISSUER")
else
  auth=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
fi
xcrun notarytool submit "$dmg" "${auth[@]}" --wait --timeout 30m
xcrun stapler staple "$dmg"
xcrun stapler validate "$dmg"
spctl --assess --type open --context context:primary-signature --verbose "$dmg"
