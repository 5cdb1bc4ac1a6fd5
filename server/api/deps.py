"""Dependencies of the API routes: the server context, a database session, the caller."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from server.context import ServerContext
from server.services.auth import authenticate
from server.services.errors import AuthenticationError
from server.services.principal import Principal

_bearer = HTTPBearer(
    auto_error=False, description="A sign-in token, an API key, or the local token"
)


async def get_context(request: Request) -> ServerContext:
    """The process-wide server context the lifespan created."""
    context: ServerContext = request.app.state.context
    return context


ContextDep = Annotated[ServerContext, Depends(get_context)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """One database session per request."""
    async with context.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_principal(
    context: ContextDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from `Authorization: Bearer <token>`.

    Raises:
        AuthenticationError: no token, or an invalid one.
    """
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(
            "Sign in first, then send the token as 'Authorization: Bearer <token>'",
            code="AUTHENTICATION_REQUIRED",
        )
    return await authenticate(session=session, tokens=context.tokens, token=credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
