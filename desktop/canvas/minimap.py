"""The minimap: the whole flow in small in a corner of the canvas, with the visible part framed.

Clicking or dragging in it moves the canvas there. It shows only when the flow does not fit.
"""

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

WIDTH = 150
HEIGHT = 190
FRAME_COLOUR = QColor("#6e41e2")


class Minimap(QGraphicsView):
    """A small, non-interactive view of `main`'s scene that pans `main` when clicked."""

    def __init__(self, main: QGraphicsView, parent: QWidget | None = None) -> None:
        super().__init__(main.scene(), parent)
        self.main = main
        self.setObjectName("minimap")
        self.setFixedSize(WIDTH, HEIGHT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setInteractive(False)
        self.setFrameShape(QFrame.Shape.Box)
        self.setBackgroundBrush(QColor("#fafbfc"))
        self.setToolTip("Overview: click to go there")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def fit(self) -> None:
        """Shows the whole scene."""
        rect = self.sceneRect()
        if not rect.isEmpty():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def visible_area(self) -> QRectF:
        """The part of the scene the main view shows, in scene coordinates."""
        return self.main.mapToScene(self.main.viewport().rect()).boundingRect()

    def go_to(self, point: QPointF) -> None:
        """Centres the main view on a scene point."""
        self.main.centerOn(point)
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.setPen(QPen(FRAME_COLOUR, 0))
        painter.setBrush(QBrush(QColor(110, 65, 226, 30)))
        painter.drawRect(self.visible_area())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.go_to(self.mapToScene(event.position().toPoint()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.go_to(self.mapToScene(event.position().toPoint()))
        event.accept()

    def wheelEvent(self, event: object) -> None:  # the minimap never scrolls itself
        return
