"""Catch Webhook: the request becomes the trigger output."""

from pieces.framework.testing import run_trigger
from pieces.webhook.triggers.catch_webhook import catch_webhook


async def test_request_is_the_single_trigger_item() -> None:
    request = {"method": "POST", "headers": {"a": "b"}, "queryParams": {"q": "1"}, "body": {"x": 1}}
    assert await run_trigger(catch_webhook, payload=request) == [request]
