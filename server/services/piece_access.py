"""Which pieces a project may use: not hidden in the project, and personal_only ones only where allowed.

Enforced when a flow is published and again when a run starts (a piece hidden after publishing
stops the flow's next runs), not only in the piece list.
"""

from collections.abc import Callable, Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, PieceStep, PieceTrigger, iter_steps
from pieces.framework import PieceError, PieceRegistry
from server.db.models import HiddenPieceRow
from server.services.errors import InvalidRequestError

#: Whether a personal_only piece may be used on this server (Settings.personal_piece_allowed).
PersonalPolicy = Callable[[str], bool]


class PieceNotAllowedError(InvalidRequestError):
    """The flow uses a piece its project may not use."""

    code = "PIECE_NOT_ALLOWED"


def used_pieces(flow: Flow) -> list[tuple[str, str]]:
    """(name, version) of every piece the flow uses, its trigger first, each once."""
    found: list[tuple[str, str]] = []
    if isinstance(flow.trigger, PieceTrigger):
        found.append((flow.trigger.settings.piece_name, flow.trigger.settings.piece_version))
    for step in iter_steps(flow.steps):
        if isinstance(step, PieceStep):
            found.append((step.settings.piece_name, step.settings.piece_version))
    return list(dict.fromkeys(found))


async def hidden_in_project(session: AsyncSession, project_id: str) -> set[str]:
    """Names of the pieces the project's admins hid."""
    rows = await session.scalars(
        select(HiddenPieceRow.piece_name).where(HiddenPieceRow.project_id == project_id)
    )
    return set(rows)


def personal_only_names(registry: PieceRegistry) -> set[str]:
    """Names of installed pieces marked personal_only (at any version)."""
    names: set[str] = set()
    for name in registry.names():
        for version in registry.versions_of(name):
            if registry.get(name, version).personal_only:
                names.add(name)
    return names


async def check_flow_pieces(
    session: AsyncSession,
    *,
    project_id: str,
    flow: Flow,
    registry: PieceRegistry,
    personal_allowed: PersonalPolicy,
) -> None:
    """Refuses a flow that uses a hidden piece or a personal_only piece this server does not offer.

    Raises:
        PieceNotAllowedError: naming the piece and what to do.
    """
    check_pieces(
        flow=flow,
        hidden=await hidden_in_project(session, project_id),
        registry=registry,
        personal_allowed=personal_allowed,
    )


def check_pieces(
    *,
    flow: Flow,
    hidden: Collection[str],
    registry: PieceRegistry,
    personal_allowed: PersonalPolicy,
) -> None:
    """`check_flow_pieces` with the project's hidden pieces already read (the worker reads them
    with the run's start).

    Raises:
        PieceNotAllowedError: naming the piece and what to do.
    """
    for name, version in used_pieces(flow):
        if name in hidden:
            raise PieceNotAllowedError(
                f"The piece {name!r} is hidden in this project; a project admin can show it "
                "again (POST /projects/{id}/hidden-pieces with hidden false), or replace the "
                "steps that use it"
            )
        if _personal_only(registry, name, version) and not personal_allowed(name):
            raise PieceNotAllowedError(
                f"The piece {name!r} works on the machine the server runs on, so this team "
                "server does not offer it; its administrator can enable it with "
                f"PW_ENABLED_PERSONAL_PIECES={name}"
            )


def _personal_only(registry: PieceRegistry, name: str, version: str) -> bool:
    try:
        return registry.get(name, version).personal_only
    except PieceError:
        return False  # not installed: validation says so in its own words
