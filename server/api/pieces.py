"""Pieces: what is installed, and each version's metadata (props, auth, actions, triggers)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from engine.model import Model
from engine.model.pieces import PieceMetadata, PieceSummary
from engine.model.resources import Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.api.request_body import read_limited
from server.context import pieces_dir
from server.services import hidden_pieces, piece_installations, piece_options, pieces
from server.services.platform import require_platform_admin
from server.services.resources import PieceOptions

router = APIRouter(prefix="/pieces", tags=["pieces"])

#: Largest piece wheel accepted.
MAX_WHEEL_BYTES = 50 * 1024 * 1024


@router.get("")
async def list_pieces(
    context: ContextDep,
    principal: CurrentPrincipal,
    session: SessionDep,
    search_query: Annotated[str | None, Query(alias="searchQuery")] = None,
    category: str | None = None,
    project_id: Annotated[str | None, Query(alias="projectId")] = None,
) -> Page[PieceSummary]:
    """Every installed piece (newest version), optionally searched or filtered by category;
    with `projectId`, without the pieces hidden in that project. A team server leaves out
    personal_only pieces its administrator did not enable (PW_ENABLED_PERSONAL_PIECES)."""
    found = pieces.list_pieces(
        context.registry,
        search=search_query,
        category=category,
        personal_allowed=context.settings.personal_piece_allowed,
    )
    if project_id is None:
        return found
    hidden = set(
        await hidden_pieces.hidden_pieces(
            session=session, principal=principal, project_id=project_id
        )
    )
    return Page[PieceSummary](data=[p for p in found.data if p.name not in hidden])


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


class PieceOptionsRequest(Model):
    """Load a dropdown's options or a dynamic property's fields (Activepieces' request shape)."""

    project_id: str
    piece_name: str = Field(min_length=1, max_length=200)
    piece_version: str | None = Field(default=None, max_length=50)
    action_or_trigger_name: str = Field(min_length=1, max_length=200)
    property_name: str = Field(min_length=1, max_length=200)
    #: The form's current values; `auth` is `{{connections['externalId']}}` (or the external id).
    input: dict[str, Any] = Field(default_factory=dict)
    search_value: str = Field(default="", max_length=500)
    #: Set when `property_name` is a field of this DYNAMIC prop (its current values in `input`).
    dynamic_property_name: str | None = Field(default=None, min_length=1, max_length=200)


@router.post("/options")
async def load_options(
    body: PieceOptionsRequest, context: ContextDep, principal: CurrentPrincipal, session: SessionDep
) -> PieceOptions:
    """Runs the prop's loader with the chosen connection and the form's values."""
    query = piece_options.OptionsQuery(
        project_id=body.project_id,
        piece_name=body.piece_name,
        piece_version=body.piece_version,
        step_name=body.action_or_trigger_name,
        property_name=body.property_name,
        input=body.input,
        search=body.search_value,
        dynamic_property_name=body.dynamic_property_name,
    )
    return await piece_options.load_piece_options(
        session=session,
        principal=principal,
        box=context.secret_box,
        registry=context.registry,
        query=query,
    )


@router.post(
    "",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def install_piece(
    request: Request, context: ContextDep, principal: CurrentPrincipal, session: SessionDep
) -> Page[PieceSummary]:
    """Installs a piece from a pure-Python wheel (the request body); platform owners and admins."""
    # Checked before reading the body too, so only admins can make the server read 50 MB.
    await require_platform_admin(session, principal, action="install pieces")
    data = await read_limited(
        request,
        limit=MAX_WHEEL_BYTES,
        too_large=f"A piece wheel may be at most {MAX_WHEEL_BYTES // (1024 * 1024)} MB",
    )
    installed = await piece_installations.install_piece(
        session=session,
        principal=principal,
        data=data,
        pieces_dir=pieces_dir(context.settings),
        registry=context.registry,
    )
    return Page[PieceSummary](data=installed)
