"""Sample data: a step's example input or output, saved and read per flow and step."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from engine.model import Model
from engine.model.resources import Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.services import sample_data
from server.services.resources import SampleDataRead
from server.services.sample_data import SampleDataType

router = APIRouter(prefix="/sample-data", tags=["sample-data"])


class SampleDataSave(Model):
    """Save a step's sample input or output (any JSON)."""

    flow_id: str
    step_name: str = Field(min_length=1, max_length=100)
    type: SampleDataType = SampleDataType.OUTPUT
    data: Any


@router.post("")
async def save_sample_data(
    body: SampleDataSave, context: ContextDep, principal: CurrentPrincipal, session: SessionDep
) -> SampleDataRead:
    """Stores or replaces the sample of a step of the flow's draft."""
    return await sample_data.save_sample_data(
        session=session,
        principal=principal,
        flow_id=body.flow_id,
        step_name=body.step_name,
        data_type=body.type,
        data=body.data,
        max_bytes=int(context.settings.max_file_size_mb * 1024 * 1024),
    )


@router.get("")
async def get_sample_data(
    principal: CurrentPrincipal,
    session: SessionDep,
    flow_id: Annotated[str, Query(alias="flowId")],
    step_name: Annotated[str, Query(alias="stepName", max_length=100)],
    type: SampleDataType = SampleDataType.OUTPUT,
) -> SampleDataRead:
    """The sample of one step; 404 when none was saved."""
    return await sample_data.get_sample_data(
        session=session, principal=principal, flow_id=flow_id, step_name=step_name, data_type=type
    )


@router.get("/steps")
async def list_sample_data(
    principal: CurrentPrincipal,
    session: SessionDep,
    flow_id: Annotated[str, Query(alias="flowId")],
) -> Page[SampleDataRead]:
    """Every saved sample of the flow's steps (for the data-to-insert panel)."""
    data = await sample_data.list_sample_data(session=session, principal=principal, flow_id=flow_id)
    return Page[SampleDataRead](data=data)
