"""The dashed frame around a loop's steps."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from desktop.canvas import style


class LoopFrameItem(QGraphicsItem):
    """A rounded dashed rectangle behind a loop body."""

    def __init__(self, *, name: str, width: float, height: float) -> None:
        super().__init__()
        self.name = name
        self._rect = QRectF(0, 0, width, height)
        self.setZValue(-1)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(style.FRAME, 1.2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(246, 247, 250, 160)))
        painter.drawRoundedRect(self._rect, 12, 12)
