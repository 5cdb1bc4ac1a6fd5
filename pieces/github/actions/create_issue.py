"""Create Issue: open an issue with labels and assignees."""

from typing import Any

from pieces.framework import Action, ActionContext, Array, LongText, ShortText
from pieces.github.client import request, split_repository
from pieces.github.props import REPOSITORY


async def _run(ctx: ActionContext) -> Any:
    owner, name = split_repository(ctx.props["repository"])
    body: dict[str, Any] = {"title": ctx.props["title"]}
    for key in ("body", "labels", "assignees"):
        if ctx.props[key]:
            body[key] = ctx.props[key]
    response = await request(ctx.http, ctx.auth, "POST", f"/repos/{owner}/{name}/issues", json=body)
    return response.json()


create_issue = Action(
    name="create_issue",
    display_name="Create Issue",
    description="Open an issue in a repository.",
    props={
        "repository": REPOSITORY,
        "title": ShortText(display_name="Title", required=True),
        "body": LongText(display_name="Description", description="Markdown"),
        "labels": Array(display_name="Labels", default=[]),
        "assignees": Array(display_name="Assignees", description="GitHub user names", default=[]),
    },
    run=_run,
)
