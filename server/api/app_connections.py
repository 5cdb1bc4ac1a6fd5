"""App connections: upsert, list and delete; values go in and never come out."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engine.model.resources import AppConnectionRead, Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.api.schemas import AppConnectionUpsert
from server.services import connections

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
