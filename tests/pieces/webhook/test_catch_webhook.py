"""Catch Webhook: the request becomes the trigger output."""

from pieces.framework import Markdown
from pieces.framework.testing import run_trigger
from pieces.webhook.triggers.catch_webhook import catch_webhook


async def test_request_is_the_single_trigger_item() -> None:
    request = {"method": "POST", "headers": {"a": "b"}, "queryParams": {"q": "1"}, "body": {"x": 1}}
    assert await run_trigger(catch_webhook, payload=request) == [request]


def test_instructions_show_the_flow_webhook_url() -> None:
    note = catch_webhook.props["instructions"]
    assert isinstance(note, Markdown)
    assert "**http://h/api/v1/webhooks/f**" in note.render(webhook_url="http://h/api/v1/webhooks/f")
