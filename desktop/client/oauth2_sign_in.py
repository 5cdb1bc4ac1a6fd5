"""An OAuth2 connection made through the system browser and a loopback redirect.

The server builds the authorization URL (state and PKCE) and trades the code for a token; the
desktop only opens the URL, receives the redirect on 127.0.0.1 and hands `code` and `state` back.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.client.api_client import ApiClient
from desktop.client.loopback_redirect import LoopbackRedirect
from engine.model.resources import AppConnectionRead

#: Seconds to wait for the browser to come back.
DEFAULT_TIMEOUT_S = 300.0


class OAuth2SignInError(Exception):
    """The sign-in did not finish; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuth2Request:
    """What the connection form asks for: the connection and the OAuth2 app's client."""

    piece_name: str
    external_id: str
    display_name: str
    client_id: str
    client_secret: str = ""
    props: dict[str, Any] = field(default_factory=dict)


async def connect_oauth2(
    client: ApiClient,
    request: OAuth2Request,
    *,
    project_id: str,
    open_url: Callable[[str], bool],
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> AppConnectionRead:
    """Runs the sign-in and returns the connection the server saved.

    Args:
        open_url: Opens a URL in the system browser; False when it could not.

    Raises:
        OAuth2SignInError: the browser could not be opened, the person declined, the redirect's
            state is not this sign-in's, or no answer came within `timeout_s`.
        ApiError: the server refused to start or finish the sign-in (its message).
    """
    async with LoopbackRedirect() as loopback:
        authorization_url, state = await client.start_oauth2(
            project_id,
            piece_name=request.piece_name,
            external_id=request.external_id,
            display_name=request.display_name,
            client_id=request.client_id,
            client_secret=request.client_secret,
            redirect_url=loopback.url,
            props=request.props,
        )
        if not open_url(authorization_url):
            raise OAuth2SignInError(
                f"Could not open the system browser; open this address yourself: {authorization_url}"
            )
        try:
            async with asyncio.timeout(timeout_s):
                query = await loopback.received()
        except TimeoutError as err:
            minutes = max(1, round(timeout_s / 60))
            raise OAuth2SignInError(
                f"The browser did not come back within {minutes} min; connect again"
            ) from err
    if "error" in query:
        why = query.get("error_description") or query["error"]
        raise OAuth2SignInError(f"The sign-in was declined in the browser ({why})")
    if query.get("state") != state:
        raise OAuth2SignInError(
            "The browser came back from a different sign-in (state mismatch); connect again"
        )
    if not query.get("code"):
        raise OAuth2SignInError("The browser came back without an authorization code")
    return await client.claim_oauth2(state=state, code=query["code"])
