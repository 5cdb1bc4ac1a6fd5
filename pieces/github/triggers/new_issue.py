"""New Issue: a repository webhook for `issues` events; fires when an issue is opened."""

from typing import Any

from pieces.framework import Trigger, TriggerContext, TriggerStrategy
from pieces.github.props import REPOSITORY
from pieces.github.webhooks import delivery, register, remove


async def _on_enable(ctx: TriggerContext) -> None:
    await register(ctx, event="issues")


async def _run(ctx: TriggerContext) -> list[Any]:
    body = delivery(ctx, event="issues")
    if body is None or body.get("action") != "opened":
        return []
    return [{**body["issue"], "repository": body.get("repository"), "sender": body.get("sender")}]


new_issue = Trigger(
    name="new_issue",
    display_name="New Issue",
    description="Starts the flow when an issue is opened in the repository.",
    type=TriggerStrategy.WEBHOOK,
    props={"repository": REPOSITORY},
    run=_run,
    on_enable=_on_enable,
    on_disable=remove,
    sample_data={
        "number": 1347,
        "title": "Found a bug",
        "body": "I'm having a problem with this.",
        "state": "open",
        "html_url": "https://github.com/octocat/Hello-World/issues/1347",
        "user": {"login": "octocat"},
        "labels": [],
        "repository": {"full_name": "octocat/Hello-World"},
        "sender": {"login": "octocat"},
    },
)
