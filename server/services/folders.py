"""Folders: named groups of a project's flows."""

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import FolderRead, Page
from server.db.base import new_id
from server.db.models import FlowRow, FolderRow
from server.services.audit import AuditAction, record
from server.services.errors import ConflictError, NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal


async def create_folder(
    *, session: AsyncSession, principal: Principal, project_id: str, display_name: str
) -> FolderRead:
    """Creates a folder.

    Raises:
        ConflictError: the project has a folder of that name already.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_FLOW)
    folder = FolderRow(id=new_id(), project_id=project_id, display_name=display_name.strip())
    session.add(folder)
    _audit(session, AuditAction.FOLDER_CREATED, principal, folder)
    await _commit_unique(session, display_name)
    return _read(folder, 0)


async def list_folders(
    *, session: AsyncSession, principal: Principal, project_id: str
) -> Page[FolderRead]:
    """The project's folders by name, each with its number of flows."""
    await require_permission(session, principal, project_id, Permission.READ_FLOW)
    counts = (
        select(FlowRow.folder_id, func.count().label("flows"))
        .group_by(FlowRow.folder_id)
        .subquery()
    )
    rows = await session.execute(
        select(FolderRow, func.coalesce(counts.c.flows, 0))
        .outerjoin(counts, counts.c.folder_id == FolderRow.id)
        .where(FolderRow.project_id == project_id)
        .order_by(FolderRow.display_name, FolderRow.id)
    )
    return Page[FolderRead](data=[_read(folder, int(count)) for folder, count in rows.all()])


async def rename_folder(
    *, session: AsyncSession, principal: Principal, folder_id: str, display_name: str
) -> FolderRead:
    """Renames a folder.

    Raises:
        NotFoundError: no such folder in a project the caller can see.
        ConflictError: the name is taken.
    """
    folder = await get_folder(
        session=session, principal=principal, folder_id=folder_id, permission=Permission.WRITE_FLOW
    )
    folder.display_name = display_name.strip()
    _audit(session, AuditAction.FOLDER_UPDATED, principal, folder)
    await _commit_unique(session, display_name)
    count = await session.scalar(
        select(func.count()).select_from(FlowRow).where(FlowRow.folder_id == folder.id)
    )
    return _read(folder, int(count or 0))


async def delete_folder(*, session: AsyncSession, principal: Principal, folder_id: str) -> None:
    """Deletes a folder; its flows stay, outside any folder."""
    folder = await get_folder(
        session=session, principal=principal, folder_id=folder_id, permission=Permission.WRITE_FLOW
    )
    await session.execute(
        update(FlowRow).where(FlowRow.folder_id == folder.id).values(folder_id=None)
    )
    _audit(session, AuditAction.FOLDER_DELETED, principal, folder)
    await session.delete(folder)
    await session.commit()


async def get_folder(
    *, session: AsyncSession, principal: Principal, folder_id: str, permission: Permission
) -> FolderRow:
    """The folder, if the caller may do `permission` in its project.

    Raises:
        NotFoundError: no such folder in a project the caller can see.
    """
    not_found = NotFoundError(f"No folder {folder_id!r}", code="FOLDER_NOT_FOUND")
    folder = await session.get(FolderRow, folder_id)
    if folder is None:
        raise not_found
    await require_permission(session, principal, folder.project_id, permission, not_found=not_found)
    return folder


def _audit(
    session: AsyncSession, action: AuditAction, principal: Principal, folder: FolderRow
) -> None:
    record(
        session,
        action,
        user_id=principal.user_id,
        project_id=folder.project_id,
        data={"folderId": folder.id, "folderName": folder.display_name},
    )


async def _commit_unique(session: AsyncSession, display_name: str) -> None:
    try:
        await session.commit()
    except IntegrityError as err:
        await session.rollback()
        raise ConflictError(
            f"This project has a folder named {display_name.strip()!r} already",
            code="FOLDER_EXISTS",
        ) from err


def _read(folder: FolderRow, flows: int) -> FolderRead:
    return FolderRead(
        id=folder.id,
        project_id=folder.project_id,
        display_name=folder.display_name,
        number_of_flows=flows,
        created=folder.created,
    )
