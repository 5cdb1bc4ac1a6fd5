"""Sends a flow's edits to the server in order, retrying when it is away and waiting while signed
out; a failed save is kept, never lost."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from engine.model.operations import DocumentOperation

log = logging.getLogger(__name__)

#: Waits between attempts while the server cannot be reached (the last one repeats).
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


class SaveUnavailableError(Exception):
    """The server could not be reached or failed (5xx): the same operation is sent again later."""


class SaveRejectedError(Exception):
    """The server refused the operation (4xx): saving stops until the person retries or reloads."""


class SaveSignedOutError(Exception):
    """The sign-in expired: saving waits, the operation kept, until the session is back (`resume`)."""


class SaveState(StrEnum):
    """What the save indicator shows."""

    SAVED = "SAVED"
    SAVING = "SAVING"
    RETRYING = "RETRYING"
    REJECTED = "REJECTED"
    SIGNED_OUT = "SIGNED_OUT"


Send = Callable[[DocumentOperation], Awaitable[None]]


class SaveQueue:
    """Operations waiting for the server, sent one at a time in the order they were made.

    `send` does the I/O (the client layer); the queue only orders, retries and reports. While
    signed out it waits for `resume` (the sign-in renewed or signed in again), then carries on
    with the same operations in the same order.
    """

    def __init__(
        self,
        send: Send,
        *,
        on_state: Callable[[SaveState, str], None] = lambda state, message: None,
        retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
    ) -> None:
        self._send = send
        self._on_state = on_state
        self._delays = retry_delays_s
        self._pending: list[DocumentOperation] = []
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        #: How many times the session came back (a resume while an operation is on its way counts).
        self._resumes = 0
        self._closed = False
        self.state = SaveState.SAVED
        self.message = "All changes saved"

    @property
    def pending(self) -> list[DocumentOperation]:
        """Operations not confirmed by the server yet, oldest first."""
        return list(self._pending)

    def push(self, operations: list[DocumentOperation]) -> None:
        """Queues operations and makes sure they are being sent."""
        self._pending.extend(operations)
        if self.state not in (SaveState.REJECTED, SaveState.SIGNED_OUT):
            self._start()

    def retry(self) -> None:
        """Tries again after a refusal (or at once, while waiting to retry)."""
        self._wake.set()
        if self.state in (SaveState.REJECTED, SaveState.SIGNED_OUT) and self._pending:
            self._start()

    def resume(self) -> None:
        """The session is back (token renewed, or signed in again): sends what waited for it.

        A refusal (REJECTED) still waits for the person; a closed queue stays closed.
        """
        self._resumes += 1
        if self.state == SaveState.SIGNED_OUT and self._pending and not self._closed:
            self._start()

    def discard(self) -> list[DocumentOperation]:
        """Drops what is pending (the caller reloads the flow from the server) and returns it."""
        dropped, self._pending = self._pending, []
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._set(SaveState.SAVED, "All changes saved")
        return dropped

    async def drained(self) -> bool:
        """Waits until nothing is pending or saving stopped; True when everything is saved."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
        return not self._pending

    def close(self) -> None:
        """Stops sending (pending operations stay in `pending`); `resume` no longer restarts it."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        failures = 0
        while self._pending:
            if failures == 0:
                self._set(SaveState.SAVING, f"Saving {len(self._pending)} change(s)…")
            operation = self._pending[0]
            resumes = self._resumes
            try:
                await self._send(operation)
            except SaveRejectedError as err:
                self._set(SaveState.REJECTED, f"Not saved: {err}")
                return
            except SaveSignedOutError as err:
                if self._resumes != resumes:
                    continue  # signed in again while it was on its way: send it again now
                self._set(
                    SaveState.SIGNED_OUT,
                    f"Not saved yet: {err}. Saving carries on once you sign in again",
                )
                return
            except SaveUnavailableError as err:
                delay = self._delays[min(failures, len(self._delays) - 1)]
                failures += 1
                self._set(SaveState.RETRYING, f"Not saved yet ({err}); retrying in {delay:g} s")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                continue
            except asyncio.CancelledError:
                raise
            except Exception as err:  # a task boundary: keep the edit and say so
                log.exception("saving %s failed", operation.type)
                self._set(SaveState.REJECTED, f"Not saved: {err}")
                return
            failures = 0
            if self._pending and self._pending[0] is operation:
                self._pending.pop(0)
        self._set(SaveState.SAVED, "All changes saved")

    def _set(self, state: SaveState, message: str) -> None:
        self.state, self.message = state, message
        self._on_state(state, message)
