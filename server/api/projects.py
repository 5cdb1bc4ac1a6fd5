"""Projects: the ones the caller belongs to."""

from fastapi import APIRouter

from engine.model.resources import Page, ProjectRead
from server.api.deps import CurrentPrincipal, SessionDep
from server.services import projects

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("")
async def list_projects(principal: CurrentPrincipal, session: SessionDep) -> Page[ProjectRead]:
    """The projects the caller is a member of, with the caller's role."""
    return await projects.list_projects(session, principal)
