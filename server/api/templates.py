"""Templates: list, read, create (from a flow or a document), delete, and start a flow from one."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from engine.model import Model
from engine.model.resources import FlowRead, Page
from server.api.deps import CurrentPrincipal, SessionDep
from server.services import templates
from server.services.resources import TemplateRead

router = APIRouter(prefix="/templates", tags=["templates"])


class TemplateCreate(Model):
    """Share a flow as a template: `flowId` copies a flow's draft, `template` imports a document
    (ours, or an Activepieces flow export or template)."""

    display_name: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=5000)
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )
    flow_id: str | None = None
    template: dict[str, Any] | None = None


class TemplateUse(Model):
    """Create a flow from the template in a project (and folder)."""

    project_id: str
    folder_id: str | None = None


@router.get("")
async def list_templates(
    principal: CurrentPrincipal,
    session: SessionDep,
    search: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    limit: int = 10,
    cursor: str | None = None,
) -> Page[TemplateRead]:
    """The platform's templates, newest first; `search` matches name and description."""
    del principal  # any signed-in user sees the platform's templates
    data, after, before = await templates.list_templates(
        session=session, search=search, tag=tag, limit=limit, cursor=cursor
    )
    return Page[TemplateRead](data=data, next=after, previous=before)


@router.get("/{template_id}")
async def get_template(
    template_id: str, principal: CurrentPrincipal, session: SessionDep
) -> TemplateRead:
    """A template with its flow document."""
    del principal
    return await templates.get_template(session=session, template_id=template_id)


@router.post("", status_code=201)
async def create_template(
    body: TemplateCreate, principal: CurrentPrincipal, session: SessionDep
) -> TemplateRead:
    """Creates a template from a flow or a document."""
    return await templates.create_template(
        session=session,
        principal=principal,
        display_name=body.display_name,
        description=body.description,
        tags=body.tags,
        flow_id=body.flow_id,
        document=body.template,
    )


@router.delete("/{template_id}", status_code=204)
async def delete_template(
    template_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Deletes a template (its creator or a platform admin)."""
    await templates.delete_template(session=session, principal=principal, template_id=template_id)
    return Response(status_code=204)


@router.post("/{template_id}/flows", status_code=201)
async def use_template(
    template_id: str, body: TemplateUse, principal: CurrentPrincipal, session: SessionDep
) -> FlowRead:
    """Creates a disabled flow in the project with the template's document as its draft."""
    return await templates.use_template(
        session=session,
        principal=principal,
        template_id=template_id,
        project_id=body.project_id,
        folder_id=body.folder_id,
    )
