"""Prop editors whose content comes from the server (POST /pieces/options): a dropdown's options,
a multi-select's options, and the fields of a DYNAMIC prop (whose own dropdowns load the same way).

Each has ↻ and a state line (loading, how many, the piece's placeholder, or why it failed); the
form does the loading (`options_requested`) and calls `set_loading`, `set_loaded` or `set_error`.
A value typed or stored before loading is kept, so a server that is down never blocks editing.
"""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.panels.prop_editor import PropEditor, value_text
from engine.model.pieces import PropSchema

#: Makes the editor of one prop (`prop_editors.make_editor`; passed in, as it imports this module).
EditorFactory = Callable[[str, PropSchema, Any], PropEditor]

_GREY = "color: #6b7280;"
_RED = "color: #d92d20;"


class LoadedEditor(PropEditor):
    """The ↻ button and state line shared by the editors loaded from the server."""

    #: The options (or fields) should be (re)loaded.
    options_requested = Signal()
    #: What is loaded, for the state line ("options", "fields").
    noun = "options"

    def __init__(self, key: str, prop: PropSchema) -> None:
        super().__init__(key, prop)
        self.reload = QPushButton("↻")
        self.reload.setObjectName(f"reload_{key}")
        self.reload.setToolTip(f"Load the {self.noun} again")
        self.reload.setFixedWidth(32)
        self.reload.clicked.connect(self.options_requested.emit)
        self.state = QLabel()
        self.state.setObjectName(f"state_{key}")
        self.state.setWordWrap(True)

    def row(self, widget: QWidget) -> QWidget:
        """The input widget with ↻ on its right."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget, 1)
        layout.addWidget(self.reload, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def set_loading(self) -> None:
        """Says the content is on its way."""
        self.state.setStyleSheet(_GREY)
        self.state.setText(f"Loading {self.noun}…")
        self.reload.setEnabled(False)

    def set_loaded(self, answer: dict[str, Any]) -> None:
        """Shows the server's answer (`{options, disabled, placeholder}` or `{props}`)."""
        raise NotImplementedError

    def set_unavailable(self) -> None:
        """Says nothing can be loaded here (no server): what is stored or typed is kept."""
        self._say_count(0, empty="Type a value or a {{reference}}")

    def set_error(self, message: str) -> None:
        """Says why nothing could be loaded; ↻ tries again."""
        self.reload.setEnabled(True)
        self.state.setStyleSheet(_RED)
        self.state.setText(
            f"{self.noun.capitalize()} not loaded: {message} (↻ to retry; a typed value still works)"
        )

    def _say_count(self, count: int, *, empty: str) -> None:
        self.reload.setEnabled(True)
        self.state.setStyleSheet(_GREY)
        singular = self.noun.removesuffix("s")
        self.state.setText(f"{count} {singular if count == 1 else self.noun}" if count else empty)


class OptionsEditor(LoadedEditor):
    """DROPDOWN with options loaded from the server; a typed value or {{reference}} is accepted."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        self.options: list[dict[str, Any]] = []
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setObjectName(f"prop_{key}")
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.current = value
        self.combo.setEditText("" if value is None else value_text(value))
        self.combo.activated.connect(lambda _: self._chosen())
        line = self.combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("Choose, or type a value or a {{reference}}")
            line.editingFinished.connect(self._chosen)
        self.box.addWidget(self.row(self.combo))
        self.box.addWidget(self.state)
        self.finish(QWidget())

    def set_loaded(self, answer: dict[str, Any]) -> None:
        self.set_options(
            list(answer.get("options") or []),
            disabled=bool(answer.get("disabled")),
            placeholder=str(answer.get("placeholder") or ""),
        )

    def set_options(
        self, options: list[dict[str, Any]], *, disabled: bool, placeholder: str
    ) -> None:
        """Shows loaded options (keeping the value), or why there are none yet."""
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
        empty = placeholder or "No options; type a value or a {{reference}}"
        self._say_count(0 if disabled else len(self.options), empty=empty)

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


class MultiOptionsEditor(LoadedEditor):
    """MULTI_SELECT_DROPDOWN with options loaded from the server: a checkable list, plus a line to
    add a typed value or {{reference}} (kept, ticked, even when the options do not have it)."""

    def __init__(self, key: str, prop: PropSchema, value: Any) -> None:
        super().__init__(key, prop)
        chosen = value if isinstance(value, list) else ([] if value is None else [value])
        self.list = QListWidget()
        self.list.setObjectName(f"prop_{key}")
        self.list.setFixedHeight(120)
        self._fill([], chosen)
        self.list.itemChanged.connect(lambda _: self._changed())
        self.extra = QLineEdit()
        self.extra.setObjectName(f"add_{key}")
        self.extra.setPlaceholderText("Add a value or a {{reference}} (Enter)")
        self.extra.returnPressed.connect(self._add_typed)
        self.box.addWidget(self.row(self.list))
        self.box.addWidget(self.extra)
        self.box.addWidget(self.state)
        self.finish(QWidget())

    def set_loaded(self, answer: dict[str, Any]) -> None:
        options = [o for o in answer.get("options") or [] if isinstance(o, dict) and "label" in o]
        self._fill(options, self.value() or [])
        disabled = bool(answer.get("disabled"))
        empty = str(answer.get("placeholder") or "") or "No options; add a value or a {{reference}}"
        self._say_count(0 if disabled else len(options), empty=empty)

    def value(self) -> Any:
        items = (self.list.item(i) for i in range(self.list.count()))
        chosen = [
            item.data(Qt.ItemDataRole.UserRole)
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]
        return chosen or None

    def labels(self) -> list[str]:
        """The list's rows, as shown."""
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.text() for item in items if item is not None]

    def check_label(self, label: str, checked: bool = True) -> None:
        """Ticks (or unticks) the row with this label, as a click on its box would."""
        for item in self.list.findItems(label, Qt.MatchFlag.MatchExactly):
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _fill(self, options: list[dict[str, Any]], chosen: list[Any]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        known = [option.get("value") for option in options]
        rows = [(str(o["label"]), o.get("value")) for o in options]
        rows += [(value_text(value), value) for value in chosen if value not in known]
        for label, value in rows:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = value in chosen
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def _add_typed(self) -> None:
        text = self.extra.text().strip()
        if not text:
            return
        self.extra.clear()
        chosen = self.value() or []
        if text not in chosen:
            options = self._options_shown()
            self._fill(options, [*chosen, text])
            self._changed()

    def _options_shown(self) -> list[dict[str, Any]]:
        # Rows that are not ticked are options (ticked extras are re-added from `chosen`).
        items = (self.list.item(i) for i in range(self.list.count()))
        return [
            {"label": item.text(), "value": item.data(Qt.ItemDataRole.UserRole)}
            for item in items
            if item is not None
        ]

    def _changed(self) -> None:
        if self.check():
            self.committed.emit()


class DynamicEditor(LoadedEditor):
    """DYNAMIC: fields the piece builds from other props (its refreshers), loaded from the server;
    the value is an object of the fields' values. Until they load, the stored object is kept.

    A dropdown among the fields loads its options as a top-level one does: the form is asked
    (`field_options_requested`) when the fields are built and when ↻ is pressed.
    """

    noun = "fields"
    #: A field's options should be (re)loaded (the field's LoadedEditor).
    field_options_requested = Signal(object)

    def __init__(
        self, key: str, prop: PropSchema, value: Any, *, make_editor: EditorFactory
    ) -> None:
        super().__init__(key, prop)
        self._make_editor = make_editor
        self.current: dict[str, Any] = dict(value) if isinstance(value, dict) else {}
        self.loaded = False
        self.fields: list[PropEditor] = []
        holder = QWidget()
        holder.setObjectName(f"prop_{key}")
        self.fields_box = QVBoxLayout(holder)
        self.fields_box.setContentsMargins(12, 0, 0, 0)
        self.box.addWidget(self.row(holder))
        self.box.addWidget(self.state)
        self.finish(QWidget())

    def set_loaded(self, answer: dict[str, Any]) -> None:
        self.current = self.value() or {}
        for editor in self.fields:
            self.fields_box.removeWidget(editor)
            editor.deleteLater()
        self.fields = []
        props = answer.get("props") or {}
        for sub_key, raw in props.items():
            schema = PropSchema.model_validate(raw)
            editor = self._make_editor(sub_key, schema, self.current.get(sub_key))
            editor.committed.connect(self.committed.emit)
            self.fields.append(editor)
            self.fields_box.addWidget(editor)
        self.loaded = True
        self._say_count(len(self.fields), empty="No fields for these choices")
        for field in self.loadable_fields():
            field.options_requested.connect(
                lambda chosen=field: self.field_options_requested.emit(chosen)
            )
            self.field_options_requested.emit(field)
        for nested in self.fields:
            if isinstance(nested, DynamicEditor):
                # The server builds one level of dynamic fields: a DYNAMIC field of a DYNAMIC
                # prop keeps its stored object (no piece has one yet).
                nested.set_unavailable()

    def loadable_fields(self) -> list[LoadedEditor]:
        """The fields whose options come from the server (dropdowns and multi-selects)."""
        return [
            e
            for e in self.fields
            if isinstance(e, LoadedEditor) and not isinstance(e, DynamicEditor)
        ]

    def fields_to_reload(self, changed: set[str], before: Any, after: Any) -> list[LoadedEditor]:
        """The fields whose refreshers changed: top-level keys in `changed`, or other fields
        (`before` and `after` are this prop's stored values)."""
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        siblings = {key for key in {*old, *new} if old.get(key) != new.get(key)}
        moved = (changed - {self.key}) | siblings
        return [
            field
            for field in self.loadable_fields()
            if moved & (set(field.prop.refreshers or []) | {"auth"}) - {field.key}
        ]

    def field(self, key: str) -> PropEditor | None:
        """The loaded field with this key."""
        return next((editor for editor in self.fields if editor.key == key), None)

    def value(self) -> Any:
        if not self.loaded:
            return self.current or None
        values = {e.key: v for e in self.fields if (v := e.value()) is not None}
        return values or None

    def problem(self) -> str | None:
        for editor in self.fields:
            found = editor.problem()
            if found is not None:
                return found
        return super().problem()
