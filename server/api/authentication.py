"""Sign-up and sign-in."""

from fastapi import APIRouter

from server.api.deps import ContextDep, SessionDep
from server.api.schemas import AuthenticationResponse, RefreshRequest, SignInRequest, SignUpRequest
from server.services import auth

router = APIRouter(prefix="/authentication", tags=["authentication"])


def _response(signed_in: auth.SignedIn) -> AuthenticationResponse:
    user = signed_in.user
    return AuthenticationResponse(
        id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        platform_role=user.platform_role,
        token=signed_in.tokens.token,
        expires_at=signed_in.tokens.expires_at,
        refresh_token=signed_in.tokens.refresh_token,
        project_id=signed_in.project_id,
    )


@router.post("/sign-up")
async def sign_up(
    body: SignUpRequest, context: ContextDep, session: SessionDep
) -> AuthenticationResponse:
    """Creates an account; the first one owns the platform and gets a default project."""
    signed_in = await auth.sign_up(
        session=session,
        tokens=context.tokens,
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        open_sign_up=context.settings.allow_sign_up,
    )
    return _response(signed_in)


@router.post("/sign-in")
async def sign_in(
    body: SignInRequest, context: ContextDep, session: SessionDep
) -> AuthenticationResponse:
    """Returns a token for a correct email and password; 401 otherwise."""
    signed_in = await auth.sign_in(
        session=session, tokens=context.tokens, email=body.email, password=body.password
    )
    return _response(signed_in)


@router.post("/refresh")
async def refresh(
    body: RefreshRequest, context: ContextDep, session: SessionDep
) -> AuthenticationResponse:
    """A new token and refresh token for a valid refresh token (no password needed)."""
    signed_in = await auth.refresh(
        session=session, tokens=context.tokens, refresh_token=body.refresh_token
    )
    return _response(signed_in)
