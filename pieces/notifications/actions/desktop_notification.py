"""Desktop Notification: a notification the desktop app shows when the step has run.

The step's output is the notification (see the piece README for the contract): the desktop
watches the runs of its server and shows every succeeded step whose output has
`type == "DESKTOP_NOTIFICATION"` as a system notification, once per id.
"""

import datetime as dt
import uuid
from typing import Any

from pieces.framework import (
    Action,
    ActionContext,
    LongText,
    Option,
    ShortText,
    StaticDropdown,
    validators,
)

#: The output's `type`: what the desktop looks for.
NOTIFICATION_TYPE = "DESKTOP_NOTIFICATION"


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return {
        "type": NOTIFICATION_TYPE,
        "id": uuid.uuid4().hex,
        "title": ctx.props["title"],
        "message": ctx.props["message"] or "",
        "level": ctx.props["level"],
        "url": ctx.props["url"] or None,
        "runId": ctx.run.id,
        "stepName": ctx.step_name,
        "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
    }


desktop_notification = Action(
    name="desktop_notification",
    display_name="Show Desktop Notification",
    description="Show a notification on this computer (by the Piecework desktop app).",
    props={
        "title": ShortText(
            display_name="Title", required=True, validators=(validators.max_length(200),)
        ),
        "message": LongText(display_name="Message", validators=(validators.max_length(2000),)),
        "level": StaticDropdown(
            display_name="Kind",
            default="info",
            options=(
                Option(label="Information", value="info"),
                Option(label="Success", value="success"),
                Option(label="Warning", value="warning"),
                Option(label="Error", value="error"),
            ),
        ),
        "url": ShortText(
            display_name="Open on click",
            description="A link opened when the notification is clicked",
            validators=(validators.url(),),
        ),
    },
    run=_run,
)
