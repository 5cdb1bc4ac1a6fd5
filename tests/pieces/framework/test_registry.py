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
