"""Pieces installed into a directory (one sub-directory per piece version), several versions side by side.

This is the layout `pip install --target <dir>/<name>-<version> <wheel>` gives, and what the
server's piece upload will write. Each version is imported on its own: its directory goes on
`sys.path`, the `piecework.pieces` entry points of its distributions are loaded, and its modules
are then taken out of `sys.modules`, so the next version of the same package imports afresh. A
loaded `Piece` keeps working through the module globals its functions hold.
"""

import logging
import sys
from importlib.metadata import distributions
from pathlib import Path

from pieces.framework.piece import Piece

log = logging.getLogger(__name__)

#: Entry point group third-party piece distributions register their `Piece` under.
ENTRY_POINT_GROUP = "piecework.pieces"


def load_piece_dir(root: Path) -> list[Piece]:
    """Every piece found in the version directories under `root` (sorted by directory name).

    A version directory that fails to import is logged and skipped; the others still load.
    """
    if not root.is_dir():
        return []
    found: list[Piece] = []
    for version_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        found.extend(load_version_dir(version_dir))
    return found


def load_version_dir(version_dir: Path) -> list[Piece]:
    """The pieces of one version directory (`pip install --target` layout); failures are logged."""
    before = set(sys.modules)
    sys.path.insert(0, str(version_dir))
    found: list[Piece] = []
    try:
        for dist in distributions(path=[str(version_dir)]):
            for entry in dist.entry_points.select(group=ENTRY_POINT_GROUP):
                try:
                    piece = entry.load()
                except Exception:  # a broken upload must not stop the others from loading
                    log.exception("could not load piece %s from %s", entry.value, version_dir)
                    continue
                if isinstance(piece, Piece):
                    found.append(piece)
                else:
                    log.error(
                        "entry point %s in %s does not name a Piece", entry.value, version_dir
                    )
    finally:
        sys.path.remove(str(version_dir))
        for name in set(sys.modules) - before:
            module = sys.modules.get(name)
            if module is not None and str(getattr(module, "__file__", "") or "").startswith(
                str(version_dir)
            ):
                del sys.modules[name]
    return found
