"""Map: build an object whose values are templates; the engine resolves them before the step runs."""

from typing import Any

from pieces.framework import Action, ActionContext, Object


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return dict(ctx.props["mapping"])


# Named like its module and key (part of the contract), though it shadows the builtin here.
map = Action(
    name="map",
    effects=False,
    display_name="Advanced Mapping",
    description="Build an object from earlier steps' data: each value is a template such as {{trigger.body.email}}.",
    props={
        "mapping": Object(
            display_name="Mapping",
            description="Keys of the output object and their values; a value that is one "
            "whole {{...}} reference keeps its type (list, number, object).",
            required=True,
        )
    },
    run=_run,
)
