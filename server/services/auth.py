"""Authentication: sign-up, sign-in, tokens, and the principal a request acts as."""

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.base import utcnow
from server.db.models import ProjectMemberRow, ProjectRow, SignInFailureRow, UserRow
from server.services.api_keys import is_api_key, user_of_key
from server.services.audit import AuditAction, record
from server.services.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    PermissionDeniedError,
    TooManyRequestsError,
)
from server.services.members import accept_invitations, has_invitation
from server.services.principal import Principal
from server.services.tokens import ACCESS, REFRESH, TokenPair, TokenSettings, decode, issue_tokens

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
#: Failed sign-ins allowed per email within the window before sign-in is refused for a while.
MAX_SIGN_IN_FAILURES = 10
SIGN_IN_FAILURE_WINDOW = timedelta(minutes=15)
LOCAL_USER_EMAIL = "local@piecework.invalid"


@functools.cache
def _dummy_hash() -> str:
    """The hash checked when the email is unknown, so both cases take the same time; made on
    first use rather than at import (hashing is ~50 ms of the server's start)."""
    return _HASHER.hash(secrets.token_hex(8))


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedIn:
    """The result of signing up or in: the user, a token and the project to open."""

    user: UserRow
    tokens: TokenPair
    project_id: str

    @property
    def token(self) -> str:
        """The access token."""
        return self.tokens.token


async def sign_up(
    *,
    session: AsyncSession,
    tokens: TokenSettings,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    open_sign_up: bool,
) -> SignedIn:
    """Creates a user. The first one owns the platform and a default project; invited ones join
    the projects they were invited to.

    Raises:
        InvalidRequestError: bad email or too short a password.
        PermissionDeniedError: sign-up is closed (not the first user, not invited, PW_ALLOW_SIGN_UP not set).
        ConflictError: the email is taken.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidRequestError("Enter a valid email address", params={"field": "email"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequestError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters",
            params={"field": "password"},
        )
    users = await session.scalar(
        select(func.count()).select_from(UserRow).where(UserRow.email != LOCAL_USER_EMAIL)
    )
    first = users == 0
    if not first and not open_sign_up and not await has_invitation(session, email):
        raise PermissionDeniedError(
            "Sign-up is closed on this server; ask an admin for an invitation",
            code="SIGN_UP_DISABLED",
        )
    if await session.scalar(select(UserRow.id).where(UserRow.email == email)):
        raise ConflictError(
            "An account with this email exists already; sign in instead", code="EXISTING_USER"
        )
    user = UserRow(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        password_hash=_HASHER.hash(password),
        platform_role="OWNER" if first else "MEMBER",
    )
    session.add(user)
    await session.flush()
    joined = await accept_invitations(session, user=user)
    project_id = joined[0] if joined else (await _default_project(session=session, user=user)).id
    record(
        session,
        AuditAction.USER_SIGNED_UP,
        user_id=user.id,
        project_id=project_id,
        data={"email": email},
    )
    await session.commit()
    return SignedIn(
        user=user, tokens=issue_tokens(tokens, user.id, version=0), project_id=project_id
    )


async def sign_in(
    *, session: AsyncSession, tokens: TokenSettings, email: str, password: str
) -> SignedIn:
    """Checks an email and password.

    Raises:
        AuthenticationError: unknown email or wrong password (the same message for both).
        TooManyRequestsError: too many failed attempts for this email lately.
    """
    email = email.strip().lower()
    await _check_failures(session, email)
    user = await session.scalar(select(UserRow).where(UserRow.email == email))
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
        valid = user is not None and bool(user.password_hash)
    except (VerificationError, InvalidHashError):
        valid = False
    if not valid or user is None:
        session.add(SignInFailureRow(email=email))
        await session.commit()
        raise AuthenticationError("Wrong email or password", code="INVALID_CREDENTIALS")
    _check_active(user)
    await session.execute(delete(SignInFailureRow).where(SignInFailureRow.email == email))
    project = await _default_project(session=session, user=user)
    record(
        session,
        AuditAction.USER_SIGNED_IN,
        user_id=user.id,
        project_id=project.id,
        data={"email": email},
    )
    await session.commit()
    return SignedIn(
        user=user,
        tokens=issue_tokens(tokens, user.id, version=user.token_version),
        project_id=project.id,
    )


async def refresh(*, session: AsyncSession, tokens: TokenSettings, refresh_token: str) -> SignedIn:
    """A new token pair for a valid refresh token (the desktop calls it before the token expires).

    Raises:
        AuthenticationError: the refresh token is expired, forged, revoked, or its user is gone
            or deactivated.
    """
    claims = decode(tokens, refresh_token, kind=REFRESH)
    user = await _token_user(session, claims.user_id, claims.version)
    project = await _default_project(session=session, user=user)
    await session.commit()
    return SignedIn(
        user=user,
        tokens=issue_tokens(tokens, user.id, version=user.token_version),
        project_id=project.id,
    )


async def sign_out_everywhere(*, session: AsyncSession, principal: Principal) -> None:
    """Revokes every token of the caller (all devices); API keys stay valid."""
    user = await session.get(UserRow, principal.user_id)
    if user is not None:
        user.token_version += 1
        await session.commit()


def _check_active(user: UserRow) -> None:
    if user.status != "ACTIVE":
        raise AuthenticationError(
            "This account is deactivated; ask a platform admin", code="USER_INACTIVE"
        )


async def _token_user(session: AsyncSession, user_id: str, version: int) -> UserRow:
    user = await session.get(UserRow, user_id)
    if user is None:
        raise AuthenticationError(
            "The account of this token no longer exists", code="INVALID_TOKEN"
        )
    _check_active(user)
    if version != user.token_version:
        raise AuthenticationError("This token was revoked; sign in again", code="TOKEN_REVOKED")
    return user


async def _check_failures(session: AsyncSession, email: str) -> None:
    since = utcnow() - SIGN_IN_FAILURE_WINDOW
    await session.execute(delete(SignInFailureRow).where(SignInFailureRow.created < since))
    failures = await session.scalar(
        select(func.count()).select_from(SignInFailureRow).where(SignInFailureRow.email == email)
    )
    if (failures or 0) >= MAX_SIGN_IN_FAILURES:
        minutes = int(SIGN_IN_FAILURE_WINDOW.total_seconds() // 60)
        raise TooManyRequestsError(
            f"Too many failed sign-ins for this email; wait {minutes} minutes or reset the password",
            code="TOO_MANY_SIGN_IN_ATTEMPTS",
        )


async def authenticate(*, session: AsyncSession, tokens: TokenSettings, token: str) -> Principal:
    """The principal a bearer token stands for: a user JWT, an API key, or the personal-mode local token.

    Raises:
        AuthenticationError: the token is invalid, expired, or its user is gone.
    """
    if tokens.local_token and secrets.compare_digest(token, tokens.local_token):
        user = await local_user(session)
        return Principal(user_id=user.id)
    if is_api_key(token):
        user_id = await user_of_key(session, token)
        if user_id is None:
            raise AuthenticationError(
                "This API key is not valid (it may have been deleted)", code="INVALID_API_KEY"
            )
        owner = await session.get(UserRow, user_id)
        if owner is None:
            raise AuthenticationError(
                "This API key's account no longer exists", code="INVALID_API_KEY"
            )
        _check_active(owner)
        return Principal(user_id=user_id)
    claims = decode(tokens, token, kind=ACCESS)
    user = await _token_user(session, claims.user_id, claims.version)
    return Principal(user_id=user.id)


async def local_user(session: AsyncSession) -> UserRow:
    """The user the personal-mode desktop acts as: the platform owner, created passwordless if none exists."""
    owner = await session.scalar(
        select(UserRow).where(UserRow.platform_role == "OWNER").order_by(UserRow.created)
    )
    if owner is not None:
        return owner
    owner = UserRow(
        email=LOCAL_USER_EMAIL, first_name="Local", last_name="User", platform_role="OWNER"
    )
    session.add(owner)
    await session.flush()
    await _default_project(session=session, user=owner)
    await session.commit()
    return owner


async def _default_project(*, session: AsyncSession, user: UserRow) -> ProjectRow:
    member = await session.scalar(
        select(ProjectMemberRow)
        .where(ProjectMemberRow.user_id == user.id)
        .order_by(ProjectMemberRow.created)
    )
    if member is not None:
        project = await session.get(ProjectRow, member.project_id)
        if project is not None:
            return project
    name = f"{user.first_name}'s project" if user.first_name else "My project"
    project = ProjectRow(display_name=name, owner_id=user.id)
    session.add(project)
    await session.flush()
    session.add(ProjectMemberRow(project_id=project.id, user_id=user.id, role="ADMIN"))
    await session.flush()
    return project
