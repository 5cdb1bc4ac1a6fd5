"""Entry point of the frozen app: the `piecework` command (desktop, server, worker, run, pieces)."""

import multiprocessing
import os
import sys


def _restore_library_path() -> None:
    # PyInstaller's bootloader points LD_LIBRARY_PATH at the bundle for this process; programs it
    # starts (PostgreSQL, Deno, a browser) must load the system's libraries, not the bundle's.
    for name in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"):
        original = os.environ.pop(f"{name}_ORIG", None)
        if original is not None:
            os.environ[name] = original
        elif getattr(sys, "frozen", False):
            os.environ.pop(name, None)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    _restore_library_path()
    from piecework.launch import main

    main()
