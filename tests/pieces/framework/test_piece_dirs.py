"""Pieces installed into a directory: several versions of one package load side by side."""

import sys
from pathlib import Path

from pieces.framework import PieceRegistry
from pieces.framework.piece_dirs import load_piece_dir
from pieces.framework.testing import run_action

_MODULE = """
from pieces.framework import Action, ActionContext, Piece

async def _run(ctx: ActionContext) -> str:
    return "hello from {version}"

piece = Piece(
    name="acme",
    display_name="Acme",
    version="{version}",
    actions=(Action(name="hello", display_name="Hello", run=_run),),
)
"""


def _install(root: Path, version: str, *, body: str = _MODULE) -> None:
    """Writes what `pip install --target root/acme-VERSION acme_piece.whl` leaves."""
    target = root / f"acme-{version}"
    (target / "acme_piece").mkdir(parents=True)
    (target / "acme_piece" / "__init__.py").write_text(body.format(version=version))
    info = target / f"acme_piece-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: acme-piece\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[piecework.pieces]\nacme = acme_piece:piece\n")


async def test_two_versions_load_side_by_side_and_each_runs_its_own_code(tmp_path: Path) -> None:
    _install(tmp_path, "1.0.0")
    _install(tmp_path, "1.1.0")
    registry = PieceRegistry.discover(piece_dirs=[tmp_path])
    assert registry.versions()["acme"] == "1.1.0"
    assert registry.latest("acme").version == "1.1.0"
    for version in ("1.0.0", "1.1.0"):
        action = registry.get("acme", version).action("hello")
        assert (await run_action(action)).output == f"hello from {version}"
    assert "acme_piece" not in sys.modules
    assert all(str(tmp_path) not in entry for entry in sys.path)


def test_a_broken_version_is_skipped_and_a_missing_dir_is_empty(tmp_path: Path) -> None:
    _install(tmp_path, "1.0.0")
    _install(tmp_path, "2.0.0", body="raise RuntimeError('broken upload {version}')")
    pieces = load_piece_dir(tmp_path)
    assert [p.version for p in pieces] == ["1.0.0"]
    assert load_piece_dir(tmp_path / "nope") == []
