"""Files: what steps write through `ctx.files`, what clients upload, download and delete.

The files table holds each file's metadata; its contents are in the table too or in an
S3-compatible bucket, as the `FileStorage` the server was started with decides. A file belongs
to a project (and to the run that wrote it, if any); its reference is `pw-file://<fileId>/<name>`,
and only steps and members of the same project can read it.
"""

import re
from collections.abc import Callable

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from pieces.framework.files import FileError, StoredFile
from pieces.framework.props.basic import FILE_REFERENCE_PREFIX
from server.db.base import new_id
from server.db.models import FileRow, FlowRunRow
from server.services.errors import (
    InvalidRequestError,
    NotFoundError,
    ServiceError,
    TooLargeError,
)
from server.services.file_storage import DATABASE_STORAGE, DatabaseStorage, FileStorage
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.resources import FileRead

_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")
MAX_NAME_LENGTH = 255


def clean_name(name: str) -> str:
    """The name without path separators or control characters, at most 255 characters."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip() or "file"
    return cleaned[-MAX_NAME_LENGTH:]


def reference(row: FileRow) -> str:
    """The file's reference, usable as a File prop value."""
    return f"{FILE_REFERENCE_PREFIX}{row.id}/{row.name}"


def file_id_of(value: str) -> str | None:
    """The file id inside a `pw-file://` reference, or None if it is not one."""
    if not value.startswith(FILE_REFERENCE_PREFIX):
        return None
    file_id = value[len(FILE_REFERENCE_PREFIX) :].split("/", 1)[0]
    return file_id or None


def size_error(name: str, size: int, max_bytes: int) -> str:
    """The message for a file over the limit."""
    mb = 1024 * 1024
    return f"File {name!r} is {size / mb:.1f} MB; the limit is {max_bytes / mb:g} MB (PW_MAX_FILE_SIZE_MB)"


class DatabaseFiles:
    """The framework's Files for one run: files go to the run's project, reads stay inside it.

    The files table is the index; the contents go to `storage` (the table itself by default).
    """

    def __init__(
        self,
        *,
        sessions: Callable[[], AsyncSession],
        project_id: str,
        run_id: str | None,
        max_bytes: int,
        storage: FileStorage = DATABASE_STORAGE,
    ) -> None:
        self._sessions = sessions
        self._project_id = project_id
        self._run_id = run_id
        self._max_bytes = max_bytes
        self._storage = storage

    async def write(self, *, name: str, data: bytes) -> str:
        if len(data) > self._max_bytes:
            raise FileError(size_error(name, len(data), self._max_bytes))
        async with self._sessions() as session:
            try:
                row = await store_file(
                    session,
                    storage=self._storage,
                    project_id=self._project_id,
                    run_id=self._run_id,
                    name=name,
                    data=data,
                )
            except ServiceError as err:
                raise FileError(f"File {name!r} could not be stored: {err.message}") from err
            await session.commit()
            return reference(row)

    async def read(self, reference: str) -> StoredFile:
        file_id = file_id_of(reference)
        async with self._sessions() as session:
            row = None if file_id is None else await session.get(FileRow, file_id)
            if row is None or row.project_id != self._project_id:
                raise FileError(f"no file for reference {reference!r}")
            try:
                data = await self._storage.get(row)
            except ServiceError as err:
                raise FileError(f"File {row.name!r} could not be read: {err.message}") from err
            return StoredFile(name=row.name, data=data)


async def store_file(
    session: AsyncSession,
    *,
    storage: FileStorage,
    project_id: str,
    run_id: str | None,
    name: str,
    data: bytes,
) -> FileRow:
    """Stores the contents, then adds the file's row (the caller checked the size and commits).

    Raises:
        ServiceError: the file storage refused or cannot be reached (no row is added).
    """
    row = FileRow(
        id=new_id(), project_id=project_id, run_id=run_id, name=clean_name(name), size=len(data)
    )
    await storage.put(row, data)
    session.add(row)
    await session.flush()
    return row


async def upload_file(
    *,
    session: AsyncSession,
    storage: FileStorage,
    principal: Principal,
    project_id: str,
    name: str,
    data: bytes,
    max_bytes: int,
) -> FileRead:
    """Stores an uploaded file in the project (e.g. test data for a File prop).

    Raises:
        NotFoundError: no such project for the caller.
        PermissionDeniedError: the caller's role cannot edit flows.
        InvalidRequestError: an empty file.
        TooLargeError: the file is over PW_MAX_FILE_SIZE_MB.
        StorageFailedError: S3 refused the contents.
        StorageUnavailableError: S3 cannot be reached.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_FLOW)
    if not data:
        raise InvalidRequestError("The file is empty", code="FILE_EMPTY")
    if len(data) > max_bytes:
        raise TooLargeError(size_error(name, len(data), max_bytes), code="FILE_TOO_LARGE")
    row = await store_file(
        session, storage=storage, project_id=project_id, run_id=None, name=name, data=data
    )
    await session.commit()
    return to_read(row)


async def get_file(
    *, session: AsyncSession, storage: FileStorage, principal: Principal, file_id: str
) -> tuple[FileRow, bytes]:
    """The file and its contents, if the caller may view runs in its project.

    Raises:
        NotFoundError: no such file in a project the caller can access.
        StorageFailedError: S3 refused the request or lost the contents.
        StorageUnavailableError: S3 cannot be reached.
    """
    row = await _file_row(session, principal, file_id, Permission.READ_RUN)
    return row, await storage.get(row)


async def delete_file(
    *, session: AsyncSession, storage: FileStorage, principal: Principal, file_id: str
) -> None:
    """Deletes the file and its contents, if the caller may edit flows in its project.

    The contents go first: if the storage fails, the file stays and the call can be repeated.

    Raises:
        NotFoundError: no such file in a project the caller can access.
        PermissionDeniedError: the caller's role cannot edit flows.
        StorageFailedError: S3 refused the request.
        StorageUnavailableError: S3 cannot be reached.
    """
    row = await _file_row(session, principal, file_id, Permission.WRITE_FLOW)
    await storage.delete([row.id])
    await session.delete(row)
    await session.commit()


async def delete_contents(
    session: AsyncSession, *, storage: FileStorage, where: ColumnElement[bool]
) -> None:
    """Deletes the stored contents of the files whose rows are about to be deleted.

    Call it before deleting what the files go with (ON DELETE CASCADE removes their rows):
    runs past retention, a flow, a project.

    Args:
        session: the session that will delete the rows.
        storage: where the contents are.
        where: which files, as a condition on `FileRow` and (outer-joined) `FlowRunRow`.

    Raises:
        ServiceError: the file storage refused or cannot be reached.
    """
    if isinstance(storage, DatabaseStorage):
        return  # the contents are in the rows
    file_ids = await session.scalars(
        select(FileRow.id).outerjoin(FlowRunRow, FileRow.run_id == FlowRunRow.id).where(where)
    )
    await storage.delete(list(file_ids))


async def _file_row(
    session: AsyncSession, principal: Principal, file_id: str, permission: Permission
) -> FileRow:
    not_found = NotFoundError(f"No file {file_id!r}", code="FILE_NOT_FOUND")
    row = await session.get(FileRow, file_id)
    if row is None:
        raise not_found
    await require_permission(session, principal, row.project_id, permission, not_found=not_found)
    return row


async def list_run_files(
    *, session: AsyncSession, principal: Principal, run_id: str
) -> list[FileRead]:
    """The files a run wrote, oldest first.

    Raises:
        NotFoundError: no such run in a project the caller can access.
    """
    not_found = NotFoundError(f"No flow run {run_id!r}", code="FLOW_RUN_NOT_FOUND")
    run = await session.get(FlowRunRow, run_id)
    if run is None:
        raise not_found
    await require_permission(
        session, principal, run.project_id, Permission.READ_RUN, not_found=not_found
    )
    rows = await session.scalars(
        select(FileRow).where(FileRow.run_id == run_id).order_by(FileRow.created, FileRow.id)
    )
    return [to_read(row) for row in rows]


def to_read(row: FileRow) -> FileRead:
    """The file's metadata and reference (not its bytes)."""
    return FileRead(
        id=row.id,
        project_id=row.project_id,
        run_id=row.run_id,
        name=row.name,
        size=row.size,
        reference=reference(row),
        created=row.created,
    )
