"""Router branch operations on a flow document copy: add, update and delete branches."""

from typing import Any

from engine.model.operation_errors import FallbackBranchError, WrongStepTypeError
from engine.model.operation_requests import (
    AddBranchRequest,
    DeleteBranchRequest,
    UpdateBranchRequest,
)
from engine.model.step_tree import JsonStep, require, router_branch

Document = dict[str, Any]


def _router(document: Document, name: str) -> JsonStep:
    container, index = require(document, name, field="stepName")
    step = container[index]
    if step["type"] != "ROUTER":
        raise WrongStepTypeError(
            f"stepName: step {name!r} is a {step['type']} step; branches belong to ROUTER steps",
            step=name,
            field="stepName",
        )
    return step


def add_branch(document: Document, request: AddBranchRequest) -> None:
    """Inserts a conditional branch at `branchIndex`, which must be before the FALLBACK.

    Raises:
        StepNotFoundError, WrongStepTypeError: `stepName` is not a router of the flow.
        FallbackBranchError: the index is after the FALLBACK branch (or out of range).
    """
    router = _router(document, request.step_name)
    branches: list[dict[str, Any]] = router.setdefault("branches", [])
    fallback = next(
        (i for i, b in enumerate(branches) if b.get("branchType") == "FALLBACK"), len(branches)
    )
    if not 0 <= request.branch_index <= fallback:
        raise FallbackBranchError(
            f"branchIndex: a new branch of router {request.step_name!r} goes at 0 to {fallback}, "
            "before the fallback branch",
            step=request.step_name,
            field="branchIndex",
        )
    branch = {
        "branchName": request.branch_name,
        "branchType": "CONDITION",
        "conditions": [[c.model_dump(mode="json") for c in group] for group in request.conditions],
        "steps": [],
    }
    branches.insert(request.branch_index, branch)


def update_branch(document: Document, request: UpdateBranchRequest) -> None:
    """Renames a branch and/or replaces its conditions.

    Raises:
        StepNotFoundError, WrongStepTypeError: `stepName` is not a router of the flow.
        BranchNotFoundError: no branch at `branchIndex`.
        FallbackBranchError: conditions were given for the FALLBACK branch.
    """
    branch = router_branch(_router(document, request.step_name), request.branch_index)
    if request.conditions is not None:
        if branch.get("branchType") == "FALLBACK":
            raise FallbackBranchError(
                f"conditions: the fallback branch of router {request.step_name!r} runs when no "
                "other branch matches, so it cannot have conditions; only rename it",
                step=request.step_name,
                field="conditions",
            )
        branch["conditions"] = [
            [c.model_dump(mode="json") for c in group] for group in request.conditions
        ]
    if request.branch_name is not None:
        branch["branchName"] = request.branch_name


def delete_branch(document: Document, request: DeleteBranchRequest) -> None:
    """Deletes a conditional branch and its steps.

    Raises:
        StepNotFoundError, WrongStepTypeError: `stepName` is not a router of the flow.
        BranchNotFoundError: no branch at `branchIndex`.
        FallbackBranchError: the branch is the FALLBACK.
    """
    router = _router(document, request.step_name)
    branch = router_branch(router, request.branch_index)
    if branch.get("branchType") == "FALLBACK":
        raise FallbackBranchError(
            f"branchIndex: branch {request.branch_index} of router {request.step_name!r} is the "
            "fallback branch, which cannot be deleted",
            step=request.step_name,
            field="branchIndex",
        )
    del router["branches"][request.branch_index]
