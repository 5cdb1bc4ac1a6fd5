"""Light or dark: following the OS by default, or as chosen in Settings."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop.preferences import Theme

_SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,  # Unknown = follow the OS again
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}


def apply_theme(app: QGuiApplication, theme: Theme) -> None:
    """Asks Qt for the colour scheme (the style's palette follows it, and OS changes with SYSTEM)."""
    app.styleHints().setColorScheme(_SCHEMES[theme])
