"""Store entries: read, put and delete a project's stored values (Activepieces' `/store-entries`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from engine.model import Model
from server.api.deps import CurrentPrincipal, SessionDep
from server.services import store_entries
from server.services.resources import StoreEntryRead

router = APIRouter(prefix="/store-entries", tags=["store-entries"])

_KEY = Query(min_length=1, max_length=store_entries.MAX_API_KEY_LENGTH)


class StoreEntryPut(Model):
    """Store `value` (any JSON, up to 512 KB) under `key` in the project."""

    project_id: str
    key: str = Field(min_length=1, max_length=store_entries.MAX_API_KEY_LENGTH)
    value: Any


@router.get("")
async def get_store_entry(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    key: Annotated[str, _KEY],
) -> StoreEntryRead:
    """The entry under `key`; 404 when there is none. A flow's FLOW-scoped keys are `flow_<flowId>/<key>`."""
    return await store_entries.get_entry(
        session=session, principal=principal, project_id=project_id, key=key
    )


@router.post("")
async def put_store_entry(
    body: StoreEntryPut, principal: CurrentPrincipal, session: SessionDep
) -> StoreEntryRead:
    """Creates or replaces the entry under `key`."""
    return await store_entries.put_entry(
        session=session,
        principal=principal,
        project_id=body.project_id,
        key=body.key,
        value=body.value,
    )


@router.delete("", status_code=204)
async def delete_store_entry(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    key: Annotated[str, _KEY],
) -> Response:
    """Deletes the entry under `key` (a missing key is not an error)."""
    await store_entries.delete_entry(
        session=session, principal=principal, project_id=project_id, key=key
    )
    return Response(status_code=204)
