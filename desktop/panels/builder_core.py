"""The builder's shared core: its parts, drawing the document, selecting, applying an edit."""

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desktop.canvas.scene import FlowScene
from desktop.canvas.view import FlowView
from desktop.client import ApiClient, PieceCatalog
from desktop.document import FlowDocument, SaveQueue
from desktop.panels.builder_toolbar import BuilderToolbar
from desktop.panels.connection_dialog import ConnectionDialog, SignIn
from desktop.panels.data_panel import DataPanel
from desktop.panels.piece_selector import PieceSelector
from desktop.panels.problems_list import ProblemsList
from desktop.panels.step_settings import StepSettingsPanel
from desktop.panels.versions_panel import VersionsPanel
from engine.model import Flow, FlowLoadError, FlowOperationError, Step, Trigger, iter_steps
from engine.model.operations import DocumentOperation
from engine.model.resources import FlowRead, FlowRunRead

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class BuilderCore(QWidget):
    """What every part of the builder shares: its widgets and document (made by BuilderPanel),
    drawing, selecting, applying an edit, and the status line."""

    #: A message for the status bar.
    message = Signal(str)
    #: A run of this flow finished a test (its id), for the Runs tab.
    run_finished = Signal(str)

    client: ApiClient
    flow_read: FlowRead
    catalog: PieceCatalog
    spawn: Spawn
    sign_in: SignIn | None
    document: FlowDocument
    scene: FlowScene
    view: FlowView
    settings: StepSettingsPanel
    data: DataPanel
    versions: VersionsPanel
    problems: ProblemsList
    status: QLabel
    toolbar: BuilderToolbar
    #: The trigger data Test flow sends (JSON text, in the toolbar).
    test_body: QLineEdit
    #: The last test run (its outputs feed the Data panel).
    last_run: FlowRunRead | None
    selector: PieceSelector | None
    connection_dialog: ConnectionDialog
    #: True while an edit made in the settings form is applied (the form is not rebuilt).
    _from_form: bool

    @property
    def saves(self) -> SaveQueue:
        """The document's save queue."""
        assert self.document.saves is not None
        return self.document.saves

    def reactivate(self, *_: object) -> None:
        """Makes the builder's window active again once one of its dialogs closed.

        Its shortcuts (Ctrl+T, Ctrl+Shift+T, Delete…) only fire in the active window, and not
        every platform gives activation back to the parent of a closed dialog (Qt's offscreen
        platform kept the hidden piece selector active, so Ctrl+Shift+T did nothing).
        """
        self.window().activateWindow()

    def refresh(self) -> None:
        """Draws the document again; keeps the settings form unless the selected step changed."""
        flow = self.document.flow
        problems = {
            step: [f"{p.field}: {p.message}" for p in found]
            for step, found in self.document.problems_by_step().items()
        }
        self.scene.show_flow(flow, problems=problems, piece_names=self.catalog.display_names())
        if self.last_run is not None and self.last_run.steps:
            self._show_run_marks(self.last_run)
        self.problems.show_problems(self.document.problems())
        self.toolbar.show_undo(self.document.undo_label, self.document.redo_label)
        selected = self.settings.step
        current = find_step(flow, selected.name) if selected is not None else None
        if selected is not None and current is None:
            self.settings.show_step(None)
        elif current is not None and self._from_form:
            self.settings.step = current
        elif current is not None and current != selected:
            self.settings.show_step(current)
            self.scene.select_step(current.name)

    def select(self, name: str) -> None:
        """Selects a step on the canvas and shows its settings and the data before it."""
        step = find_step(self.document.flow, name)
        self.scene.select_step(name if step is not None else None)
        self.settings.show_step(step)
        self.data.show_outputs(self._outputs_before(name))

    def selected(self) -> str | None:
        """The selected step's name."""
        return self.scene.selected_step()

    def apply(self, operation: DocumentOperation) -> bool:
        """Applies an edit; a refused one is explained and changes nothing."""
        try:
            self.document.edit(operation)
        except (FlowOperationError, FlowLoadError) as err:
            self._say(f"Cannot {operation.type.lower().replace('_', ' ')}: {err}")
            return False
        return True

    def _show_run_marks(self, run: FlowRunRead) -> None:
        statuses = {
            name: (report.status.value, report.duration)
            for name, report in (run.steps or {}).items()
        }
        self.scene.set_statuses(statuses)

    def _outputs_before(self, name: str) -> dict[str, Any]:
        steps = (self.last_run.steps if self.last_run else None) or {}
        outputs: dict[str, Any] = {}
        order = ["trigger", *(s.name for s in iter_steps(self.document.flow.steps))]
        for step_name in order:
            if step_name == name:
                break
            if step_name in steps:
                outputs[step_name] = steps[step_name].output
        return outputs

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)


def find_step(flow: Flow, name: str) -> Step | Trigger | None:
    """The step (or "trigger") of that name in the flow."""
    return flow.trigger if name == "trigger" else flow.step(name)
