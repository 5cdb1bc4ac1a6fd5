"""Flow runs: read one."""

from fastapi import APIRouter

from engine.model.resources import FlowRunRead
from server.api.deps import CurrentPrincipal, SessionDep
from server.services import runs

router = APIRouter(prefix="/flow-runs", tags=["flow-runs"])


@router.get("/{run_id}")
async def get_run(run_id: str, principal: CurrentPrincipal, session: SessionDep) -> FlowRunRead:
    """A run with its step records and response."""
    return await runs.get_run(session=session, principal=principal, run_id=run_id)
