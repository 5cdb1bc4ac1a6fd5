"""Projects: the ones the caller belongs to, and new ones (platform owners and admins)."""

from fastapi import APIRouter

from engine.model.resources import Page, ProjectRead
from server.api.deps import CurrentPrincipal, SessionDep
from server.api.schemas import ProjectCreate
from server.services import projects

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
