"""Installing a piece from a wheel a platform admin uploads: checked, unpacked into the data
dir's pieces directory (one directory per name and version), loaded into the registry."""

import io
import re
import shutil
import zipfile
from email.parser import Parser
from pathlib import Path, PurePosixPath

from engine.model.pieces import PieceSummary
from pieces.framework import PieceRegistry
from pieces.framework.piece_dirs import ENTRY_POINT_GROUP, load_version_dir
from server.services.errors import ConflictError, InvalidRequestError
from server.services.pieces import summary

_SAFE = re.compile(r"[^A-Za-z0-9_.]+")


def install_wheel(*, data: bytes, pieces_dir: Path, registry: PieceRegistry) -> list[PieceSummary]:
    """Unpacks a pure-Python wheel into `pieces_dir/<name>-<version>` and loads its pieces.

    The wheel's dependencies are not installed: a piece may only use libraries the server
    already has, or vendor its own inside the wheel.

    Returns:
        The pieces the wheel registers (entry point group `piecework.pieces`).

    Raises:
        InvalidRequestError: not a wheel, not pure Python, unsafe paths, no piece inside, or the
            piece fails to import.
        ConflictError: this distribution version is installed already.
    """
    archive = _open(data)
    name, version = _name_version(archive)
    target = pieces_dir / f"{_SAFE.sub('_', name)}-{_SAFE.sub('_', version)}"
    if target.exists():
        raise ConflictError(
            f"{name} {version} is installed already; bump the version to install a new build",
            code="PIECE_VERSION_EXISTS",
        )
    staging = pieces_dir / f".staging-{target.name}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        archive.extractall(staging)
        loaded = load_version_dir(staging)
        if not loaded:
            raise InvalidRequestError(
                f"{name} {version} has no piece that loads: it needs a `{ENTRY_POINT_GROUP}` "
                "entry point naming a Piece, importable with the server's libraries (see the server log)",
                code="PIECE_NOT_LOADED",
            )
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # Loaded again from the final place, so the pieces' module paths point there.
    pieces = load_version_dir(target)
    for piece in pieces:
        registry.add(piece)
    return [summary(piece) for piece in pieces]


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise InvalidRequestError(
            "The upload is not a wheel (.whl zip archive)", code="INVALID_WHEEL"
        ) from err
    for member in archive.namelist():
        path = PurePosixPath(member)
        if path.is_absolute() or ".." in path.parts or "\\" in member:
            raise InvalidRequestError(
                f"The wheel has an unsafe path: {member!r}", code="INVALID_WHEEL"
            )
    return archive


def _name_version(archive: zipfile.ZipFile) -> tuple[str, str]:
    infos = [m for m in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", m)]
    if len(infos) != 1:
        raise InvalidRequestError(
            "The wheel must hold exactly one .dist-info/METADATA", code="INVALID_WHEEL"
        )
    dist_info = infos[0].split("/", 1)[0]
    metadata = Parser().parsestr(archive.read(infos[0]).decode("utf-8", errors="replace"))
    name, version = metadata.get("Name"), metadata.get("Version")
    if not name or not version:
        raise InvalidRequestError(
            "The wheel's METADATA lacks Name or Version", code="INVALID_WHEEL"
        )
    try:
        wheel = Parser().parsestr(archive.read(f"{dist_info}/WHEEL").decode())
    except KeyError:
        raise InvalidRequestError("The wheel has no WHEEL file", code="INVALID_WHEEL") from None
    if str(wheel.get("Root-Is-Purelib", "")).strip().lower() != "true":
        raise InvalidRequestError(
            "Only pure-Python wheels can be installed as pieces", code="INVALID_WHEEL"
        )
    return str(name), str(version)
