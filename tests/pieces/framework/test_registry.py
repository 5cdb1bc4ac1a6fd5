"""The registry finds built-in pieces and pins exact versions."""

import pytest

from pieces.framework import PieceNotFoundError, PieceRegistry


def test_builtin_pieces_are_discovered() -> None:
    registry = PieceRegistry.discover()
    assert "webhook" in registry.names()
    assert registry.get("webhook", "0.1.0").display_name == "Webhook"


def test_unknown_piece_and_version_are_clear() -> None:
    registry = PieceRegistry.discover()
    with pytest.raises(PieceNotFoundError, match="piece 'nope' is not installed"):
        registry.get("nope", "1.0.0")
    with pytest.raises(PieceNotFoundError, match=r"installed: 0\.1\.0"):
        registry.get("webhook", "0.2.0")


def test_unknown_action_lists_the_known_ones() -> None:
    piece = PieceRegistry.discover().get("webhook", "0.1.0")
    with pytest.raises(PieceNotFoundError, match=r"no action 'send' \(actions: return_response\)"):
        piece.action("send")


def test_newest_version_is_chosen_by_semver_not_text() -> None:
    from pieces.framework import Piece

    registry = PieceRegistry(
        [Piece(name="p", display_name="P", version=v) for v in ("1.10.0-beta", "1.9.0", "1.10.0")]
    )
    assert registry.versions() == {"p": "1.10.0"}
    assert registry.latest("p").version == "1.10.0"
    with pytest.raises(PieceNotFoundError, match=r"piece 'q' is not installed \(installed: p\)"):
        registry.latest("q")
