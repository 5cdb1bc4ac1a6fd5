"""The principal: who a request acts as."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """The user a request acts as (signed in, through an API key, or the local token)."""

    user_id: str
