"""Sample data: an example input or output per step of a flow, for the builder's data panel."""

import json
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.step_tree import names
from server.db.base import utcnow
from server.db.models import SampleDataRow
from server.services.errors import InvalidRequestError, NotFoundError, TooLargeError
from server.services.flows import load_with_draft
from server.services.permissions import Permission
from server.services.principal import Principal
from server.services.resources import SampleDataRead


class SampleDataType(StrEnum):
    """What the sample shows: a step's input or its output."""

    INPUT = "INPUT"
    OUTPUT = "OUTPUT"


async def save_sample_data(
    *,
    session: AsyncSession,
    principal: Principal,
    flow_id: str,
    step_name: str,
    data_type: SampleDataType,
    data: Any,
    max_bytes: int,
) -> SampleDataRead:
    """Stores (or replaces) the sample of a step of the flow's draft.

    Raises:
        NotFoundError: no such flow for the caller.
        PermissionDeniedError: the caller's role cannot edit flows.
        InvalidRequestError: the draft has no such step.
        TooLargeError: the sample is larger than PW_MAX_FILE_SIZE_MB as JSON.
    """
    flow, draft = await load_with_draft(session, principal, flow_id, Permission.WRITE_FLOW)
    if step_name not in names(draft.definition):
        raise InvalidRequestError(
            f"The flow has no step {step_name!r}", code="STEP_NOT_FOUND", params={"step": step_name}
        )
    size = len(json.dumps(data).encode())
    if size > max_bytes:
        raise TooLargeError(
            f"The sample is {size / 1048576:.1f} MB as JSON; the limit is {max_bytes / 1048576:g} MB",
            code="SAMPLE_DATA_TOO_LARGE",
        )
    now = utcnow()
    statement = (
        insert(SampleDataRow)
        .values(
            flow_id=flow.id,
            step_name=step_name,
            type=data_type,
            data=data,
            created=now,
            updated=now,
        )
        .on_conflict_do_update(
            constraint="uq_sample_data_flow_step_type", set_={"data": data, "updated": now}
        )
        .returning(SampleDataRow)
    )
    row = (await session.scalars(statement)).one()
    await session.commit()
    return _read(row)


async def get_sample_data(
    *,
    session: AsyncSession,
    principal: Principal,
    flow_id: str,
    step_name: str,
    data_type: SampleDataType,
) -> SampleDataRead:
    """The sample of a step.

    Raises:
        NotFoundError: no such flow for the caller, or no sample for the step.
    """
    await load_with_draft(session, principal, flow_id, Permission.READ_FLOW)
    row = await session.scalar(
        select(SampleDataRow).where(
            SampleDataRow.flow_id == flow_id,
            SampleDataRow.step_name == step_name,
            SampleDataRow.type == data_type,
        )
    )
    if row is None:
        raise NotFoundError(
            f"Step {step_name!r} has no sample {data_type.lower()}", code="SAMPLE_DATA_NOT_FOUND"
        )
    return _read(row)


async def list_sample_data(
    *, session: AsyncSession, principal: Principal, flow_id: str
) -> list[SampleDataRead]:
    """Every sample of the flow's steps, by step name."""
    await load_with_draft(session, principal, flow_id, Permission.READ_FLOW)
    rows = await session.scalars(
        select(SampleDataRow)
        .where(SampleDataRow.flow_id == flow_id)
        .order_by(SampleDataRow.step_name, SampleDataRow.type)
    )
    return [_read(row) for row in rows]


def _read(row: SampleDataRow) -> SampleDataRead:
    return SampleDataRead(
        id=row.id,
        flow_id=row.flow_id,
        step_name=row.step_name,
        type=row.type,
        data=row.data,
        updated=row.updated,
    )
