"""httpx, imported without its command-line client.

httpx imports its CLI at import when click and rich are installed (they are: the `piecework`
command uses typer), which took a quarter of a second of the desktop's start. A None entry in
sys.modules makes that import fail the way httpx expects when they are missing; the desktop never
runs httpx's CLI. It has no effect when httpx was imported already.
"""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx  # noqa: E402  (after the line above, on purpose)

__all__ = ["httpx"]
