"""The installed pieces with their metadata, loaded once per connection for selectors and forms."""

import asyncio

from desktop.client.api_client import ApiClient
from engine.model.pieces import PieceMetadata, PieceSummary

#: Pieces listed first in the piece selector (Activepieces lists its core pieces first too).
CORE_CATEGORY = "CORE"


class PieceCatalog:
    """What the server has installed; empty until `load()` finished."""

    def __init__(self) -> None:
        self.summaries: list[PieceSummary] = []
        self.metadata: dict[str, PieceMetadata] = {}

    async def load(self, client: ApiClient) -> None:
        """Reads the list and every piece's metadata (a few dozen small requests, concurrently)."""
        summaries = await client.pieces()
        found = await asyncio.gather(*(client.piece(s.name, s.version) for s in summaries))
        self.summaries = summaries
        self.metadata = {piece.name: piece for piece in found}

    def display_names(self) -> dict[str, str]:
        """Piece key → display name."""
        return {name: piece.display_name for name, piece in self.metadata.items()}

    def for_validation(self) -> dict[str, set[str]]:
        """Piece key → its action and trigger keys (what engine.model.validate takes)."""
        return {name: {*piece.actions, *piece.triggers} for name, piece in self.metadata.items()}

    def categories(self) -> list[str]:
        """Every category used, sorted."""
        return sorted({c for s in self.summaries for c in s.categories})
