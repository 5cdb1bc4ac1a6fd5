"""Connections: list, create (secret fields masked) and delete; values are never shown again."""

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.client.piece_catalog import PieceCatalog
from engine.model.resources import AppConnectionRead

_COLUMNS = ("Name", "External id", "Piece", "Type")
TYPES = ("SECRET_TEXT", "BASIC_AUTH", "CUSTOM_AUTH", "NO_AUTH")


class ConnectionDialog(QDialog):
    """A new connection: piece, external id, name, and its secret (masked)."""

    def __init__(self, catalog: PieceCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New connection")
        self.piece = QComboBox()
        self.piece.setEditable(True)
        for name, piece in sorted(catalog.metadata.items()):
            self.piece.addItem(piece.display_name, name)
        self.kind = QComboBox()
        self.kind.addItems(TYPES)
        self.external_id = QLineEdit()
        self.external_id.setPlaceholderText("e.g. openai (used as {{connections['openai']}})")
        self.display_name = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.username = QLineEdit()
        self.error = QLabel()
        self.error.setStyleSheet("color: #d92d20;")
        form = QFormLayout(self)
        form.addRow("Piece", self.piece)
        form.addRow("Type", self.kind)
        form.addRow("External id", self.external_id)
        form.addRow("Name", self.display_name)
        form.addRow("Username", self.username)
        form.addRow("Secret / password / JSON", self.secret)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def piece_name(self) -> str:
        """The chosen piece's key."""
        data = self.piece.currentData()
        return str(data) if data else self.piece.currentText().strip()

    def value(self) -> dict[str, Any]:
        """The connection value in Activepieces' shape."""
        kind = self.kind.currentText()
        if kind == "SECRET_TEXT":
            return {"type": kind, "secret_text": self.secret.text()}
        if kind == "BASIC_AUTH":
            return {"type": kind, "username": self.username.text(), "password": self.secret.text()}
        if kind == "CUSTOM_AUTH":
            try:
                props = json.loads(self.secret.text() or "{}")
            except json.JSONDecodeError:
                props = None
            return {"type": kind, "props": props}
        return {"type": kind}

    def problem(self) -> str | None:
        """What is missing or wrong."""
        if not self.external_id.text().strip():
            return "Give the connection an external id"
        if not self.piece_name():
            return "Choose a piece"
        value = self.value()
        if value["type"] == "SECRET_TEXT" and not value["secret_text"]:
            return "Enter the secret"
        if value["type"] == "CUSTOM_AUTH" and not isinstance(value["props"], dict):
            return "Custom auth takes a JSON object of fields"
        return None

    def _accept(self) -> None:
        message = self.problem()
        self.error.setText(message or "")
        if message is None:
            self.accept()


class ConnectionsPanel(QWidget):
    """The project's connections."""

    #: Load the list again.
    refresh_requested = Signal()
    #: Save (external id, display name, piece name, value).
    save_requested = Signal(str, str, str, object)
    #: Delete the connection (id).
    delete_requested = Signal(str)

    def __init__(self, catalog: PieceCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        new = QPushButton("New connection…")
        new.clicked.connect(self.ask_new)
        delete = QPushButton("Delete…")
        delete.clicked.connect(self._ask_delete)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh_requested.emit)
        top = QHBoxLayout()
        top.addWidget(QLabel("Connections (values are encrypted and never shown again)"))
        top.addStretch(1)
        for button in (new, delete, refresh):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def show_connections(self, connections: list[AppConnectionRead]) -> None:
        """Replaces the rows."""
        self.table.setRowCount(len(connections))
        for row, connection in enumerate(connections):
            values = (
                connection.display_name,
                connection.external_id,
                connection.piece_name,
                connection.type,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, connection.id)
                self.table.setItem(row, column, item)

    def names(self) -> list[str]:
        """The names shown."""
        items = (self.table.item(row, 0) for row in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def ask_new(self) -> ConnectionDialog:
        """Opens the new-connection dialog (non-blocking)."""
        dialog = ConnectionDialog(self.catalog, self)
        dialog.accepted.connect(
            lambda: self.save_requested.emit(
                dialog.external_id.text().strip(),
                dialog.display_name.text().strip() or dialog.external_id.text().strip(),
                dialog.piece_name(),
                dialog.value(),
            )
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def _ask_delete(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0)
        if item is None:
            return
        answer = QMessageBox.question(self, "Delete connection", f"Delete “{item.text()}”?")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))
