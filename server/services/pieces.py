"""Installed pieces: list and search them, read a version's metadata, list versions."""

from collections.abc import Callable

from engine.model.pieces import PieceMetadata, PieceSummary
from engine.model.resources import Page
from pieces.framework import Piece, PieceNotFoundError, PieceRegistry
from pieces.framework.metadata import piece_metadata
from server.services.errors import NotFoundError


def list_pieces(
    registry: PieceRegistry,
    *,
    search: str | None = None,
    category: str | None = None,
    personal_allowed: Callable[[str], bool] = lambda _name: True,
) -> Page[PieceSummary]:
    """The newest version of every piece, by display name; `search` matches names and
    descriptions. personal_only pieces are left out unless `personal_allowed` says otherwise."""
    needle = (search or "").strip().lower()
    found = []
    for name in registry.names():
        piece = registry.latest(name)
        if piece.personal_only and not personal_allowed(name):
            continue
        text = f"{piece.name} {piece.display_name} {piece.description}".lower()
        if needle and needle not in text:
            continue
        if category and category.upper() not in {c.upper() for c in piece.categories}:
            continue
        found.append(summary(piece))
    return Page[PieceSummary](data=sorted(found, key=lambda p: p.display_name.lower()))


def get_metadata(registry: PieceRegistry, *, name: str, version: str | None) -> PieceMetadata:
    """The metadata of a piece version (the newest when `version` is None).

    Raises:
        NotFoundError: no such piece or version; the message lists the installed versions.
    """
    try:
        piece = registry.get(name, version) if version else registry.latest(name)
    except PieceNotFoundError as err:
        raise NotFoundError(err.message, code="PIECE_NOT_FOUND") from err
    return piece_metadata(piece)


def list_versions(registry: PieceRegistry, *, name: str) -> list[str]:
    """Installed versions of a piece, newest first.

    Raises:
        NotFoundError: no such piece.
    """
    versions = registry.versions_of(name)
    if not versions:
        raise NotFoundError(f"piece {name!r} is not installed", code="PIECE_NOT_FOUND")
    return versions


def summary(piece: Piece) -> PieceSummary:
    """A piece as the piece list shows it."""
    return PieceSummary(
        name=piece.name,
        display_name=piece.display_name,
        description=piece.description,
        logo=piece.logo,
        version=piece.version,
        categories=list(piece.categories),
        actions=len(piece.actions),
        triggers=len(piece.triggers),
    )
