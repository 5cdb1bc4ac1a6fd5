"""Colours and fonts of the canvas, in one place."""

from PySide6.QtGui import QColor

ACCENT = QColor("#6e41e2")
NODE_FILL = QColor("#ffffff")
NODE_BORDER = QColor("#d0d4dc")
TEXT = QColor("#1f2430")
MUTED = QColor("#6b7280")
EDGE = QColor("#9aa3b2")
INVALID = QColor("#d92d20")
SUCCEEDED = QColor("#12b76a")
PAUSED = QColor("#f79009")
FRAME = QColor("#b8bfcc")
FALLBACK = QColor("#eef0f4")
LABEL = QColor("#ede7fd")

#: The letter shown in a step's badge, by step type.
BADGES = {
    "TRIGGER": "⚡",
    "CODE": "</>",
    "PIECE": "◆",
    "LOOP_ON_ITEMS": "⟳",
    "ROUTER": "⇄",
    "EMPTY": "?",
}
