"""Settings: the local server's data dir, public URL and network mode, the theme and notifications."""

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.preferences import NetworkMode, Preferences, Theme, default_data_dir, problems

_THEMES = {Theme.SYSTEM: "Same as the system", Theme.LIGHT: "Light", Theme.DARK: "Dark"}
_MODES = {
    NetworkMode.STRICT: "Strict: flows cannot reach this computer or the local network",
    NetworkMode.UNRESTRICTED: "Unrestricted: flows may reach private addresses",
}


class SettingsDialog(QDialog):
    """Edits the preferences; shows each wrong value under its field and saves only valid ones."""

    #: The person saved valid settings.
    saved = Signal(object)

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self._original = preferences
        self.data_dir = QLineEdit(preferences.data_dir)
        self.data_dir.setPlaceholderText(str(default_data_dir()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.public_url = QLineEdit(preferences.public_url)
        self.public_url.setPlaceholderText("none: webhooks work on this computer only")
        self.network_mode = QComboBox()
        for mode, text in _MODES.items():
            self.network_mode.addItem(text, mode)
        self.network_mode.setCurrentIndex(list(_MODES).index(preferences.network_mode))
        self.theme = QComboBox()
        for theme, text in _THEMES.items():
            self.theme.addItem(text, theme)
        self.theme.setCurrentIndex(list(_THEMES).index(preferences.theme))
        self.notify_failed_runs = QCheckBox("Notify me when a run fails")
        self.notify_failed_runs.setChecked(preferences.notify_failed_runs)
        #: Inline messages, one under each field that can be wrong.
        self.errors = {name: _error_label() for name in ("data_dir", "public_url")}
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Data folder", data_row)
        form.addRow("", self.errors["data_dir"])
        form.addRow("Public URL", self.public_url)
        form.addRow("", self.errors["public_url"])
        form.addRow("Network", self.network_mode)
        form.addRow("Theme", self.theme)
        form.addRow("", self.notify_failed_runs)
        note = QLabel(
            "The data folder, public URL and network mode apply to the server on this computer "
            "when it starts again (Quit Piecework and open it again)."
        )
        note.setWordWrap(True)
        save = QPushButton("Save")
        save.setDefault(True)
        save.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addLayout(buttons)

    def chosen(self) -> Preferences:
        """The settings as the form shows them."""
        return replace(
            self._original,
            data_dir=self.data_dir.text().strip(),
            public_url=self.public_url.text().strip().rstrip("/"),
            network_mode=NetworkMode(self.network_mode.currentData()),
            theme=Theme(self.theme.currentData()),
            notify_failed_runs=self.notify_failed_runs.isChecked(),
        )

    def save(self) -> bool:
        """Emits `saved` and closes when every value is valid; else shows what to fix."""
        chosen = self.chosen()
        found = problems(chosen)
        for name, label in self.errors.items():
            label.setText(found.get(name, ""))
            label.setVisible(name in found)
        if found:
            return False
        self.saved.emit(chosen)
        self.accept()
        return True

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #c62828")
    label.setWordWrap(True)
    label.hide()
    return label
