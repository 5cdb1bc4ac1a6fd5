"""Create Comment: comment on an issue or pull request."""

from typing import Any

from pieces.framework import Action, ActionContext, LongText, Number, validators
from pieces.github.client import request, split_repository
from pieces.github.props import REPOSITORY


async def _run(ctx: ActionContext) -> Any:
    owner, name = split_repository(ctx.props["repository"])
    number = int(ctx.props["issue_number"])
    response = await request(
        ctx.http,
        ctx.auth,
        "POST",
        f"/repos/{owner}/{name}/issues/{number}/comments",
        json={"body": ctx.props["body"]},
    )
    return response.json()


create_comment = Action(
    name="create_comment",
    display_name="Create Comment",
    description="Comment on an issue or a pull request.",
    props={
        "repository": REPOSITORY,
        "issue_number": Number(
            display_name="Issue or pull request number",
            required=True,
            validators=(validators.min_value(1),),
        ),
        "body": LongText(display_name="Comment", description="Markdown", required=True),
    },
    run=_run,
)
