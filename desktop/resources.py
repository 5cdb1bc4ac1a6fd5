"""Files that ship with the app: the icon and the sample flows."""

import sys
from pathlib import Path


def resources_dir() -> Path:
    """`resources/` of the frozen bundle, or of the source checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def sample_flows() -> list[Path]:
    """The sample flow files offered on first launch (none when they were not installed)."""
    folder = resources_dir() / "samples"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def icon_path() -> Path:
    """The app icon (PNG)."""
    return resources_dir() / "icons" / "piecework.png"
