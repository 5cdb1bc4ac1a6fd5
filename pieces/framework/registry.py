"""The piece registry: built-in pieces and installed ones (entry point group `piecework.pieces`)."""

import importlib
import logging
import pkgutil
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

import pieces
from pieces.framework.errors import PieceNotFoundError
from pieces.framework.piece import Piece
from pieces.framework.piece_dirs import ENTRY_POINT_GROUP, load_piece_dir

log = logging.getLogger(__name__)

__all__ = ["ENTRY_POINT_GROUP", "PieceRegistry"]


class PieceRegistry:
    """Every known piece, by name and exact version."""

    def __init__(self, available: Iterable[Piece]) -> None:
        self._pieces: dict[str, dict[str, Piece]] = {}
        for piece in available:
            self._pieces.setdefault(piece.name, {})[piece.version] = piece

    @classmethod
    def discover(cls, *, piece_dirs: Sequence[Path] = ()) -> "PieceRegistry":
        """Loads the built-in pieces, the installed third-party ones, and those in `piece_dirs`.

        Args:
            piece_dirs: directories holding one sub-directory per installed piece version
                (see `piece_dirs.load_piece_dir`); later ones win on an equal name and version.
        """
        in_dirs = [piece for root in piece_dirs for piece in load_piece_dir(root)]
        return cls([*_builtin_pieces(), *_installed_pieces(), *in_dirs])

    def all(self) -> list[Piece]:
        """Every known piece at every version."""
        return [piece for versions in self._pieces.values() for piece in versions.values()]

    def add(self, piece: Piece) -> None:
        """Adds (or replaces) a piece version, e.g. one a platform admin just installed."""
        self._pieces.setdefault(piece.name, {})[piece.version] = piece

    def names(self) -> list[str]:
        """The names of every known piece, sorted."""
        return sorted(self._pieces)

    def versions(self) -> dict[str, str]:
        """Each piece's newest version (by semver), by name."""
        return {name: max(found, key=_semver_key) for name, found in self._pieces.items()}

    def versions_of(self, name: str) -> list[str]:
        """Every installed version of a piece, newest first (empty if none)."""
        return sorted(self._pieces.get(name, {}), key=_semver_key, reverse=True)

    def latest(self, name: str) -> Piece:
        """The newest version of a piece.

        Raises:
            PieceNotFoundError: no piece has that name.
        """
        if name not in self._pieces:
            known = ", ".join(self.names()) or "none"
            raise PieceNotFoundError(f"piece {name!r} is not installed (installed: {known})")
        return self._pieces[name][self.versions()[name]]

    def get(self, name: str, version: str) -> Piece:
        """Returns the piece at exactly this version.

        Raises:
            PieceNotFoundError: no such piece, or not at this version (the message lists those there are).
        """
        versions = self._pieces.get(name)
        if not versions:
            raise PieceNotFoundError(f"piece {name!r} is not installed")
        try:
            return versions[version]
        except KeyError:
            known = ", ".join(sorted(versions))
            raise PieceNotFoundError(
                f"piece {name!r} version {version} is not installed (installed: {known})"
            ) from None


def _semver_key(version: str) -> tuple[tuple[int, ...], int]:
    # A pre-release (1.2.0-beta) comes before its release (1.2.0); build metadata is ignored.
    core, _, pre = version.split("+", 1)[0].partition("-")
    numbers = tuple(int(part) if part.isdigit() else 0 for part in core.split("."))
    return numbers, 0 if pre else 1


def _builtin_pieces() -> list[Piece]:
    found = []
    for module in pkgutil.iter_modules(pieces.__path__):
        if module.name == "framework" or not module.ispkg:
            continue
        piece = getattr(importlib.import_module(f"pieces.{module.name}"), "piece", None)
        if isinstance(piece, Piece):
            found.append(piece)
    return found


def _installed_pieces() -> list[Piece]:
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            piece = entry.load()
        except Exception:  # a broken third-party piece must not stop the others from loading
            log.exception("could not load piece %s from %s", entry.name, entry.value)
            continue
        if isinstance(piece, Piece):
            found.append(piece)
        else:
            log.error("entry point %s does not name a Piece", entry.value)
    return found
