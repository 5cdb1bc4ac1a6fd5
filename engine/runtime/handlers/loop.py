"""The LOOP_ON_ITEMS step handler: runs the loop's child steps once per item."""

from dataclasses import dataclass
from typing import Any

from engine.model import LoopStep, StepRecord, StepStatus
from engine.runtime.errors import EngineError
from engine.runtime.handlers.base import AnyStep, ControlContext
from engine.runtime.state import ExecutionState, Verdict
from engine.runtime.templating import resolve


class LoopItemsError(EngineError):
    """A loop's items are missing or do not resolve to a list."""

    code = "INVALID_LOOP_ITEMS"


@dataclass(frozen=True, slots=True)
class LoopHandler:
    """Runs loops.

    While an iteration runs, the loop's output in scope is `{item, index}` (index counts from 1,
    as in Activepieces), so children reference `{{loop.item}}`. Each iteration's records are
    collected by step name into the loop's output `{item, index, iterations}`; they are not
    added to the run's top-level records, where step names must stay unique. In the run log,
    children have paths like `loop[2].child`; a loop whose child paused is logged PAUSED and
    runs again on resume, reusing its children's records.
    """

    async def __call__(
        self, step: AnyStep, state: ExecutionState, ctx: ControlContext
    ) -> ExecutionState:
        assert isinstance(step, LoopStep)
        began = ctx.clock()
        items = loop_items(step, state, await ctx.expressions(step.settings.items, state))
        outer_chain, outer_scope = state.chain, state.scope_path
        iterations: list[dict[str, Any]] = []
        current: dict[str, Any] = {"item": None, "index": 0}
        for index, item in enumerate(items, start=1):
            current = {"item": item, "index": index}
            state = state.for_iteration(step.name, current, f"{outer_scope}{step.name}[{index}].")
            state = await ctx.run_steps(step.steps, state)
            iterations.append({r.name: iteration_record(r) for r in state.records})
            if state.verdict is not Verdict.RUNNING:
                break
        output = {**current, "iterations": iterations}
        state = state.with_chain(outer_chain).within(outer_scope)
        return await ctx.log(
            step,
            state,
            status=_STATUS.get(state.verdict, StepStatus.SUCCEEDED),
            input={"items": items},
            output=output,
            began=began,
            error_message=state.error_message if state.verdict is Verdict.FAILED else None,
        )


_STATUS = {Verdict.FAILED: StepStatus.FAILED, Verdict.PAUSED: StepStatus.PAUSED}


def iteration_record(record: StepRecord) -> dict[str, Any]:
    """A child step's record as the loop's output lists it (camelCase, as JSON).

    Built by hand: it shares the record's input and output instead of copying them, which
    matters for loops over many items.
    """
    return {
        "name": record.name,
        "type": record.type,
        "status": record.status.value,
        "input": record.input,
        "output": record.output,
        "errorMessage": record.error_message,
        "durationMs": record.duration_ms,
        "attempts": record.attempts,
    }


def loop_items(
    step: LoopStep, state: ExecutionState, evaluated: dict[str, Any] | None = None
) -> list[Any]:
    """The list a loop iterates: its `items` template resolved against earlier outputs.

    Raises:
        LoopItemsError: no items are set, or they resolve to something other than a list.
        TemplateError: the template references a missing step or path.
    """
    template = step.settings.items.strip()
    if not template:
        raise LoopItemsError(
            f"loop {step.name!r} has no items; set them to a list, e.g. {{{{trigger.body.rows}}}}"
        )
    items = resolve(template, state.outputs, evaluated)
    if not isinstance(items, list):
        kind = "nothing" if items is None else type(items).__name__
        raise LoopItemsError(
            f"loop {step.name!r} needs a list of items, but {template} is {kind}; "
            "point it at a list"
        )
    return items
