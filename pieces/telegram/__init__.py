"""The Telegram piece: send messages as a bot, and start flows on messages to it."""

import dataclasses
from typing import Any

from pieces.framework import ActionContext, Piece, PieceError
from pieces.framework.custom_api_call import custom_api_call
from pieces.telegram.actions.send_message import send_message
from pieces.telegram.client import bot_url, telegram_auth
from pieces.telegram.triggers.new_message import new_message


def _base_url(auth: Any) -> str:
    return bot_url(auth)


_custom = custom_api_call(base_url=_base_url)


async def _custom_run(ctx: ActionContext) -> Any:
    # The token is in the URL; it must not reach the run log through an error message.
    try:
        return await _custom.run(ctx)
    except PieceError as err:
        raise PieceError(err.message.replace(ctx.auth["bot_token"], "<token>")) from None


piece = Piece(
    name="telegram",
    display_name="Telegram",
    version="0.1.0",
    description="Send Telegram messages as a bot, and start flows on messages the bot receives.",
    logo="telegram.svg",
    categories=("COMMUNICATION",),
    auth=telegram_auth,
    actions=(send_message, dataclasses.replace(_custom, run=_custom_run)),
    triggers=(new_message,),
)

__all__ = ["piece"]
