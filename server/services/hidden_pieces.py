"""Pieces hidden per project: project admins keep the piece list to what their team uses."""

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pieces.framework import PieceRegistry
from server.db.models import HiddenPieceRow
from server.services.errors import NotFoundError, PermissionDeniedError
from server.services.permissions import Permission, ProjectRole, require_permission
from server.services.principal import Principal


async def hidden_pieces(
    *, session: AsyncSession, principal: Principal, project_id: str
) -> list[str]:
    """The names of the pieces hidden in the project, sorted.

    Raises:
        NotFoundError: no such project for the caller.
    """
    await require_permission(session, principal, project_id, Permission.READ_FLOW)
    rows = await session.scalars(
        select(HiddenPieceRow.piece_name)
        .where(HiddenPieceRow.project_id == project_id)
        .order_by(HiddenPieceRow.piece_name)
    )
    return list(rows)


async def set_hidden(
    *,
    session: AsyncSession,
    principal: Principal,
    registry: PieceRegistry,
    project_id: str,
    piece_name: str,
    hidden: bool,
) -> list[str]:
    """Hides or shows a piece in the project; returns the hidden names.

    Flows that use a hidden piece keep running; it is only left out of the project's piece list.

    Raises:
        NotFoundError: no such project for the caller, or no such piece.
        PermissionDeniedError: the caller is not an admin of the project.
    """
    role = await require_permission(session, principal, project_id, Permission.READ_FLOW)
    if role != ProjectRole.ADMIN:
        raise PermissionDeniedError(
            f"Your role in this project ({role.title()}) cannot hide pieces; ask a project admin"
        )
    if not registry.versions_of(piece_name):
        raise NotFoundError(f"piece {piece_name!r} is not installed", code="PIECE_NOT_FOUND")
    if hidden:
        await session.execute(
            insert(HiddenPieceRow)
            .values(project_id=project_id, piece_name=piece_name)
            .on_conflict_do_nothing()
        )
    else:
        await session.execute(
            delete(HiddenPieceRow).where(
                HiddenPieceRow.project_id == project_id, HiddenPieceRow.piece_name == piece_name
            )
        )
    await session.commit()
    return await hidden_pieces(session=session, principal=principal, project_id=project_id)
