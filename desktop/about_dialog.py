"""About Piecework: the versions of the app and what it is built on, and the server it uses."""

import platform
import sys
from html import escape
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget


def versions() -> dict[str, str]:
    """Piecework, Python, Qt and PySide6 versions, and the operating system."""
    try:
        piecework = metadata.version("piecework")
    except metadata.PackageNotFoundError:
        piecework = "unknown (not installed)"
    return {
        "Piecework": piecework,
        "Python": sys.version.split()[0],
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "System": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }


def about_box(parent: QWidget, *, server: str) -> QMessageBox:
    """A non-blocking about box (shown with `open()`)."""
    rows = "".join(
        f"<tr><td>{name}</td><td>{escape(value)}</td></tr>" for name, value in versions().items()
    )
    text = (
        "<h3>Piecework</h3><p>Build flows on your desktop, run them on your computer or a team "
        f"server.</p><table>{rows}<tr><td>Server</td><td>{escape(server)}</td></tr></table>"
    )
    box = QMessageBox(QMessageBox.Icon.Information, "About Piecework", text, parent=parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box
