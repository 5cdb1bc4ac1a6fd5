"""Project members and user invitations."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engine.model.resources import Page, ProjectMemberRead, UserInvitationRead
from server.api.deps import CurrentPrincipal, SessionDep
from server.api.schemas import ProjectMemberUpdate, UserInvitationCreate
from server.services import members

router = APIRouter(tags=["project-members"])

ProjectQuery = Annotated[str, Query(alias="projectId")]


@router.get("/project-members")
async def list_members(
    project_id: ProjectQuery, principal: CurrentPrincipal, session: SessionDep
) -> Page[ProjectMemberRead]:
    """The project's members with their roles."""
    return await members.list_members(session=session, principal=principal, project_id=project_id)


@router.post("/project-members/{member_id}")
async def update_member(
    member_id: str, body: ProjectMemberUpdate, principal: CurrentPrincipal, session: SessionDep
) -> ProjectMemberRead:
    """Changes a member's role (project admins)."""
    return await members.update_member(
        session=session, principal=principal, member_id=member_id, role=body.role
    )


@router.delete("/project-members/{member_id}", status_code=204)
async def remove_member(
    member_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Removes a member from the project (project admins)."""
    await members.remove_member(session=session, principal=principal, member_id=member_id)
    return Response(status_code=204)


@router.post("/user-invitations", status_code=201, tags=["user-invitations"])
async def invite(
    body: UserInvitationCreate, principal: CurrentPrincipal, session: SessionDep
) -> UserInvitationRead:
    """Invites an email to a project; an existing account joins at once, a new one on sign-up."""
    return await members.invite(
        session=session,
        principal=principal,
        email=body.email,
        project_id=body.project_id,
        role=body.project_role,
    )


@router.get("/user-invitations", tags=["user-invitations"])
async def list_invitations(
    project_id: ProjectQuery, principal: CurrentPrincipal, session: SessionDep
) -> Page[UserInvitationRead]:
    """The project's invitations."""
    return await members.list_invitations(
        session=session, principal=principal, project_id=project_id
    )


@router.delete("/user-invitations/{invitation_id}", status_code=204, tags=["user-invitations"])
async def delete_invitation(
    invitation_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Withdraws an invitation."""
    await members.delete_invitation(
        session=session, principal=principal, invitation_id=invitation_id
    )
    return Response(status_code=204)
