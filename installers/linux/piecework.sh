#!/bin/sh
# /usr/bin/piecework: the installed app lives in /opt/piecework (PyInstaller one-folder bundle).
exec /opt/piecework/piecework "$@"
