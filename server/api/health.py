"""GET /api/v1/health: the server is up and its database answers."""

from fastapi import APIRouter
from sqlalchemy import text

from server.api.deps import SessionDep
from server.api.schemas import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(session: SessionDep) -> HealthResponse:
    """Returns `{"status": "ok"}` once the database answers."""
    await session.execute(text("SELECT 1"))
    return HealthResponse(status="ok")
