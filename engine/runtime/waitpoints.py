"""Waitpoints kept in memory, for runs executed without a server (`piecework run`, tests)."""

import uuid
from datetime import datetime

from engine.model import Waitpoint, WaitpointType, WebhookResponse


class LocalWaitpoints:
    """A WaitpointClient that keeps waitpoints in a dict."""

    def __init__(self, *, public_url: str = "") -> None:
        self.public_url = public_url.rstrip("/")
        self.created: dict[str, Waitpoint] = {}

    async def create(
        self,
        *,
        run_id: str,
        step_path: str,
        type: WaitpointType,
        resume_at: datetime | None,
        response_to_send: WebhookResponse | None,
    ) -> Waitpoint:
        waitpoint_id = f"{run_id}-{uuid.uuid4().hex[:12]}"
        waitpoint = Waitpoint(
            id=waitpoint_id,
            type=type,
            step_path=step_path,
            resume_url=f"{self.public_url}/api/v1/flow-runs/{run_id}/waitpoints/{waitpoint_id}",
            resume_at=resume_at,
            response_to_send=response_to_send,
        )
        self.created[waitpoint_id] = waitpoint
        return waitpoint

    async def get(self, *, run_id: str, waitpoint_id: str) -> Waitpoint | None:
        found = self.created.get(waitpoint_id)
        return found if found is not None and f"/flow-runs/{run_id}/" in found.resume_url else None
