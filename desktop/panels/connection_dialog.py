"""The new-connection form: secrets masked, and OAuth2 sign-in through the system browser."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktop.client import ApiError
from desktop.client.oauth2_sign_in import OAuth2Request, OAuth2SignInError
from desktop.client.piece_catalog import PieceCatalog
from engine.model.resources import AppConnectionRead

TYPES = ("SECRET_TEXT", "BASIC_AUTH", "CUSTOM_AUTH", "OAUTH2", "NO_AUTH")

#: Runs an OAuth2 sign-in (browser, loopback redirect, claim) and returns the saved connection.
SignIn = Callable[[OAuth2Request], Awaitable[AppConnectionRead]]

WAITING = "Waiting for the browser… (sign in there; Cancel stops waiting)"


class ConnectionDialog(QDialog):
    """A new connection: piece, external id, name, and its secret (masked) or OAuth2 client.

    With OAUTH2 the OK button is "Connect": the browser opens at the piece's sign-in page and the
    dialog waits for it; the connection is saved by the server, and `connection` holds it.
    """

    def __init__(
        self, catalog: PieceCatalog, parent: QWidget | None = None, *, sign_in: SignIn | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New connection")
        self.setMinimumWidth(460)
        self.catalog = catalog
        self._sign_in = sign_in
        self._task: asyncio.Task[None] | None = None
        #: The connection an OAuth2 sign-in saved (None for the other types: the owner saves those).
        self.connection: AppConnectionRead | None = None
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
        self.client_id = QLineEdit()
        self.client_id.setPlaceholderText("from the service's developer console")
        self.client_secret = QLineEdit()
        self.client_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d92d20;")
        self.form = QFormLayout(self)
        self.form.addRow("Piece", self.piece)
        self.form.addRow("Type", self.kind)
        self.form.addRow("External id", self.external_id)
        self.form.addRow("Name", self.display_name)
        self.form.addRow("Username", self.username)
        self.form.addRow("Secret / password / JSON", self.secret)
        self.form.addRow("Client ID", self.client_id)
        self.form.addRow("Client secret", self.client_secret)
        self.form.addRow(self.status)
        self.form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self._cancel)
        self.form.addRow(self.buttons)
        self.kind.currentTextChanged.connect(self._show_fields)
        self.piece.currentIndexChanged.connect(self._preset_kind)
        self._preset_kind()
        self._show_fields()

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

    def oauth2_request(self) -> OAuth2Request:
        """The OAuth2 sign-in the form describes."""
        external_id = self.external_id.text().strip()
        return OAuth2Request(
            piece_name=self.piece_name(),
            external_id=external_id,
            display_name=self.display_name.text().strip() or external_id,
            client_id=self.client_id.text().strip(),
            client_secret=self.client_secret.text(),
        )

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
        if value["type"] == "OAUTH2":
            if self._sign_in is None:
                return "OAuth2 sign-in needs a server connection"
            if not self.client_id.text().strip():
                return "Enter the client ID of your OAuth2 app"
        return None

    def waiting(self) -> bool:
        """True while an OAuth2 sign-in is in progress."""
        return self._task is not None and not self._task.done()

    def _accept(self) -> None:
        if self.waiting():
            return
        message = self.problem()
        self.error.setText(message or "")
        if message is not None:
            return
        if self.kind.currentText() != "OAUTH2":
            self.accept()
            return
        self._set_busy(True)
        self.status.setText(WAITING)
        self._task = asyncio.ensure_future(self._run_sign_in(self.oauth2_request()))

    async def _run_sign_in(self, request: OAuth2Request) -> None:
        assert self._sign_in is not None
        try:
            self.connection = await self._sign_in(request)
        except asyncio.CancelledError:
            self.status.setText("")
            self.error.setText("Sign-in cancelled; Connect to try again")
            self._set_busy(False)
            raise
        except (OAuth2SignInError, ApiError) as err:
            self.status.setText("")
            self.error.setText(err.message)
            self._set_busy(False)
            return
        self.status.setText(f"Connected “{self.connection.display_name}”")
        self._set_busy(False)
        self.accept()

    def _cancel(self) -> None:
        if self.waiting():
            assert self._task is not None
            self._task.cancel()
            return
        self.reject()

    def reject(self) -> None:
        """Closes the dialog; a sign-in in progress stops waiting for the browser."""
        if self.waiting():
            assert self._task is not None
            self._task.cancel()
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.piece, self.kind, self.external_id, self.display_name):
            widget.setEnabled(not busy)
        for widget in (self.client_id, self.client_secret):
            widget.setEnabled(not busy)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not busy)

    def _preset_kind(self) -> None:
        piece = self.catalog.metadata.get(self.piece_name())
        kind = piece.auth.type if piece is not None and piece.auth is not None else ""
        if self.kind.findText(kind) >= 0:
            self.kind.setCurrentText(kind)

    def _show_fields(self) -> None:
        oauth2 = self.kind.currentText() == "OAUTH2"
        for widget in (self.username, self.secret):
            self.form.setRowVisible(widget, not oauth2)
        for widget in (self.client_id, self.client_secret):
            self.form.setRowVisible(widget, oauth2)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Connect" if oauth2 else "OK")
