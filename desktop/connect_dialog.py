"""The connect screen: this computer, a remembered account, or a team server with email and password."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.client.accounts import Account


class ConnectDialog(QDialog):
    """Asks where to connect; the window signs in and calls `failed()` or closes the dialog."""

    #: Use this computer's own server.
    local_chosen = Signal()
    #: Sign in again to a remembered account (server URL, email).
    account_chosen = Signal(str, str)
    #: Sign in to a team server: (URL, email, password).
    sign_in_requested = Signal(str, str, str)
    #: Forget a remembered account (server URL, email).
    forget_requested = Signal(str, str)

    def __init__(self, accounts: list[Account], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a server")
        self.setMinimumWidth(460)
        self.local_button = QPushButton("Use this computer")
        self.local_button.setToolTip("Your own flows, run by the server on this computer")
        self.local_button.clicked.connect(self._local)
        self.accounts = QListWidget()
        self.accounts.itemActivated.connect(self._account)
        self.use_account_button = QPushButton("Connect")
        self.use_account_button.clicked.connect(lambda: self._account(self.accounts.currentItem()))
        self.forget_button = QPushButton("Forget")
        self.forget_button.clicked.connect(self._forget)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://flows.example.com")
        self.email = QLineEdit()
        self.email.setPlaceholderText("you@example.com")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self._sign_in)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._sign_in)
        #: Inline message under the form: what is wrong, what to do.
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self._lay_out()
        self.show_accounts(accounts)

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>This computer</b>"))
        layout.addWidget(self.local_button)
        self.accounts_title = QLabel("<b>Remembered accounts</b>")
        layout.addWidget(self.accounts_title)
        layout.addWidget(self.accounts)
        account_buttons = QHBoxLayout()
        account_buttons.addStretch(1)
        account_buttons.addWidget(self.forget_button)
        account_buttons.addWidget(self.use_account_button)
        layout.addLayout(account_buttons)
        layout.addWidget(QLabel("<b>A team server</b>"))
        form = QFormLayout()
        form.addRow("Server address", self.url)
        form.addRow("Email", self.email)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        buttons.addWidget(self.sign_in_button)
        layout.addLayout(buttons)

    def show_accounts(self, accounts: list[Account]) -> None:
        """Lists the remembered accounts (newest first)."""
        self.accounts.clear()
        for account in accounts:
            item = QListWidgetItem(account.label)
            item.setData(Qt.ItemDataRole.UserRole, (account.server_url, account.email))
            self.accounts.addItem(item)
        for widget in (self.accounts_title, self.accounts, self.use_account_button):
            widget.setVisible(bool(accounts))
        self.forget_button.setVisible(bool(accounts))
        if accounts:
            self.accounts.setCurrentRow(0)

    def set_busy(self, busy: bool, message: str = "") -> None:
        """Disables the buttons while signing in."""
        for button in (
            self.local_button,
            self.sign_in_button,
            self.use_account_button,
            self.forget_button,
        ):
            button.setEnabled(not busy)
        if busy:
            self.error.setStyleSheet("color: palette(text)")
            self.error.setText(message)
            self.error.setVisible(bool(message))

    def failed(self, message: str) -> None:
        """Shows what went wrong under the form and lets the person try again."""
        self.set_busy(False)
        self.error.setStyleSheet("color: #c62828")
        self.error.setText(message)
        self.error.show()

    def _local(self) -> None:
        self.set_busy(True, "Connecting to this computer…")
        self.local_chosen.emit()

    def _account(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        url, email = item.data(Qt.ItemDataRole.UserRole)
        self.set_busy(True, f"Signing in to {url}…")
        self.account_chosen.emit(url, email)

    def _forget(self) -> None:
        item = self.accounts.currentItem()
        if item is not None:
            url, email = item.data(Qt.ItemDataRole.UserRole)
            self.forget_requested.emit(url, email)

    def _sign_in(self) -> None:
        missing = [
            label
            for label, field in (
                ("the server address", self.url),
                ("your email", self.email),
                ("your password", self.password),
            )
            if not field.text().strip()
        ]
        if missing:
            self.failed("Enter " + " and ".join(missing) + ".")
            return
        self.set_busy(True, f"Signing in to {self.url.text().strip()}…")
        self.sign_in_requested.emit(
            self.url.text().strip(), self.email.text().strip(), self.password.text()
        )
