#!/usr/bin/env bash
# Installs, when running as root on Debian/Ubuntu, the system libraries Qt needs (xcb/EGL/fonts)
# and Xvfb; with --test (make test) also the mail and database servers the connector pieces are
# tested against (dovecot for IMAP, mariadb for MySQL; their services are not started: the tests
# run their own instances). Elsewhere it only says what is missing. Installed packages are
# checked, not reinstalled, so a second run does nothing.
set -euo pipefail
packages=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core xvfb)
if [ "${1:-}" = "--test" ]; then
  packages+=(dovecot-imapd mariadb-server)
fi
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  # RUNLEVEL=1: package scripts must not start the dovecot/mariadb services (the tests start theirs).
  if ! { apt-get update -qq && RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
else
  echo "note: these system packages are missing (the desktop window and the IMAP/MySQL tests need them): ${missing[*]}" >&2
fi
