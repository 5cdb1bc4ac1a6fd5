"""A canvas note: a sticky note the person places anywhere, edited in place (double-click)."""

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFocusEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QGraphicsTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

NOTE_WIDTH = 190.0
NOTE_HEIGHT = 120.0
FILL = QColor("#fff4c2")
BORDER = QColor("#e9c46a")
PADDING = 8.0


class _NoteText(QGraphicsTextItem):
    """The note's text; editing ends when it loses focus."""

    def __init__(self, text: str, parent: "NoteItem") -> None:
        super().__init__(text, parent)
        self.note = parent
        self.setTextWidth(NOTE_WIDTH - 2 * PADDING)
        self.setPos(PADDING, PADDING)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.note.editing_finished()


class NoteItem(QGraphicsItem):
    """One note; `on_edited(id, text)` is called (after the event) when its text changed."""

    def __init__(
        self,
        *,
        note_id: str,
        content: str,
        on_edited: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__()
        self.note_id = note_id
        self.content = content
        self.on_edited = on_edited
        self._rect = QRectF(0, 0, NOTE_WIDTH, NOTE_HEIGHT)
        self.text = _NoteText(content, self)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setZValue(-0.2)
        self.setToolTip("Double-click to edit; drag to move; Delete removes it")

    def start_editing(self) -> None:
        """Puts the cursor in the text."""
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.text.setFocus(Qt.FocusReason.MouseFocusReason)

    def editing_finished(self) -> None:
        """Reports changed text once the focus event is over (the scene redraws on an edit)."""
        text = self.text.toPlainText()
        if text != self.content and self.on_edited is not None:
            callback, note_id = self.on_edited, self.note_id
            QTimer.singleShot(0, lambda: callback(note_id, text))

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.on_edited is not None:
            self.start_editing()
        event.accept()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        selected = self.isSelected()
        painter.setPen(QPen(QColor("#6e41e2") if selected else BORDER, 2 if selected else 1))
        painter.setBrush(QBrush(FILL))
        painter.drawRect(self._rect)
