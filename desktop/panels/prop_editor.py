"""The base of every prop editor: a title, the input widget, and an inline message when it is wrong."""

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from engine.model.pieces import PropSchema


class PropEditor(QWidget):
    """A labelled editor of one prop: `value()` and `committed` when the person is done editing."""

    #: The value changed and editing finished (focus left, Enter, a toggle or choice).
    committed = Signal()

    def __init__(self, key: str, prop: PropSchema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.prop = prop
        self.title = QLabel(prop.display_name + (" *" if prop.required else ""))
        self.title.setObjectName("propTitle")
        self.error = QLabel()
        self.error.setStyleSheet("color: #d92d20;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 4, 0, 4)
        self.box.addWidget(self.title)
        if prop.description:
            hint = QLabel(prop.description)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #6b7280;")
            self.box.addWidget(hint)

    def finish(self, editor: QWidget) -> None:
        """Adds the input widget and the inline message line under the title."""
        self.box.addWidget(editor)
        self.box.addWidget(self.error)

    def value(self) -> Any:
        """The value to store in the step input (None: leave the key out)."""
        raise NotImplementedError

    def problem(self) -> str | None:
        """What is wrong with the typed value, for the inline message."""
        if self.prop.required and self.value() in (None, "", [], {}):
            return f"{self.prop.display_name} is required"
        return None

    def check(self) -> bool:
        """Shows or hides the inline message; True when the value is fine."""
        message = self.problem()
        self.error.setText(message or "")
        self.error.setVisible(message is not None)
        return message is None


class FocusOutText(QPlainTextEdit):
    """A QPlainTextEdit that says when it loses focus (its editing finished)."""

    focus_lost = Signal()

    def focusOutEvent(self, event: object) -> None:
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.focus_lost.emit()


def value_text(value: Any) -> str:
    """A stored value as the text of a field (JSON unless it is a string)."""
    return value if isinstance(value, str) else json.dumps(value)
