"""The builder's toolbar: undo/redo, zoom, the test body with Test flow/Test step, Publish, and
the save state with Retry/Reload."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QToolBar, QWidget

from desktop.document import SaveState


class BuilderToolbar(QToolBar):
    """The actions are also added to `owner`, whose shortcuts they are (the builder tab)."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__()
        self._owner = owner
        self.undo_action = self._action("Undo", QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(
            "Redo", QKeySequence("Ctrl+Shift+Z"), also=QKeySequence.StandardKey.Redo
        )
        self.addSeparator()
        self.zoom_in_action = self._action("Zoom in", QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._action("Zoom out", QKeySequence.StandardKey.ZoomOut)
        self.fit_action = self._action("Fit", QKeySequence("Ctrl+0"))
        self.addSeparator()
        self.test_body = QLineEdit('{"name": "Ada"}')
        self.test_body.setObjectName("testBody")
        self.test_body.setToolTip(
            "Trigger data of Test flow (JSON); empty: the trigger's sample data"
        )
        self.test_body.setMaximumWidth(200)
        self.addWidget(QLabel(" Test body "))
        self.addWidget(self.test_body)
        self.test_action = self._action("Test flow", QKeySequence("Ctrl+T"))
        self.test_step_action = self._action("Test step", QKeySequence("Ctrl+Shift+T"))
        self.publish_action = self._action("Publish", QKeySequence("Ctrl+P"))
        self.save_label = QLabel("All changes saved")
        self.save_label.setObjectName("saveState")
        self.retry_button = QPushButton("Retry saving")
        self.reload_button = QPushButton("Reload from server")
        self.addSeparator()
        self.addWidget(self.save_label)
        # Widgets in a toolbar are shown and hidden through their actions.
        self.retry_action = self.addWidget(self.retry_button)
        self.reload_action = self.addWidget(self.reload_button)
        self.retry_action.setVisible(False)
        self.reload_action.setVisible(False)

    def show_undo(self, undo_label: str | None, redo_label: str | None) -> None:
        """Names the edit Undo and Redo would take back or make again (disabled: none)."""
        self.undo_action.setEnabled(undo_label is not None)
        self.redo_action.setEnabled(redo_label is not None)
        self.undo_action.setText(f"Undo {undo_label or ''}".strip())
        self.redo_action.setText(f"Redo {redo_label or ''}".strip())

    def show_save_state(self, state: SaveState, message: str) -> None:
        """The save queue's state; Retry while retrying or refused, Reload when refused (signed
        out, saving carries on by itself after the sign-in)."""
        self.save_label.setText(message)
        rejected = state == SaveState.REJECTED
        self.retry_action.setVisible(rejected or state == SaveState.RETRYING)
        self.reload_action.setVisible(rejected)
        colour = {"REJECTED": "#d92d20", "RETRYING": "#b45309", "SIGNED_OUT": "#b45309"}.get(
            state.value, "#6b7280"
        )
        self.save_label.setStyleSheet(f"color: {colour};")

    def _action(
        self,
        text: str,
        key: QKeySequence | QKeySequence.StandardKey,
        *,
        also: QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self._owner)
        keys = [QKeySequence(key)] + ([QKeySequence(also)] if also is not None else [])
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._owner.addAction(action)
        self.addAction(action)
        return action
