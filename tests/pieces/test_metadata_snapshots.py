"""Every built-in piece's metadata matches its snapshot in tests/pieces/<name>/snapshots/.

A change to a piece's metadata is a change to what the desktop renders and what flows pin, so it
shows in review as a snapshot diff. To accept a change, regenerate the snapshots:

    PW_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/pieces/test_metadata_snapshots.py
"""

import os
from pathlib import Path

import pytest

from engine.model.pieces import PieceMetadata
from pieces.framework import Piece, PieceRegistry
from pieces.framework.metadata import metadata_json

HERE = Path(__file__).parent
BUILTIN = [
    PieceRegistry.discover().get(name, version)
    for name, version in sorted(PieceRegistry.discover().versions().items())
]


def _snapshot(piece: Piece) -> Path:
    return HERE / piece.name / "snapshots" / f"metadata-{piece.version}.json"


@pytest.mark.parametrize("piece", BUILTIN, ids=[p.name for p in BUILTIN])
def test_metadata_matches_snapshot(piece: Piece) -> None:
    actual = metadata_json(piece)
    path = _snapshot(piece)
    if os.environ.get("PW_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot for {piece.name}; run with PW_UPDATE_SNAPSHOTS=1"
    assert path.read_text(encoding="utf-8") == actual, (
        f"{piece.name} metadata changed; review and run with PW_UPDATE_SNAPSHOTS=1"
    )


@pytest.mark.parametrize("piece", BUILTIN, ids=[p.name for p in BUILTIN])
def test_metadata_snapshot_parses_as_the_contract_model(piece: Piece) -> None:
    parsed = PieceMetadata.model_validate_json(_snapshot(piece).read_text(encoding="utf-8"))
    assert parsed.name == piece.name
    assert set(parsed.actions) == {a.name for a in piece.actions}
    assert set(parsed.triggers) == {t.name for t in piece.triggers}
