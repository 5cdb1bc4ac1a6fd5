"""Opening web pages in the system browser (the OAuth2 sign-in page)."""

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def open_in_browser(url: str) -> bool:
    """Opens the URL in the person's default browser; False when none could be started."""
    return bool(QDesktopServices.openUrl(QUrl(url)))
