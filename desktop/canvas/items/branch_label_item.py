"""A router branch's name over its column (FALLBACK greyed)."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from desktop.canvas import style


class BranchLabelItem(QGraphicsItem):
    """A pill with the branch name, centred on its position."""

    def __init__(self, *, router: str, branch_index: int, text: str, fallback: bool) -> None:
        super().__init__()
        self.router = router
        self.branch_index = branch_index
        self.text = text
        self.fallback = fallback
        self.setZValue(1)
        self.setToolTip("Otherwise: runs when no other branch matches" if fallback else text)
        self._width = min(180.0, 24.0 + 7.0 * len(text))

    def boundingRect(self) -> QRectF:
        return QRectF(-self._width / 2, -11, self._width, 22)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.boundingRect()
        painter.setPen(QPen(style.FRAME, 1))
        painter.setBrush(QBrush(style.FALLBACK if self.fallback else style.LABEL))
        painter.drawRoundedRect(rect, 11, 11)
        painter.setPen(style.MUTED if self.fallback else style.ACCENT)
        text = painter.fontMetrics().elidedText(
            self.text, Qt.TextElideMode.ElideRight, int(self._width - 12)
        )
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
