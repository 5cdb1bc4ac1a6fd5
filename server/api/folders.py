"""Folders of flows."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engine.model.resources import FolderRead, Page
from server.api.deps import CurrentPrincipal, SessionDep
from server.api.schemas import FolderCreate, FolderUpdate
from server.services import folders

router = APIRouter(prefix="/folders", tags=["folders"])


@router.post("", status_code=201)
async def create_folder(
    body: FolderCreate, principal: CurrentPrincipal, session: SessionDep
) -> FolderRead:
    """Creates a folder in a project."""
    return await folders.create_folder(
        session=session,
        principal=principal,
        project_id=body.project_id,
        display_name=body.display_name,
    )


@router.get("")
async def list_folders(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
) -> Page[FolderRead]:
    """The project's folders by name, with their number of flows."""
    return await folders.list_folders(session=session, principal=principal, project_id=project_id)


@router.post("/{folder_id}")
async def rename_folder(
    folder_id: str, body: FolderUpdate, principal: CurrentPrincipal, session: SessionDep
) -> FolderRead:
    """Renames a folder."""
    return await folders.rename_folder(
        session=session, principal=principal, folder_id=folder_id, display_name=body.display_name
    )


@router.delete("/{folder_id}", status_code=204)
async def delete_folder(
    folder_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Deletes a folder; its flows stay in the project, outside any folder."""
    await folders.delete_folder(session=session, principal=principal, folder_id=folder_id)
    return Response(status_code=204)
