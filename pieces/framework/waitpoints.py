"""Waitpoints: how a step pauses its run until a webhook call or a point in time resumes it."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlencode

from engine.model import Waitpoint, WaitpointType, WebhookResponse
from pieces.framework.errors import PieceError

__all__ = [
    "LocalWaitpoints",
    "NoWaitpoints",
    "WaitpointClient",
    "WaitpointError",
    "WaitpointHandle",
    "WaitpointType",
]


class WaitpointError(PieceError):
    """A waitpoint cannot be created or waited for."""

    code = "WAITPOINT_INVALID"


class WaitpointClient(Protocol):
    """Creates waitpoints; the server stores them, `piecework run` keeps them in the run file."""

    async def create(
        self,
        *,
        run_id: str,
        step_path: str,
        type: WaitpointType,
        resume_at: datetime | None,
        response_to_send: WebhookResponse | None,
    ) -> Waitpoint:
        """A new PENDING waitpoint for this step execution (one per run and step path)."""
        ...

    async def get(self, *, run_id: str, waitpoint_id: str) -> Waitpoint | None:
        """A waitpoint of this run (e.g. one an earlier step created), or None."""
        ...


@dataclass(frozen=True, slots=True)
class WaitpointHandle:
    """What `ctx.run.create_waitpoint` returns: the waitpoint's id and how to resume it."""

    id: str
    resume_url: str

    def build_resume_url(
        self, query_params: dict[str, str] | None = None, *, sync: bool = False
    ) -> str:
        """The resume URL, answering with the flow's response when `sync`, with query params."""
        url = self.resume_url + ("/sync" if sync else "")
        return f"{url}?{urlencode(query_params)}" if query_params else url


class NoWaitpoints:
    """The client where pausing is not possible (e.g. testing a single step)."""

    async def create(
        self,
        *,
        run_id: str,
        step_path: str,
        type: WaitpointType,
        resume_at: datetime | None,
        response_to_send: WebhookResponse | None,
    ) -> Waitpoint:
        raise WaitpointError("This step cannot pause here; run it as part of a flow")

    async def get(self, *, run_id: str, waitpoint_id: str) -> Waitpoint | None:
        return None


class LocalWaitpoints:
    """A WaitpointClient that keeps waitpoints in a dict: for runs without a server
    (`piecework run`) and for the test harness."""

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
