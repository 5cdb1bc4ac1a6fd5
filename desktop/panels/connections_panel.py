"""Connections: list, create (through the new-connection dialog) and delete; values are never shown again."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.client.piece_catalog import PieceCatalog
from desktop.panels.connection_dialog import ConnectionDialog, SignIn
from engine.model.resources import AppConnectionRead

_COLUMNS = ("Name", "External id", "Piece", "Type")


class ConnectionsPanel(QWidget):
    """The project's connections."""

    #: Load the list again.
    refresh_requested = Signal()
    #: Save (external id, display name, piece name, value).
    save_requested = Signal(str, str, str, object)
    #: Delete the connection (id).
    delete_requested = Signal(str)
    #: An OAuth2 sign-in saved a connection (its display name).
    connection_created = Signal(str)

    def __init__(self, catalog: PieceCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        #: Runs OAuth2 sign-ins (set by the owner, who has the server connection).
        self.sign_in: SignIn | None = None
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
        dialog = ConnectionDialog(self.catalog, self, sign_in=self.sign_in)
        dialog.accepted.connect(lambda: self._saved(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, dialog: ConnectionDialog) -> None:
        if dialog.connection is not None:
            self.connection_created.emit(dialog.connection.display_name)
            return
        external_id = dialog.external_id.text().strip()
        self.save_requested.emit(
            external_id,
            dialog.display_name.text().strip() or external_id,
            dialog.piece_name(),
            dialog.value(),
        )

    def _ask_delete(self) -> None:
        row = self.table.currentRow()
        item = self.table.item(row, 0)
        if item is None:
            return
        answer = QMessageBox.question(self, "Delete connection", f"Delete “{item.text()}”?")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))
