"""New Pull Request: a repository webhook for `pull_request` events; fires when one is opened."""

from typing import Any

from pieces.framework import Trigger, TriggerContext, TriggerStrategy
from pieces.github.props import REPOSITORY
from pieces.github.webhooks import delivery, register, remove


async def _on_enable(ctx: TriggerContext) -> None:
    await register(ctx, event="pull_request")


async def _run(ctx: TriggerContext) -> list[Any]:
    body = delivery(ctx, event="pull_request")
    if body is None or body.get("action") != "opened":
        return []
    return [
        {**body["pull_request"], "repository": body.get("repository"), "sender": body.get("sender")}
    ]


new_pull_request = Trigger(
    name="new_pull_request",
    display_name="New Pull Request",
    description="Starts the flow when a pull request is opened in the repository.",
    type=TriggerStrategy.WEBHOOK,
    props={"repository": REPOSITORY},
    run=_run,
    on_enable=_on_enable,
    on_disable=remove,
    sample_data={
        "number": 1348,
        "title": "Fix the bug",
        "state": "open",
        "draft": False,
        "html_url": "https://github.com/octocat/Hello-World/pull/1348",
        "user": {"login": "octocat"},
        "head": {"ref": "fix"},
        "base": {"ref": "main"},
        "repository": {"full_name": "octocat/Hello-World"},
        "sender": {"login": "octocat"},
    },
)
