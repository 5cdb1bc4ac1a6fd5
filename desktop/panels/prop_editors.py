"""One input widget per piece prop type, each giving back a value and an inline message when it is wrong."""

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

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


class TextEditor(PropEditor):
    """SHORT_TEXT, NUMBER, DATE_TIME, FILE and DROPDOWN (free text or a {{reference}})."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.line = QLineEdit("" if value is None else _text(value))
        self.line.setObjectName(f"prop_{key}")
        self.line.editingFinished.connect(self._done)
        if prop.type in ("DROPDOWN", "MULTI_SELECT_DROPDOWN"):
            self.line.setPlaceholderText("A value, or a {{reference}}")
        self.finish(self.line)

    def _done(self) -> None:
        if self.check():
            self.committed.emit()

    def value(self) -> Any:
        text = self.line.text()
        if text == "":
            return None
        if self.prop.type == "NUMBER" and "{{" not in text:
            try:
                number = float(text)
            except ValueError:
                return text
            return int(number) if number.is_integer() else number
        return text

    def problem(self) -> str | None:
        text = self.line.text().strip()
        if self.prop.type == "NUMBER" and text and "{{" not in text:
            try:
                float(text)
            except ValueError:
                return f"{self.prop.display_name} must be a number or a {{{{reference}}}}"
        return super().problem()


class OptionsEditor(PropEditor):
    """DROPDOWN with options loaded from the server (POST /pieces/options): loading, error and
    "not available yet" states; a typed value or {{reference}} is always accepted."""

    #: The options should be (re)loaded.
    options_requested = Signal()

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.options: list[dict[str, Any]] = []
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setObjectName(f"prop_{key}")
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.current = value
        self.combo.setEditText("" if value is None else _text(value))
        self.combo.activated.connect(lambda _: self._chosen())
        line = self.combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("Choose, or type a value or a {{reference}}")
            line.editingFinished.connect(self._chosen)
        self.reload = QPushButton("↻")
        self.reload.setObjectName(f"reload_{key}")
        self.reload.setToolTip("Load the options again")
        self.reload.setFixedWidth(32)
        self.reload.clicked.connect(self.options_requested.emit)
        self.state = QLabel()
        self.state.setObjectName(f"state_{key}")
        self.state.setWordWrap(True)
        row = QWidget()
        line_layout = QHBoxLayout(row)
        line_layout.setContentsMargins(0, 0, 0, 0)
        line_layout.addWidget(self.combo, 1)
        line_layout.addWidget(self.reload)
        self.box.addWidget(row)
        self.box.addWidget(self.state)
        self.finish(QWidget())

    def set_loading(self) -> None:
        """Says the options are on their way."""
        self.state.setStyleSheet("color: #6b7280;")
        self.state.setText("Loading options…")
        self.reload.setEnabled(False)

    def set_options(
        self, options: list[dict[str, Any]], *, disabled: bool, placeholder: str
    ) -> None:
        """Shows loaded options (keeping the value), or why there are none yet."""
        self.reload.setEnabled(True)
        self.options = [o for o in options if isinstance(o, dict) and "label" in o]
        text = self.combo.currentText()
        self.combo.blockSignals(True)
        self.combo.clear()
        for option in self.options:
            self.combo.addItem(str(option["label"]), option.get("value"))
        index = self.combo.findData(self.current) if self.current is not None else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
        else:
            self.combo.setEditText(text)
        self.combo.blockSignals(False)
        self.state.setStyleSheet("color: #6b7280;")
        if disabled or not self.options:
            self.state.setText(placeholder or "No options; type a value or a {{reference}}")
        else:
            self.state.setText(f"{len(self.options)} option{'s' if len(self.options) != 1 else ''}")

    def set_error(self, message: str) -> None:
        """Says why the options could not be loaded; ↻ tries again."""
        self.reload.setEnabled(True)
        self.state.setStyleSheet("color: #d92d20;")
        self.state.setText(f"Options not loaded: {message} (↻ to retry; a typed value still works)")

    def _chosen(self) -> None:
        self.current = self.value()
        if self.check():
            self.committed.emit()

    def value(self) -> Any:
        text = self.combo.currentText()
        for option in self.options:
            if str(option["label"]) == text:
                return option.get("value")
        return text or None


class LongTextEditor(PropEditor):
    """LONG_TEXT."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.text = _FocusOutText("" if value is None else _text(value))
        self.text.setObjectName(f"prop_{key}")
        self.text.setFixedHeight(90)
        self.text.focus_lost.connect(self.committed.emit)
        self.finish(self.text)

    def value(self) -> Any:
        return self.text.toPlainText() or None


class CheckboxEditor(PropEditor):
    """CHECKBOX."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.box_widget = QCheckBox(prop.display_name)
        self.box_widget.setChecked(bool(value))
        self.box_widget.toggled.connect(lambda _: self.committed.emit())
        self.title.hide()
        self.finish(self.box_widget)

    def value(self) -> Any:
        return self.box_widget.isChecked()


class ChoiceEditor(PropEditor):
    """STATIC_DROPDOWN: one of the piece's options (or a typed {{reference}})."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setObjectName(f"prop_{key}")
        self.combo.addItem("", None)
        for option in prop.options or []:
            self.combo.addItem(option.label, option.value)
        index = self.combo.findData(value)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        elif value is not None:
            self.combo.setEditText(_text(value))
        self.combo.activated.connect(lambda _: self.committed.emit())
        line = self.combo.lineEdit()
        if line is not None:
            line.editingFinished.connect(self.committed.emit)
        self.finish(self.combo)

    def value(self) -> Any:
        text = self.combo.currentText()
        for option in self.prop.options or []:
            if option.label == text:
                return option.value
        return text or None


class MultiChoiceEditor(PropEditor):
    """STATIC_MULTI_SELECT_DROPDOWN and MULTI_SELECT_DROPDOWN with known options: ticked options."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        chosen = value if isinstance(value, list) else []
        self.list = QListWidget()
        self.list.setFixedHeight(min(140, 26 * max(1, len(prop.options or []))))
        for option in prop.options or []:
            item = QListWidgetItem(option.label)
            item.setData(Qt.ItemDataRole.UserRole, option.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = option.value in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(lambda _: self.committed.emit())
        self.finish(self.list)

    def value(self) -> Any:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]


class JsonEditor(PropEditor):
    """JSON, OBJECT, ARRAY, DYNAMIC and CUSTOM: JSON text (a {{reference}} is kept as text)."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        shown = (
            ""
            if value is None
            else (value if isinstance(value, str) else json.dumps(value, indent=2))
        )
        self.text = _FocusOutText(shown)
        self.text.setObjectName(f"prop_{key}")
        self.text.setFixedHeight(110)
        self.text.setPlaceholderText(_placeholder(prop.type))
        self.text.focus_lost.connect(self._done)
        self.finish(self.text)

    def _done(self) -> None:
        if self.check():
            self.committed.emit()

    def value(self) -> Any:
        text = self.text.toPlainText().strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text

    def problem(self) -> str | None:
        text = self.text.toPlainText().strip()
        if text and not text.startswith("{{"):
            try:
                json.loads(text)
            except json.JSONDecodeError as err:
                if self.prop.type != "CUSTOM":
                    return f"Not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}"
        return super().problem()


class MarkdownView(PropEditor):
    """MARKDOWN: text for the person, no value."""

    def __init__(self, key: str, prop: PropSchema, value: Any, *, webhook_url: str = "") -> None:
        super().__init__(key, prop)
        label = QLabel((prop.value or "").replace("{{webhookUrl}}", webhook_url))
        label.setTextFormat(Qt.TextFormat.MarkdownText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setVisible(bool(prop.display_name))
        self.finish(label)

    def value(self) -> Any:
        return None


class _FocusOutText(QPlainTextEdit):
    """A QPlainTextEdit that says when it loses focus (its editing finished)."""

    focus_lost = Signal()

    def focusOutEvent(self, event: object) -> None:
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.focus_lost.emit()


def make_editor(key: str, prop: PropSchema, value: Any, *, webhook_url: str = "") -> PropEditor:
    """The editor for a prop's type (unknown types get the JSON editor)."""
    kind = prop.type
    if kind == "MARKDOWN":
        return MarkdownView(key, prop, value, webhook_url=webhook_url)
    if kind == "CHECKBOX":
        return CheckboxEditor(key, prop, value)
    if kind == "LONG_TEXT":
        return LongTextEditor(key, prop, value)
    if kind == "STATIC_DROPDOWN":
        return ChoiceEditor(key, prop, value)
    if kind in ("STATIC_MULTI_SELECT_DROPDOWN", "MULTI_SELECT_DROPDOWN") and prop.options:
        return MultiChoiceEditor(key, prop, value)
    if kind == "DROPDOWN" and not prop.options:
        return OptionsEditor(key, prop, value)
    if kind in ("SHORT_TEXT", "NUMBER", "DATE_TIME", "FILE", "DROPDOWN"):
        return TextEditor(key, prop, value)
    if kind == "ARRAY" and not prop.properties:
        return JsonEditor(key, prop, value)
    return JsonEditor(key, prop, value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _placeholder(kind: str) -> str:
    return {
        "OBJECT": '{"key": "value"}',
        "ARRAY": '["first", "second"]',
        "JSON": '{"any": ["JSON", 1, true]}',
    }.get(kind, "JSON, or a {{reference}}")
