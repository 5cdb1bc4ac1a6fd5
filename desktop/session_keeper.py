"""Keeping a team-server sign-in alive: the token is renewed on a 401, and a sign-in that cannot be
renewed is resumed on the same client once the person signs in again."""

from collections.abc import Callable

from desktop.client import Account, AccountStore, ApiClient, SignedIn, TokenRenewer


class SessionKeeper:
    """Renews the token of the team server's client and notices when that no longer works.

    When the refresh token is refused too, `on_expired(account, message)` is told once. Signing
    in again to that account then re-points the same client at the new token
    (`resume_in_place`), so open builders carry on: their save queues, which wait while signed
    out, hear of the new token from the client (`ApiClient.on_token_changed`) and send the
    edits that waited, in order.
    """

    def __init__(
        self, *, accounts: AccountStore, on_expired: Callable[[Account, str], None]
    ) -> None:
        self._accounts = accounts
        self._on_expired = on_expired
        #: The account whose sign-in expired, until the person signs in to it again.
        self.expired: Account | None = None

    def attach(self, client: ApiClient, account: Account, refresh_token: str) -> None:
        """Makes the client renew its token with this account's refresh token."""

        async def remember(token: str) -> None:
            await self._accounts.remember(account, token)

        client.renew_token = TokenRenewer(account.server_url, refresh_token, remember=remember)
        client.on_session_expired = lambda message: self._expired(account, message)

    def is_expired(self, server_url: str, email: str) -> bool:
        """True when this is the account waiting to be signed in to again."""
        return self.expired == Account(server_url=server_url, email=email)

    def resume_in_place(self, client: ApiClient | None, account: Account, signed: SignedIn) -> bool:
        """Carries on with the current client when `signed` renews the expired account.

        Returns False (nothing done) for any other sign-in.
        """
        if client is None or self.expired != account:
            return False
        client.retarget(client.base_url, signed.client.token)
        self.attach(client, account, signed.refresh_token)
        self.expired = None
        return True

    def forget(self) -> None:
        """The client was closed: nothing to resume."""
        self.expired = None

    def _expired(self, account: Account, message: str) -> None:
        if self.expired == account:
            return  # every request that got 401 says so; tell the person once
        self.expired = account
        self._on_expired(account, message)
