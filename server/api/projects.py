"""Projects: the ones the caller belongs to, and new ones (platform owners and admins)."""

from fastapi import APIRouter
from pydantic import Field

from engine.model import Model
from engine.model.resources import Page, ProjectRead
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.api.schemas import ProjectCreate
from server.services import hidden_pieces, projects

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("")
async def list_projects(principal: CurrentPrincipal, session: SessionDep) -> Page[ProjectRead]:
    """The projects the caller is a member of, with the caller's role."""
    return await projects.list_projects(session, principal)


@router.post("", status_code=201)
async def create_project(
    body: ProjectCreate, principal: CurrentPrincipal, session: SessionDep
) -> ProjectRead:
    """Creates a project owned by the caller."""
    return await projects.create_project(
        session=session, principal=principal, display_name=body.display_name
    )


class HiddenPieceUpdate(Model):
    """Hide a piece from the project's piece list, or show it again."""

    piece_name: str = Field(min_length=1, max_length=200)
    hidden: bool


@router.get("/{project_id}/hidden-pieces")
async def list_hidden_pieces(
    project_id: str, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, list[str]]:
    """Names of the pieces hidden in the project: `{"data": [...]}`."""
    names = await hidden_pieces.hidden_pieces(
        session=session, principal=principal, project_id=project_id
    )
    return {"data": names}


@router.post("/{project_id}/hidden-pieces")
async def set_hidden_piece(
    project_id: str,
    body: HiddenPieceUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
    context: ContextDep,
) -> dict[str, list[str]]:
    """Hides or shows a piece in the project (project admins); flows using it keep running."""
    names = await hidden_pieces.set_hidden(
        session=session,
        principal=principal,
        registry=context.registry,
        project_id=project_id,
        piece_name=body.piece_name,
        hidden=body.hidden,
    )
    return {"data": names}
