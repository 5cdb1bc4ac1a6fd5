"""Writes a run's log: records in their logged form, batched into checkpoints, within limits."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

from engine.model import Checkpoint, Pause, RunStatus, StepRecord, WebhookResponse
from engine.model.run_log import offloaded
from engine.runtime.log_limits import LogLimits
from engine.runtime.output_store import OutputStore
from engine.runtime.run_store import RunStore, RunTakenOverError

#: What a truncated input looks like in the log.
TRUNCATED_KEY = "$truncated"
#: Bytes a record takes in the log besides its input and output (names, status, timings).
_RECORD_OVERHEAD = 120


class LogFullError(Exception):
    """The run's log reached PW_MAX_RUN_LOG_MB; the run ends LOG_SIZE_EXCEEDED.

    Not an EngineError: no step's error handling may catch it.
    """

    def __init__(self, limit_bytes: int) -> None:
        self.message = (
            f"The run's log grew past {limit_bytes / 1024 / 1024:g} MB "
            "(PW_MAX_RUN_LOG_MB); record less per step or split the work into several runs"
        )
        super().__init__(self.message)


class RunLogWriter:
    """Buffers new log entries and saves them in checkpoints through the run store.

    A checkpoint is saved when at least `checkpoint_interval_s` passed since the last one, and
    a record that did not make it into one is saved `checkpoint_interval_s` later even when no
    other record follows (the next step may be slow, or never end: a killed worker). Before a
    step with effects begins (`before_step`), the pending records of steps with effects are saved
    first. So a crash runs again at most the step with effects in flight, and some fast steps
    without effects.
    """

    def __init__(
        self,
        *,
        run_id: str,
        store: RunStore,
        outputs: OutputStore,
        limits: LogLimits,
        clock: Callable[[], float],
        size_bytes: int = 0,
        active_ms: float = 0,
        with_effects: frozenset[str] = frozenset(),
        execution: int = 0,
    ) -> None:
        self._run_id = run_id
        #: The execution's number from its log, sent back with every checkpoint.
        self._execution = execution
        #: Names of the steps that may have effects outside the run: known ahead
        #: (`effects.steps_with_effects`), or once they say so (`effects_begin`).
        self._with_effects = set(with_effects)
        #: Whether a pending record is of a step with effects.
        self._pending_effects = False
        self._store = store
        self._outputs = outputs
        self._limits = limits
        self._clock = clock
        self._pending: list[StepRecord] = []
        self._started = clock()
        self._last_save = self._started
        self._active_before_ms = active_ms
        self.size_bytes = size_bytes
        self.response: WebhookResponse | None = None
        self.pause: Pause | None = None
        self.resume_payload: Any = None
        self.saves = 0
        #: Serializes checkpoints, so they reach the store in order.
        self._lock = asyncio.Lock()
        #: Saves records left pending by a fast step, unless a checkpoint came first.
        self._flush: asyncio.Task[None] | None = None
        #: Set by the last checkpoint of this execution (a status other than RUNNING).
        self._closed = False
        #: Set when a background save found the run taken over by another execution.
        self._taken_over: RunTakenOverError | None = None

    @property
    def active_ms(self) -> float:
        """Active time of the run so far, earlier executions included."""
        return self._active_before_ms + (self._clock() - self._started) * 1000

    async def add(self, record: StepRecord) -> StepRecord:
        """Adds a record in its logged form (input truncated, large output offloaded), saves
        a checkpoint when one is due, and returns the logged record.

        Raises:
            LogFullError: the record does not fit under the log size limit.
            RunTakenOverError: another execution owns the run now.
        """
        self._stop_if_taken_over()
        updates: dict[str, Any] = {}
        input_size = 0
        if record.input is not None:
            text = _json(record.input)
            input_size = len(text)
            if input_size > self._limits.input_truncate_bytes:
                preview = text[: self._limits.input_truncate_bytes]
                updates["input"] = {TRUNCATED_KEY: True, "preview": preview, "size": input_size}
                input_size = self._limits.input_truncate_bytes + 60
        output_size = 0
        if record.output is not None:
            text = _json(record.output)
            output_size = len(text)
            if output_size > self._limits.output_slice_bytes:
                self._check_room(output_size + input_size)
                ref = await self._outputs.put(self._run_id, record.path, text.encode())
                updates["output"] = offloaded(ref, output_size)
        size = input_size + output_size + _RECORD_OVERHEAD
        self._check_room(size)
        self.size_bytes += size
        logged = record.model_copy(update=updates) if updates else record
        self._pending.append(logged)
        self._pending_effects = self._pending_effects or record.name in self._with_effects
        if self._clock() - self._last_save >= self._limits.checkpoint_interval_s:
            await self.save(RunStatus.RUNNING)
        elif self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._save_pending_later())
        return logged

    async def before_step(self, name: str) -> None:
        """Called as step `name` begins: when it is known to have effects, `effects_begin`."""
        if name in self._with_effects:
            await self.effects_begin(name)

    async def effects_begin(self, name: str) -> None:
        """Step `name` is about to act outside the run: saves the pending records of steps with
        effects first, so a crash during it does not run them again, and counts its own record
        as one with effects.

        Raises:
            RunTakenOverError: another execution owns the run now.
        """
        self._stop_if_taken_over()
        self._with_effects.add(name)
        if self._pending_effects:
            await self._save_pending(effects_only=True)

    async def _save_pending_later(self) -> None:
        interval = self._limits.checkpoint_interval_s
        await asyncio.sleep(min(max(interval - (self._clock() - self._last_save), 0), interval))
        try:
            await self._save_pending(effects_only=False)
        except RunTakenOverError as err:
            # Raised in this background task it would only be logged as never retrieved: the
            # execution gets it at its next record or step with effects (`_stop_if_taken_over`).
            self._taken_over = err

    async def _save_pending(self, *, effects_only: bool) -> None:
        """A RUNNING checkpoint of the pending records (only if one is of a step with effects,
        with `effects_only`), unless another checkpoint took them or the log is closed."""
        async with self._lock:
            pending = self._pending_effects if effects_only else bool(self._pending)
            if pending and not self._closed:
                await self._write(RunStatus.RUNNING)

    def _stop_if_taken_over(self) -> None:
        if self._taken_over is not None:
            raise self._taken_over

    def _check_room(self, size: int) -> None:
        if self.size_bytes + size > self._limits.max_log_bytes:
            raise LogFullError(self._limits.max_log_bytes)

    async def save(
        self,
        status: RunStatus,
        *,
        failed_path: str | None = None,
        error_message: str | None = None,
    ) -> None:
        """Saves a checkpoint with the pending entries and the run's state."""
        self._stop_if_taken_over()
        async with self._lock:
            await self._write(status, failed_path=failed_path, error_message=error_message)
            if status is not RunStatus.RUNNING:
                self._closed = True

    async def _write(
        self,
        status: RunStatus,
        *,
        failed_path: str | None = None,
        error_message: str | None = None,
    ) -> None:
        entries, self._pending = self._pending, []
        self._pending_effects = False
        await self._store.save(
            self._run_id,
            Checkpoint(
                status=status,
                entries=entries,
                pause=self.pause,
                resume_payload=self.resume_payload,
                response=self.response,
                active_ms=self.active_ms,
                failed_path=failed_path,
                error_message=error_message,
                size_bytes=self.size_bytes,
                execution=self._execution,
            ),
        )
        self._last_save = self._clock()
        self.saves += 1


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
