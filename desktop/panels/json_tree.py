"""A JSON value as a tree (QTreeView): keys, values, and the `{{step.path}}` of every node.

Large values stay responsive: a node's children are made only when it is expanded, at most
MAX_CHILDREN at a time; clicking the "… N more" row shows the next ones. An output the run log
keeps only as a reference (`{"$offloaded": ref, "size"}`) is a "Load value (N KB)" row: a click
asks for it (`load_requested`), and `show_loaded` puts the value in its place.
"""

import json
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from engine.model import OFFLOADED_KEY

#: Children made per expand or per "… more" click.
MAX_CHILDREN = 200
PATH_ROLE = 0x0100 + 1
#: On a key item with children: the key of its value in `JsonTree.values` (values stay Python).
VALUE_ROLE = 0x0100 + 2
#: Set once a key item's children were made.
FILLED_ROLE = 0x0100 + 4
#: On a "… N more" row: how many children its parent shows already.
MORE_ROLE = 0x0100 + 3
#: On both items of a "Load value" row: the offloaded output's reference.
LAZY_ROLE = 0x0100 + 5


def offloaded_ref(value: Any) -> str | None:
    """The reference of an output the run log keeps apart (`{"$offloaded": ref, "size"}`)."""
    if isinstance(value, dict) and set(value) == {OFFLOADED_KEY, "size"}:
        return str(value[OFFLOADED_KEY])
    return None


def size_text(size: Any) -> str:
    """Bytes for a person: `812 B`, `45 KB`, `3.2 MB`."""
    count = int(size) if isinstance(size, int | float) else 0
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{round(count / 1024)} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def path_join(path: str, key: str | int) -> str:
    """`step.a` + `b` → `step.a.b`; indices and odd keys use brackets."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]".replace('"', "'")


def preview(value: Any) -> str:
    """A one-line view of a value."""
    if isinstance(value, dict):
        return f"{{…}} {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"[…] {len(value)} item{'s' if len(value) != 1 else ''}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "…"


class JsonTree(QTreeView):
    """Shows named JSON values; each node carries its reference path (PATH_ROLE)."""

    #: A "Load value" row was clicked: (its path, the offloaded output's reference).
    load_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = QStandardItemModel()
        self.model_.setHorizontalHeaderLabels(["Key", "Value"])
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setColumnWidth(0, 180)
        #: Container values of the nodes, by the number stored in VALUE_ROLE.
        self.values: dict[int, Any] = {}
        self.expanded.connect(self._fill)
        self.clicked.connect(self._more)

    def show_values(self, values: dict[str, Any], *, expand: bool = True) -> None:
        """Replaces the tree with these top-level values (name → JSON)."""
        self.model_.removeRows(0, self.model_.rowCount())
        self.values = {}
        root = self.model_.invisibleRootItem()
        for name, value in values.items():
            self._add(root, name, value, name)
        if expand:
            self.expandToDepth(0)

    def rows(self) -> list[tuple[str, str]]:
        """(key, value) of every row shown, depth first (tests and copy)."""
        found: list[tuple[str, str]] = []

        def walk(parent: QStandardItem) -> None:
            for row in range(parent.rowCount()):
                key, value = parent.child(row, 0), parent.child(row, 1)
                found.append((key.text(), value.text() if value is not None else ""))
                walk(key)

        walk(self.model_.invisibleRootItem())
        return found

    def show_loaded(self, ref: str, value: Any) -> bool:
        """Puts a loaded value in place of its "Load value" row; False when the row is gone
        (another step is shown by now)."""
        found = self._lazy_row(ref)
        if found is None:
            return False
        parent, row = found
        key = parent.child(row, 0)
        label, path = key.text(), str(key.data(PATH_ROLE))
        parent.removeRow(row)
        self._add(parent, label, value, path, row=row)
        return True

    def show_load_error(self, ref: str, message: str) -> None:
        """Says on the "Load value" row why it did not load; a click tries again."""
        found = self._lazy_row(ref)
        if found is not None:
            parent, row = found
            parent.child(row, 1).setText(f"Not loaded: {message} (click to retry)")

    def _lazy_row(self, ref: str) -> tuple[QStandardItem, int] | None:
        def walk(parent: QStandardItem) -> tuple[QStandardItem, int] | None:
            for row in range(parent.rowCount()):
                key = parent.child(row, 0)
                if key.data(LAZY_ROLE) == ref:
                    return parent, row
                found = walk(key)
                if found is not None:
                    return found
            return None

        return walk(self.model_.invisibleRootItem())

    def _add(
        self, parent: QStandardItem, key: str, value: Any, path: str, *, row: int | None = None
    ) -> None:
        key_item = QStandardItem(key)
        key_item.setData(path, PATH_ROLE)
        ref = offloaded_ref(value)
        shown = preview(value) if ref is None else f"Load value ({size_text(value['size'])})"
        value_item = QStandardItem(shown)
        value_item.setData(path, PATH_ROLE)
        value_item.setToolTip(
            shown if ref is None else "Kept apart from the run log; click to load it"
        )
        if ref is not None:
            key_item.setData(ref, LAZY_ROLE)
            value_item.setData(ref, LAZY_ROLE)
        if row is None:
            parent.appendRow([key_item, value_item])
        else:
            parent.insertRow(row, [key_item, value_item])
        if ref is None and isinstance(value, dict | list) and value:
            number = len(self.values)
            self.values[number] = value
            key_item.setData(number, VALUE_ROLE)
            key_item.appendRow([QStandardItem("…"), QStandardItem("")])  # makes it expandable

    def _fill(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Makes the first children of an expanded node (once)."""
        item = self.model_.itemFromIndex(self.model_.index(index.row(), 0, index.parent()))
        if item is None or item.data(VALUE_ROLE) is None or item.data(FILLED_ROLE):
            return
        item.setData(True, FILLED_ROLE)
        item.removeRows(0, item.rowCount())
        self._add_children(item, 0)

    def _add_children(self, item: QStandardItem, start: int) -> None:
        value = self.values[int(item.data(VALUE_ROLE))]
        children: list[tuple[str | int, Any]] = (
            list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        )
        path = str(item.data(PATH_ROLE))
        end = start + MAX_CHILDREN
        for child_key, child in children[start:end]:
            label = f"[{child_key}]" if isinstance(child_key, int) else str(child_key)
            self._add(item, label, child, path_join(path, child_key))
        if len(children) > end:
            more = QStandardItem(f"… {len(children) - end} more (click to show)")
            more.setData(end, MORE_ROLE)
            item.appendRow([more, QStandardItem("")])

    def _more(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """A click on "… N more" shows the next children in its place; one on "Load value" asks
        for the value."""
        row = self.model_.itemFromIndex(self.model_.index(index.row(), 0, index.parent()))
        ref = None if row is None else row.data(LAZY_ROLE)
        if row is not None and ref is not None:
            value_item = self.model_.itemFromIndex(
                self.model_.index(index.row(), 1, index.parent())
            )
            if value_item is not None:
                value_item.setText("Loading value…")
            self.load_requested.emit(str(row.data(PATH_ROLE)), str(ref))
            return
        shown = None if row is None else row.data(MORE_ROLE)
        parent = None if row is None else row.parent()
        if shown is None or parent is None or row is None:
            return
        parent.removeRow(row.row())
        self._add_children(parent, int(shown))
