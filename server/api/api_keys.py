"""Platform API keys: create (the value is in this answer only), list, delete."""

from fastapi import APIRouter, Response

from engine.model.resources import ApiKeyRead, Page
from server.api.deps import CurrentPrincipal, SessionDep
from server.api.schemas import ApiKeyCreate, ApiKeyCreated
from server.services import api_keys

router = APIRouter(prefix="/api-keys", tags=["api-keys"])


@router.post("", status_code=201)
async def create_api_key(
    body: ApiKeyCreate, principal: CurrentPrincipal, session: SessionDep
) -> ApiKeyCreated:
    """Creates a key; `value` is shown here once and never again. Send it as `Authorization: Bearer`."""
    created = await api_keys.create_api_key(
        session=session, principal=principal, display_name=body.display_name
    )
    return ApiKeyCreated(**created.key.model_dump(), value=created.value)


@router.get("")
async def list_api_keys(principal: CurrentPrincipal, session: SessionDep) -> Page[ApiKeyRead]:
    """The platform's keys, without values."""
    return await api_keys.list_api_keys(session=session, principal=principal)


@router.delete("/{key_id}", status_code=204)
async def delete_api_key(key_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Revokes a key at once."""
    await api_keys.delete_api_key(session=session, principal=principal, key_id=key_id)
    return Response(status_code=204)
