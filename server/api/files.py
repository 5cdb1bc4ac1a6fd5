"""Files: upload one to a project, list a run's files, download or delete one."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from engine.model.resources import Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.api.request_body import read_limited
from server.services import files
from server.services.resources import FileRead

router = APIRouter(prefix="/files", tags=["files"])


@router.post(
    "",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload_file(
    request: Request,
    context: ContextDep,
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    name: Annotated[str, Query(min_length=1, max_length=files.MAX_NAME_LENGTH)],
) -> FileRead:
    """Stores the request body as a file of the project; `reference` can be a File prop's value."""
    limit = int(context.settings.max_file_size_mb * 1024 * 1024)
    data = await read_limited(
        request,
        limit=limit,
        too_large=f"The file is larger than {context.settings.max_file_size_mb:g} MB (PW_MAX_FILE_SIZE_MB)",
    )
    return await files.upload_file(
        session=session,
        storage=context.file_storage,
        principal=principal,
        project_id=project_id,
        name=name,
        data=data,
        max_bytes=limit,
    )


@router.get("")
async def list_files(
    principal: CurrentPrincipal,
    session: SessionDep,
    run_id: Annotated[str, Query(alias="runId")],
) -> Page[FileRead]:
    """The files a run's steps wrote, oldest first."""
    data = await files.list_run_files(session=session, principal=principal, run_id=run_id)
    return Page[FileRead](data=data)


@router.get(
    "/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file"}},
)
async def download_file(
    file_id: str, context: ContextDep, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """The file's bytes, as an attachment."""
    row, data = await files.get_file(
        session=session, storage=context.file_storage, principal=principal, file_id=file_id
    )
    return Response(
        content=data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.name, safe='')}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete("/{file_id}", status_code=204)
async def delete_file(
    file_id: str, context: ContextDep, principal: CurrentPrincipal, session: SessionDep
) -> None:
    """Deletes the file and its contents (in S3 mode, the object too)."""
    await files.delete_file(
        session=session, storage=context.file_storage, principal=principal, file_id=file_id
    )
