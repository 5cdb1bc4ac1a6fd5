"""App connections: upsert, list and delete; values go in and never come out."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from engine.model import Model
from engine.model.resources import AppConnectionRead, Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.api.schemas import AppConnectionUpsert
from server.services import connection_checks, connections, oauth2_connections
from server.services.resources import ConnectionValidation, OAuth2Start

router = APIRouter(prefix="/app-connections", tags=["app-connections"])


@router.post("", status_code=201)
async def upsert_connection(
    body: AppConnectionUpsert, principal: CurrentPrincipal, session: SessionDep, context: ContextDep
) -> AppConnectionRead:
    """Creates or replaces the project's connection with this external id. The value is encrypted."""
    return await connections.upsert_connection(
        session=session,
        principal=principal,
        box=context.secret_box,
        registry=context.registry,
        project_id=body.project_id,
        external_id=body.external_id,
        display_name=body.display_name,
        piece_name=body.piece_name,
        connection_type=body.type,
        value=body.value.model_dump(),
    )


@router.get("")
async def list_connections(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    piece_name: Annotated[str | None, Query(alias="pieceName")] = None,
    limit: int = 10,
    cursor: str | None = None,
) -> Page[AppConnectionRead]:
    """A page of the project's connections, without values."""
    return await connections.list_connections(
        session=session,
        principal=principal,
        project_id=project_id,
        piece_name=piece_name,
        limit=limit,
        cursor=cursor,
    )


@router.delete("/{connection_id}", status_code=204)
async def delete_connection(
    connection_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Deletes a connection."""
    await connections.delete_connection(
        session=session, principal=principal, connection_id=connection_id
    )
    return Response(status_code=204)


@router.post("/{connection_id}/validate")
async def validate_connection(
    connection_id: str, principal: CurrentPrincipal, session: SessionDep, context: ContextDep
) -> ConnectionValidation:
    """Checks the connection with its piece's auth (shape and the piece's `validate`); sets its
    status to ACTIVE or ERROR."""
    return await connection_checks.validate_connection(
        session=session,
        principal=principal,
        box=context.secret_box,
        registry=context.registry,
        connection_id=connection_id,
    )


class OAuth2StartRequest(Model):
    """Start an OAuth2 sign-in for a new connection of a piece with OAuth2 auth."""

    project_id: str
    piece_name: str = Field(min_length=1, max_length=200)
    external_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-.]+$")
    display_name: str = Field(min_length=1, max_length=200)
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str = Field(default="", max_length=2000)
    #: Where the provider sends the browser back (the desktop's loopback address).
    redirect_url: str = Field(min_length=1, max_length=2000)
    props: dict[str, Any] = Field(default_factory=dict)


class OAuth2ClaimRequest(Model):
    """The `code` and `state` the provider's redirect brought back."""

    state: str = Field(min_length=1, max_length=8000)
    code: str = Field(min_length=1, max_length=4000)


@router.post("/oauth2/authorize")
async def start_oauth2(
    body: OAuth2StartRequest, principal: CurrentPrincipal, session: SessionDep, context: ContextDep
) -> OAuth2Start:
    """The piece's authorization URL with state and PKCE; open it in a browser."""
    connection = body.model_dump(
        include={
            "external_id",
            "display_name",
            "client_id",
            "client_secret",
            "redirect_url",
            "props",
        },
        by_alias=True,
    )
    return await oauth2_connections.start_authorization(
        session=session,
        principal=principal,
        box=context.secret_box,
        registry=context.registry,
        project_id=body.project_id,
        piece_name=body.piece_name,
        connection=connection,
    )


@router.post("/oauth2/claim", status_code=201)
async def claim_oauth2(
    body: OAuth2ClaimRequest, principal: CurrentPrincipal, session: SessionDep, context: ContextDep
) -> AppConnectionRead:
    """Trades the code for a token at the piece's token URL and saves the connection encrypted."""
    return await oauth2_connections.finish_authorization(
        session=session,
        principal=principal,
        box=context.secret_box,
        registry=context.registry,
        state=body.state,
        code=body.code,
    )
