"""A JSON value as a tree (QTreeView): keys, values, and the `{{step.path}}` of every node."""

import json
from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

#: Children shown per list or object before a "… N more" row (large values stay responsive).
MAX_CHILDREN = 200
PATH_ROLE = 0x0100 + 1


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = QStandardItemModel()
        self.model_.setHorizontalHeaderLabels(["Key", "Value"])
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setColumnWidth(0, 180)

    def show_values(self, values: dict[str, Any], *, expand: bool = True) -> None:
        """Replaces the tree with these top-level values (name → JSON)."""
        self.model_.removeRows(0, self.model_.rowCount())
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

    def _add(self, parent: QStandardItem, key: str, value: Any, path: str) -> None:
        key_item = QStandardItem(key)
        key_item.setData(path, PATH_ROLE)
        value_item = QStandardItem(preview(value))
        value_item.setData(path, PATH_ROLE)
        value_item.setToolTip(preview(value))
        parent.appendRow([key_item, value_item])
        children: list[tuple[str | int, Any]] = []
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list):
            children = list(enumerate(value))
        for child_key, child in children[:MAX_CHILDREN]:
            label = f"[{child_key}]" if isinstance(child_key, int) else str(child_key)
            self._add(key_item, label, child, path_join(path, child_key))
        if len(children) > MAX_CHILDREN:
            key_item.appendRow(
                [QStandardItem(f"… {len(children) - MAX_CHILDREN} more"), QStandardItem("")]
            )
