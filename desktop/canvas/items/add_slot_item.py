"""A "+" on an edge or in an empty branch or loop: click to add a step there, or drop a step on it."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from desktop.canvas import style
from desktop.document.placement import Placement

RADIUS = 11.0


class AddSlotItem(QGraphicsItem):
    """A small round "+" button centred on its position."""

    def __init__(self, placement: Placement) -> None:
        super().__init__()
        self.placement = placement
        self.highlighted = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Add a step here")
        self.setZValue(2)

    def set_highlighted(self, on: bool) -> None:
        """Drawn larger and coloured while a dragged step hovers over it."""
        self.highlighted = on
        self.update()

    def boundingRect(self) -> QRectF:
        r = RADIUS + 4
        return QRectF(-r, -r, 2 * r, 2 * r)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.set_highlighted(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.set_highlighted(False)
        super().hoverLeaveEvent(event)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = RADIUS + (3 if self.highlighted else 0)
        painter.setPen(QPen(style.ACCENT if self.highlighted else style.EDGE, 1.5))
        painter.setBrush(QBrush(style.ACCENT if self.highlighted else style.NODE_FILL))
        painter.drawEllipse(QRectF(-r, -r, 2 * r, 2 * r))
        painter.setPen(QPen(style.NODE_FILL if self.highlighted else style.MUTED, 2))
        half = r / 2
        painter.drawLine(int(-half), 0, int(half), 0)
        painter.drawLine(0, int(-half), 0, int(half))
