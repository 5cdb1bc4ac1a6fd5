"""Subflows: an action may start another flow of the project, and answer the flow that called it."""

from typing import Any, Protocol

from pieces.framework.errors import PieceError


class SubflowError(PieceError):
    """Another flow cannot be called, or the caller cannot be answered."""

    code = "SUBFLOW_INVALID"


class SubflowClient(Protocol):
    """Calls flows of the run's project; the server implements it per run."""

    async def call(self, *, flow_id: str, data: Any, callback: dict[str, str] | None) -> str:
        """Starts a run of the flow's published version with `{data, callback}` as its trigger
        payload and returns the run id. `callback` (`{runId, waitpointId}`) is where the called
        flow's response goes."""
        ...

    async def respond(self, body: Any) -> bool:
        """Resumes the calling run (if it waits) with `body`; False when no flow waits for it."""
        ...


class NoSubflows:
    """Where there is no server to start runs on (`piecework run`, single-step tests)."""

    async def call(self, *, flow_id: str, data: Any, callback: dict[str, str] | None) -> str:
        raise SubflowError("Calling another flow needs the Piecework server; run this flow there")

    async def respond(self, body: Any) -> bool:
        return False
