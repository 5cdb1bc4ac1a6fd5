"""Dynamic dropdown options and dynamic properties: a piece's loader run with the chosen connection."""

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.pieces import PropSchema
from pieces.framework import (
    AuthError,
    Dropdown,
    DynamicProperties,
    MultiSelectDropdown,
    OptionsRequest,
    PieceError,
    PieceNotFoundError,
    PieceRegistry,
    Prop,
)
from pieces.framework.connection import AUTH_INPUT, resolve_auth
from server.db.models import AppConnectionRow
from server.secrets_box import SecretBox
from server.services.errors import InvalidRequestError, NotFoundError, ServiceError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.resources import PieceOptions

log = logging.getLogger(__name__)

#: Seconds a piece's loader may take.
LOADER_TIMEOUT_S = 30.0
_CONNECTION_REF = re.compile(r"^\{\{\s*connections\[\s*['\"]([^'\"]+)['\"]\s*\]\s*\}\}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionsQuery:
    """Which prop's options to load, with the form's current values.

    With `dynamic_property_name`, `property_name` is a field of that DYNAMIC prop: its fields are
    built from `input` first, then the field's loader runs with the same `input` (where the
    dynamic prop's current values are under its own key).
    """

    project_id: str
    piece_name: str
    piece_version: str | None
    step_name: str
    property_name: str
    input: dict[str, Any]
    search: str = ""
    dynamic_property_name: str | None = None


async def load_piece_options(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    registry: PieceRegistry,
    query: OptionsQuery,
) -> PieceOptions:
    """Runs the prop's options loader (a dropdown) or props builder (dynamic properties).

    The connection is `input.auth`: `{{connections['externalId']}}` or the external id. A
    dropdown inside a DYNAMIC prop (`query.dynamic_property_name`) is found among the fields the
    DYNAMIC prop builds for `input`.

    Raises:
        NotFoundError: no such project, piece, action/trigger, prop, or connection.
        PermissionDeniedError: the caller's role cannot view flows.
        InvalidRequestError: the prop loads no options, the connection does not fit, or the
            loader failed (its message is given).
    """
    await require_permission(session, principal, query.project_id, Permission.READ_FLOW)
    try:
        piece = (
            registry.get(query.piece_name, query.piece_version)
            if query.piece_version
            else registry.latest(query.piece_name)
        )
        step = _step(piece, query.step_name)
    except PieceNotFoundError as err:
        raise NotFoundError(err.message, code="PIECE_NOT_FOUND") from err
    prop = _top_prop(step.props, query)
    stored = await _connection(session, box, query.project_id, query.input.get(AUTH_INPUT))
    props = {k: v for k, v in query.input.items() if k != AUTH_INPUT}
    async with _loader_errors(query):
        auth = await resolve_auth(piece, require_auth=False, value=stored)
        request = OptionsRequest(auth=auth, props=props, search=query.search)
        if query.dynamic_property_name and isinstance(prop, DynamicProperties):
            prop = _field(dict(await prop.props(request)), query)
        if isinstance(prop, DynamicProperties):
            return PieceOptions(type="DYNAMIC", props=_schemas(await prop.props(request)))
        state = await prop.options(request)
    return PieceOptions(
        type=prop.kind,
        options=[{"label": o.label, "value": o.value} for o in state.options],
        disabled=state.disabled,
        placeholder=state.placeholder,
    )


def _top_prop(
    props: Mapping[str, Prop], query: OptionsQuery
) -> Dropdown | MultiSelectDropdown | DynamicProperties:
    """The step's prop to load (with `dynamic_property_name`: the DYNAMIC prop to build first)."""
    name = query.dynamic_property_name or query.property_name
    prop = props.get(name)
    if query.dynamic_property_name and not isinstance(prop, DynamicProperties):
        raise NotFoundError(
            f"{query.step_name!r} has no dynamic property {name!r}", code="PROPERTY_NOT_FOUND"
        )
    if not isinstance(prop, Dropdown | MultiSelectDropdown | DynamicProperties):
        raise NotFoundError(
            f"{query.step_name!r} has no dropdown or dynamic property {name!r}",
            code="PROPERTY_NOT_FOUND",
        )
    return prop


def _field(fields: dict[str, Prop], query: OptionsQuery) -> Dropdown | MultiSelectDropdown:
    """The dropdown among a DYNAMIC prop's fields (a DYNAMIC field of one is not loaded)."""
    prop = fields.get(query.property_name)
    if not isinstance(prop, Dropdown | MultiSelectDropdown):
        raise NotFoundError(
            f"The fields of {query.dynamic_property_name!r} have no dropdown "
            f"{query.property_name!r} for these values",
            code="PROPERTY_NOT_FOUND",
        )
    return prop


@contextlib.asynccontextmanager
async def _loader_errors(query: OptionsQuery) -> AsyncIterator[None]:
    """Runs a piece's loader with the time limit; its failures become InvalidRequestError."""
    try:
        async with asyncio.timeout(LOADER_TIMEOUT_S):
            yield
    except ServiceError:
        raise  # the request's own mistake (e.g. no such field), said as it is
    except (AuthError, PieceError) as err:
        raise InvalidRequestError(err.message, code="PIECE_OPTIONS_FAILED") from err
    except TimeoutError as err:
        raise InvalidRequestError(
            f"Loading the options took longer than {LOADER_TIMEOUT_S:g} s",
            code="PIECE_OPTIONS_FAILED",
        ) from err
    except Exception as err:  # a piece's own bug: report it as its failure, not the server's
        log.exception("options loader of %s.%s failed", query.piece_name, query.property_name)
        raise InvalidRequestError(
            f"The piece failed to load the options: {type(err).__name__}: {err}",
            code="PIECE_OPTIONS_FAILED",
        ) from err


def _step(piece: Any, name: str) -> Any:
    for step in (*piece.actions, *piece.triggers):
        if step.name == name:
            return step
    raise PieceNotFoundError(f"piece {piece.name!r} has no action or trigger {name!r}")


async def _connection(
    session: AsyncSession, box: SecretBox, project_id: str, reference: Any
) -> dict[str, Any] | None:
    if reference is None or reference == "":
        return None
    if not isinstance(reference, str):
        raise InvalidRequestError(
            "input.auth must be {{connections['externalId']}} or the external id",
            code="INVALID_CONNECTION_REFERENCE",
        )
    match = _CONNECTION_REF.match(reference.strip())
    external_id = match.group(1) if match else reference.strip()
    row = await session.scalar(
        select(AppConnectionRow).where(
            AppConnectionRow.project_id == project_id, AppConnectionRow.external_id == external_id
        )
    )
    if row is None:
        raise NotFoundError(
            f"The project has no connection {external_id!r}", code="CONNECTION_NOT_FOUND"
        )
    value: dict[str, Any] = box.decrypt(row.encrypted_value)
    return value


def _schemas(built: dict[str, Prop] | Any) -> dict[str, PropSchema]:
    return {key: prop.metadata() for key, prop in dict(built).items()}
