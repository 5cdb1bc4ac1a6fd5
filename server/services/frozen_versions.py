"""Flow versions that never change again (published, or frozen for a test run), parsed once.

Runs and webhooks read their flow version by id on every call. Only a draft is ever edited: a
published (LOCKED) version and a test run's frozen copy (TEST) keep their definition until they
are deleted, so each process keeps the newest of them parsed, and a call costs no query and no
validation. Drafts are read every time.
"""

from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, load_flow
from server.db.models import FlowVersionRow
from server.services.oauth2_refresh import names_connections

#: Parsed versions a process keeps at most (the least recently used go first).
MAX_KEPT = 256
DRAFT = "DRAFT"


@dataclass(frozen=True, slots=True, kw_only=True)
class FrozenVersion:
    """A flow version as runs use it."""

    id: str
    #: DRAFT, LOCKED (published) or TEST (frozen for a test run).
    state: str
    flow: Flow
    #: The flow reads connections in a template: its runs fetch the project's connection values.
    uses_connections: bool


_kept: OrderedDict[str, FrozenVersion] = OrderedDict()


def kept_version(version_id: str) -> FrozenVersion | None:
    """The version if this process keeps it (no query); else None."""
    kept = _kept.get(version_id)
    if kept is not None:
        _kept.move_to_end(version_id)
    return kept


async def flow_version(session: AsyncSession, version_id: str) -> FrozenVersion | None:
    """The version with its flow parsed; None if there is no such version."""
    kept = kept_version(version_id)
    if kept is not None:
        return kept
    row = await session.get(FlowVersionRow, version_id)
    if row is None:
        return None
    flow = load_flow(row.definition)
    version = FrozenVersion(
        id=row.id,
        state=row.state,
        flow=flow,
        uses_connections=names_connections(flow.model_dump_json()),
    )
    if row.state != DRAFT:
        _kept[version_id] = version
        if len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return version
