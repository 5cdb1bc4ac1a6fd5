"""The `piecework` entry point: with no arguments the desktop starts at once, else the command line.

Starting the desktop from the menu (no arguments) skips importing the command-line parser
(typer, click, rich: about 0.15 s) and the server's settings, which the desktop does not need.
"""

import os
import sys


def has_display() -> bool:
    """True where a window can be shown (macOS, Windows, or an X11/Wayland/Qt platform set)."""
    if sys.platform in {"darwin", "win32"}:
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main() -> None:
    """Console-script entry point."""
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()  # the worker's engine processes run this executable
    if len(sys.argv) == 1 and has_display():
        from desktop.app import run_app

        raise SystemExit(run_app())
    from piecework.cli import main as cli_main

    cli_main()
