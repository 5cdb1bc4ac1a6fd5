"""Loading a piece's recorded vendor responses (tests/pieces/<piece>/fixtures/*.json)."""

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def load(piece: str, name: str) -> Any:
    """The decoded JSON fixture `name` (without .json) of `piece`."""
    return json.loads((HERE / piece / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))
