"""A step (or the trigger) on the canvas: a card with its badge, title, name, problems and run status."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from desktop.canvas import style

#: Run status → (mark, colour) drawn on the card's right edge.
STATUS_MARKS = {
    "SUCCEEDED": ("✓", style.SUCCEEDED),
    "FAILED": ("✗", style.INVALID),
    "PAUSED": ("⏸", style.PAUSED),
    "RUNNING": ("…", style.ACCENT),
    "SKIPPED": ("↷", style.MUTED),
    "STOPPED": ("■", style.MUTED),
}


#: Below this scale a card is drawn as a plain box.
DETAIL_SCALE = 0.35


class StepItem(QGraphicsItem):
    """One card; its `name` is the step's (`trigger` for the trigger)."""

    def __init__(
        self,
        *,
        name: str,
        kind: str,
        title: str,
        subtitle: str,
        width: float,
        height: float,
    ) -> None:
        super().__init__()
        self.name = name
        self.kind = kind
        self.title = title
        self.subtitle = subtitle
        self._rect = QRectF(0, 0, width, height)
        #: Validation messages; the card is marked red and they show as its tooltip.
        self.problems: list[str] = []
        #: A run's status of this step (SUCCEEDED, FAILED, ...) and its duration in ms.
        self.status: str | None = None
        self.duration_ms: float | None = None
        self.skipped = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_problems(self, problems: list[str]) -> None:
        """Marks the card invalid with these reasons (none: valid)."""
        self.problems = problems
        self.setToolTip("\n".join(problems))
        self.update()

    def set_status(self, status: str | None, duration_ms: float | None = None) -> None:
        """Shows a run's result for this step (None clears it)."""
        self.status, self.duration_ms = status, duration_ms
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-3, -3, 3, 3)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        border = style.NODE_BORDER
        if self.problems:
            border = style.INVALID
        if self.isSelected():
            border = style.ACCENT
        painter.setPen(QPen(border, 2.5 if self.isSelected() else 1.5))
        fill = QColor(style.NODE_FILL)
        if self.skipped:
            fill = QColor("#f4f5f7")
        painter.setBrush(QBrush(fill))
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_SCALE:
            # Zoomed far out (or in the minimap) text is unreadable: a plain box keeps panning fast.
            if self.status in STATUS_MARKS:
                painter.setBrush(QBrush(STATUS_MARKS[self.status][1]))
            painter.drawRect(self._rect)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawRoundedRect(self._rect, 10, 10)
        badge = QRectF(10, 12, 32, 32)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(style.LABEL))
        painter.drawRoundedRect(badge, 8, 8)
        painter.setPen(style.ACCENT)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, style.BADGES.get(self.kind, "◆"))
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(style.TEXT)
        text_width = self._rect.width() - 86
        title = painter.fontMetrics().elidedText(
            self.title, Qt.TextElideMode.ElideRight, int(text_width)
        )
        painter.drawText(QRectF(52, 9, text_width, 20), Qt.AlignmentFlag.AlignVCenter, title)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(style.MUTED)
        subtitle = self.subtitle + (" · skipped" if self.skipped else "")
        if self.duration_ms is not None:
            subtitle += f" · {self.duration_ms:.0f} ms"
        elif self.problems and self.status is None:
            painter.setPen(style.INVALID)
            subtitle = self.problems[0]
        subtitle = painter.fontMetrics().elidedText(
            subtitle, Qt.TextElideMode.ElideRight, int(text_width)
        )
        painter.drawText(QRectF(52, 29, text_width, 18), Qt.AlignmentFlag.AlignVCenter, subtitle)
        self._paint_marks(painter)

    def _paint_marks(self, painter: QPainter) -> None:
        mark_box = QRectF(self._rect.width() - 30, 16, 22, 22)
        if self.status in STATUS_MARKS:
            mark, colour = STATUS_MARKS[self.status]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(colour))
            painter.drawEllipse(mark_box)
            painter.setPen(QColor("white"))
            painter.drawText(mark_box, Qt.AlignmentFlag.AlignCenter, mark)
        elif self.problems:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(style.INVALID))
            painter.drawEllipse(mark_box)
            painter.setPen(QColor("white"))
            painter.drawText(mark_box, Qt.AlignmentFlag.AlignCenter, "!")
