"""One input widget per piece prop type, each giving back a value and an inline message when it is wrong."""

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
)

from desktop.panels.loaded_editors import DynamicEditor, MultiOptionsEditor, OptionsEditor
from desktop.panels.prop_editor import FocusOutText, PropEditor, value_text
from engine.model.pieces import PropSchema


class TextEditor(PropEditor):
    """SHORT_TEXT, NUMBER, DATE_TIME, FILE and DROPDOWN (free text or a {{reference}})."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.line = QLineEdit("" if value is None else value_text(value))
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


class LongTextEditor(PropEditor):
    """LONG_TEXT."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.text = FocusOutText("" if value is None else value_text(value))
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
            self.combo.setEditText(value_text(value))
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
    """JSON, OBJECT, ARRAY and CUSTOM: JSON text (a {{reference}} is kept as text)."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        shown = (
            ""
            if value is None
            else (value if isinstance(value, str) else json.dumps(value, indent=2))
        )
        self.text = FocusOutText(shown)
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
    if kind == "MULTI_SELECT_DROPDOWN":
        return MultiOptionsEditor(key, prop, value)
    if kind == "DROPDOWN" and not prop.options:
        return OptionsEditor(key, prop, value)
    if kind == "DYNAMIC":
        return DynamicEditor(key, prop, value, make_editor=make_editor)
    if kind in ("SHORT_TEXT", "NUMBER", "DATE_TIME", "FILE", "DROPDOWN"):
        return TextEditor(key, prop, value)
    if kind == "ARRAY" and not prop.properties:
        return JsonEditor(key, prop, value)
    return JsonEditor(key, prop, value)


def _placeholder(kind: str) -> str:
    return {
        "OBJECT": '{"key": "value"}',
        "ARRAY": '["first", "second"]',
        "JSON": '{"any": ["JSON", 1, true]}',
    }.get(kind, "JSON, or a {{reference}}")
