"""Installed piece wheels shared by every process: stored in the database, unpacked by each
server and worker into its own pieces directory at start, and at once when announced."""

import asyncio
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.pieces import PieceSummary
from pieces.framework import PieceRegistry
from server.db.models import PieceInstallationRow
from server.services.errors import ConflictError, ServiceError
from server.services.live_events import notify
from server.services.piece_install import Wheel, read_wheel, unpack
from server.services.pieces import summary
from server.services.platform import require_platform_admin
from server.services.principal import Principal

log = logging.getLogger(__name__)

#: The live-event kind that announces a new installation to every process.
PIECE_INSTALLED = "piece"


async def install_piece(
    *,
    session: AsyncSession,
    principal: Principal,
    data: bytes,
    pieces_dir: Path,
    registry: PieceRegistry,
) -> list[PieceSummary]:
    """Installs a wheel for the whole platform (platform owners and admins).

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
        InvalidRequestError: not a usable piece wheel (see `piece_install`).
        ConflictError: this name and version are installed already.
    """
    await require_platform_admin(session, principal, action="install pieces")
    wheel = read_wheel(data)
    exists = await session.scalar(
        select(PieceInstallationRow.id).where(
            PieceInstallationRow.name == wheel.name, PieceInstallationRow.version == wheel.version
        )
    )
    if exists:
        raise _exists(wheel)
    # A directory without a database row is left over from an earlier failure: start afresh.
    await asyncio.to_thread(_remove, pieces_dir / wheel.dir_name)
    pieces = await asyncio.to_thread(unpack, wheel, pieces_dir)
    session.add(PieceInstallationRow(name=wheel.name, version=wheel.version, wheel=data))
    await notify(session, {"kind": PIECE_INSTALLED, "name": wheel.name, "version": wheel.version})
    try:
        await session.commit()
    except IntegrityError as err:
        raise _exists(wheel) from err
    for piece in pieces:
        registry.add(piece)
    return [summary(piece) for piece in pieces]


async def unpack_missing(sessions: Callable[[], AsyncSession], pieces_dir: Path) -> None:
    """Unpacks every installed wheel this process does not have yet (at start, before discovery)."""
    async with sessions() as session:
        rows = (
            await session.execute(select(PieceInstallationRow.name, PieceInstallationRow.version))
        ).all()
    for name, version in rows:
        await _unpack_stored(sessions, pieces_dir, name=name, version=version)


def announced_listener(
    *, sessions: Callable[[], AsyncSession], pieces_dir: Path, registry: PieceRegistry
) -> Callable[[dict[str, Any]], Any]:
    """The event-hub listener that loads a piece another process just installed."""

    async def on_installed(message: dict[str, Any]) -> None:
        name, version = str(message.get("name")), str(message.get("version"))
        pieces = await _unpack_stored(sessions, pieces_dir, name=name, version=version)
        for piece in pieces:
            registry.add(piece)
        if pieces:
            log.info("loaded piece %s %s installed by another process", name, version)

    return on_installed


async def _unpack_stored(
    sessions: Callable[[], AsyncSession], pieces_dir: Path, *, name: str, version: str
) -> list[Any]:
    """Unpacks a stored wheel unless its directory exists (then nothing is loaded: it is already)."""
    async with sessions() as session:
        data = await session.scalar(
            select(PieceInstallationRow.wheel).where(
                PieceInstallationRow.name == name, PieceInstallationRow.version == version
            )
        )
    if data is None:
        return []
    try:
        wheel = read_wheel(data)
        if (pieces_dir / wheel.dir_name).exists():
            return []
        return await asyncio.to_thread(unpack, wheel, pieces_dir)
    except ServiceError as err:
        log.error("installed piece %s %s cannot be unpacked here: %s", name, version, err.message)
        return []


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _exists(wheel: Wheel) -> ConflictError:
    return ConflictError(
        f"{wheel.name} {wheel.version} is installed already; bump the version to install a new build",
        code="PIECE_VERSION_EXISTS",
    )
