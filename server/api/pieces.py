"""Pieces: what is installed, and each version's metadata (props, auth, actions, triggers)."""

from typing import Annotated

from fastapi import APIRouter, Query

from engine.model.pieces import PieceMetadata, PieceSummary
from engine.model.resources import Page
from server.api.deps import ContextDep, CurrentPrincipal
from server.services import pieces

router = APIRouter(prefix="/pieces", tags=["pieces"])


@router.get("")
async def list_pieces(
    context: ContextDep,
    _: CurrentPrincipal,
    search_query: Annotated[str | None, Query(alias="searchQuery")] = None,
    category: str | None = None,
) -> Page[PieceSummary]:
    """Every installed piece (newest version), optionally searched or filtered by category."""
    return pieces.list_pieces(context.registry, search=search_query, category=category)


@router.get("/{name}")
async def get_piece(
    name: str, context: ContextDep, _: CurrentPrincipal, version: str | None = None
) -> PieceMetadata:
    """A piece's metadata at `version` (default: the newest installed)."""
    return pieces.get_metadata(context.registry, name=name, version=version)


@router.get("/{name}/versions")
async def list_versions(
    name: str, context: ContextDep, _: CurrentPrincipal
) -> dict[str, list[str]]:
    """Installed versions of the piece, newest first: `{"data": [...]}`."""
    return {"data": pieces.list_versions(context.registry, name=name)}
