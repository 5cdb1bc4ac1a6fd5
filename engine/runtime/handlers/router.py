"""The ROUTER step handler: evaluates branch conditions and runs the matching branches."""

from dataclasses import dataclass
from typing import Any

from engine.model import Branch, BranchType, RouterExecutionType, RouterStep, StepStatus
from engine.runtime.conditions import branch_matches
from engine.runtime.errors import EngineError
from engine.runtime.handlers.base import AnyStep, ControlContext
from engine.runtime.state import ExecutionState, Verdict


@dataclass(frozen=True, slots=True)
class RouterHandler:
    """Runs routers.

    The router is recorded first, with output `{branches: [{branchName, branchIndex,
    evaluation}]}`; then the steps of each chosen branch run in order and are recorded by name
    like top-level steps. EXECUTE_FIRST_MATCH stops evaluating at the first match;
    EXECUTE_ALL_MATCH runs every match in order; the FALLBACK runs only when none matched.
    On replay the recorded choice is kept.
    """

    async def __call__(
        self, step: AnyStep, state: ExecutionState, ctx: ControlContext
    ) -> ExecutionState:
        assert isinstance(step, RouterStep)
        began = ctx.clock()
        recorded = ctx.recorded(state.scope_path + step.name)
        if recorded is not None and recorded.status is StepStatus.SUCCEEDED:
            # A replay takes the branches the run chose then, even if conditions read the clock.
            chosen = [bool(branch["evaluation"]) for branch in recorded.output["branches"]]
            state = state.with_step(recorded, output=recorded.output)
        else:
            operands = [
                [c.first_value, c.second_value]
                for branch in step.branches
                for group in branch.conditions
                for c in group
            ]
            chosen = choose_branches(step, state, await ctx.expressions(operands, state))
            output = {
                "branches": [
                    {"branchName": branch.branch_name, "branchIndex": index, "evaluation": matched}
                    for index, (branch, matched) in enumerate(
                        zip(step.branches, chosen, strict=True)
                    )
                ]
            }
            state = await ctx.log(
                step,
                state,
                status=StepStatus.SUCCEEDED,
                input={"executionType": step.settings.execution_type.value},
                output=output,
                began=began,
            )
        for branch, matched in zip(step.branches, chosen, strict=True):
            if matched:
                state = await ctx.run_steps(branch.steps, state)
                if state.verdict is not Verdict.RUNNING:
                    break
        return state


def choose_branches(
    step: RouterStep, state: ExecutionState, evaluated: dict[str, Any] | None = None
) -> list[bool]:
    """Which of the router's branches run, in branch order.

    Raises:
        EngineError: a condition cannot be evaluated; the message names the branch.
    """
    first_only = step.settings.execution_type is RouterExecutionType.EXECUTE_FIRST_MATCH
    chosen: list[bool] = []
    for branch in step.branches:
        if branch.branch_type is BranchType.FALLBACK or (first_only and any(chosen)):
            chosen.append(False)
            continue
        chosen.append(_evaluate(step, branch, state.outputs, evaluated or {}))
    if not any(chosen):
        chosen = [b.branch_type is BranchType.FALLBACK for b in step.branches]
    return chosen


def _evaluate(step: RouterStep, branch: Branch, scope: Any, evaluated: dict[str, Any]) -> bool:
    try:
        return branch_matches(branch.conditions, scope, evaluated)
    except EngineError as err:
        raise type(err)(
            f"router {step.name!r}, branch {branch.branch_name!r}: {err.message}"
        ) from err
