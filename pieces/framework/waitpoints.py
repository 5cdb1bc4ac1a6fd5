"""Waitpoints: how a step pauses its run until a webhook call or a point in time resumes it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import urlencode

from engine.model import Waitpoint, WaitpointType, WebhookResponse
from pieces.framework.errors import PieceError

__all__ = [
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
