"""The flow builder: canvas, step settings, data to insert, problems, and the toolbar (undo, publish, test).

Intents from the canvas and panels become operations on the FlowDocument; server calls go
through desktop.client as tasks, so the GUI thread never waits on them.
"""

import json
import logging
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.canvas.scene import FlowScene
from desktop.canvas.view import FlowView
from desktop.client import ApiClient, ApiError, PieceCatalog
from desktop.client.operations import send_operation
from desktop.client.run_watcher import watch_run
from desktop.document import FlowDocument, SaveQueue, SaveState
from desktop.document.clipboard import copied, pasted
from desktop.document.placement import Placement
from desktop.document.step_factory import (
    StepChoice,
    add_operation,
    free_name,
    new_step,
    new_trigger,
)
from desktop.panels.connection_dialog import ConnectionDialog, SignIn
from desktop.panels.data_panel import DataPanel
from desktop.panels.piece_selector import PieceSelector
from desktop.panels.problems_list import ProblemsList
from desktop.panels.step_settings import StepSettingsPanel
from desktop.panels.versions_panel import VersionsPanel
from engine.model import (
    Flow,
    FlowLoadError,
    FlowOperationError,
    PieceStep,
    PieceTrigger,
    Step,
    Trigger,
    iter_steps,
)
from engine.model.operation_requests import (
    AddNoteRequest,
    DeleteNoteRequest,
    NotePosition,
    UpdateNoteRequest,
)
from engine.model.operations import (
    AddBranchOperation,
    AddBranchRequest,
    AddNoteOperation,
    DeleteActionOperation,
    DeleteActionRequest,
    DeleteBranchOperation,
    DeleteBranchRequest,
    DeleteNoteOperation,
    DocumentOperation,
    DuplicateActionOperation,
    DuplicateActionRequest,
    ImportFlowOperation,
    MoveActionOperation,
    MoveActionRequest,
    UpdateActionOperation,
    UpdateBranchOperation,
    UpdateBranchRequest,
    UpdateNoteOperation,
    UpdateTriggerOperation,
)
from engine.model.resources import AppConnectionRead, FlowRead, FlowRunRead

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class BuilderPanel(QWidget):
    """One open flow."""

    #: A message for the status bar.
    message = Signal(str)
    #: A run of this flow finished a test (its id), for the Runs tab.
    run_finished = Signal(str)

    def __init__(
        self,
        *,
        client: ApiClient,
        flow: FlowRead,
        catalog: PieceCatalog,
        connections: list[AppConnectionRead],
        spawn: Spawn,
        sign_in: SignIn | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.sign_in = sign_in
        self.flow_read = flow
        self.catalog = catalog
        self.spawn = spawn
        self.last_run: FlowRunRead | None = None
        self._from_form = False
        self.selector: PieceSelector | None = None
        saves = SaveQueue(partial(send_operation, client, flow.id), on_state=self._save_state)
        self.document = FlowDocument(
            flow_id=flow.id,
            flow=flow.version.definition,
            saves=saves,
            pieces=catalog.for_validation() if catalog.metadata else None,
        )
        self.scene = FlowScene(self)
        self.view = FlowView(self.scene)
        self.settings = StepSettingsPanel(catalog)
        self.settings.connections = connections
        self.settings.webhook_url = client.webhook_url(flow.id)
        self.settings.options_loader = self._load_options
        self.settings.spawn = spawn
        self.data = DataPanel()
        self.versions = VersionsPanel()
        self.problems = ProblemsList()
        self.status = QLabel()
        self._build_layout()
        self._connect()
        self.document.subscribe(lambda _: self.refresh())
        self.refresh()
        self.view.fit()

    @property
    def saves(self) -> SaveQueue:
        """The document's save queue."""
        assert self.document.saves is not None
        return self.document.saves

    # ---------------------------------------------------------------- layout

    def _build_layout(self) -> None:
        self.toolbar = QToolBar()
        self.undo_action = self._action("Undo", QKeySequence.StandardKey.Undo, self.undo)
        self.redo_action = self._action(
            "Redo", QKeySequence("Ctrl+Shift+Z"), self.redo, also=QKeySequence.StandardKey.Redo
        )
        self.toolbar.addSeparator()
        self._action("Zoom in", QKeySequence.StandardKey.ZoomIn, lambda: self.view.zoom_by(1.2))
        self._action(
            "Zoom out", QKeySequence.StandardKey.ZoomOut, lambda: self.view.zoom_by(1 / 1.2)
        )
        self._action("Fit", QKeySequence("Ctrl+0"), self.view.fit)
        self.toolbar.addSeparator()
        self.test_body = QLineEdit('{"name": "Ada"}')
        self.test_body.setObjectName("testBody")
        self.test_body.setToolTip(
            "Trigger data of Test flow (JSON); empty: the trigger's sample data"
        )
        self.test_body.setMaximumWidth(200)
        self.toolbar.addWidget(QLabel(" Test body "))
        self.toolbar.addWidget(self.test_body)
        self.test_action = self._action(
            "Test flow", QKeySequence("Ctrl+T"), lambda: self.spawn(self.test_flow())
        )
        self.test_step_action = self._action(
            "Test step", QKeySequence("Ctrl+Shift+T"), lambda: self.spawn(self.test_step())
        )
        self.publish_action = self._action(
            "Publish", QKeySequence("Ctrl+P"), lambda: self.spawn(self.publish())
        )
        self.save_label = QLabel("All changes saved")
        self.save_label.setObjectName("saveState")
        self.retry_button = QPushButton("Retry saving")
        self.retry_button.clicked.connect(self.saves.retry)
        self.reload_button = QPushButton("Reload from server")
        self.reload_button.clicked.connect(lambda: self.spawn(self.reload()))
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.save_label)
        # Widgets in a toolbar are shown and hidden through their actions.
        self.retry_action = self.toolbar.addWidget(self.retry_button)
        self.reload_action = self.toolbar.addWidget(self.reload_button)
        self.retry_action.setVisible(False)
        self.reload_action.setVisible(False)
        # Editing shortcuts act on the canvas selection; they live on the view so that typing in
        # a settings field (Delete, Ctrl+C) keeps its usual meaning there.
        for text, key, slot in (
            ("Delete step", QKeySequence.StandardKey.Delete, self.delete_selected),
            ("Duplicate step", QKeySequence("Ctrl+D"), self.duplicate_selected),
            ("Copy step", QKeySequence.StandardKey.Copy, self.copy_selected),
            ("Paste step", QKeySequence.StandardKey.Paste, self.paste),
            ("Add note", QKeySequence("Ctrl+Shift+N"), self.add_note),
            ("Select the step above", QKeySequence("Alt+Up"), lambda: self.select_next(-1)),
            ("Select the step below", QKeySequence("Alt+Down"), lambda: self.select_next(1)),
            ("Clear the selection", QKeySequence("Escape"), lambda: self.select("")),
        ):
            action = QAction(text, self.view)
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.view.addAction(action)
        side = QTabWidget()
        side.addTab(self.settings, "Settings")
        side.addTab(self.data, "Data")
        side.addTab(self.versions, "Versions")
        side.currentChanged.connect(
            lambda index: (
                self.spawn(self.load_versions()) if side.widget(index) is self.versions else None
            )
        )
        self.side_tabs = side
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.view)
        left.addWidget(self.problems)
        left.setSizes([520, 110])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(side)
        split.setSizes([640, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        layout.addLayout(bottom)

    def _action(
        self,
        text: str,
        key: QKeySequence | QKeySequence.StandardKey,
        slot: Callable[[], object],
        *,
        also: QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(text, self)
        keys = [QKeySequence(key)] + ([QKeySequence(also)] if also is not None else [])
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: slot())
        self.addAction(action)
        self.toolbar.addAction(action)
        return action

    def _connect(self) -> None:
        self.scene.step_clicked.connect(self.select)
        self.scene.slot_clicked.connect(self.choose_step_for)
        self.scene.step_dropped.connect(self.move_step)
        self.scene.branch_clicked.connect(lambda router, _: self.select(router))
        self.scene.note_moved.connect(self.move_note)
        self.scene.note_edited.connect(
            lambda note_id, text: self.apply(
                UpdateNoteOperation(request=UpdateNoteRequest(id=note_id, content=text))
            )
        )
        self.problems.step_requested.connect(self.select)
        self.settings.step_changed.connect(
            lambda step: self._apply_from_form(UpdateActionOperation(request=step))
        )
        self.settings.trigger_changed.connect(
            lambda trigger: self._apply_from_form(UpdateTriggerOperation(request=trigger))
        )
        self.settings.trigger_requested.connect(self.choose_trigger)
        self.settings.connection_requested.connect(self.new_connection)
        self.settings.test_request_requested.connect(lambda: self.spawn(self.send_test_request()))
        self.settings.branch_changed.connect(self._branch_changed)
        self.settings.branch_added.connect(self._branch_added)
        self.settings.branch_deleted.connect(
            lambda router, index: self.apply(
                DeleteBranchOperation(
                    request=DeleteBranchRequest(step_name=router, branch_index=index)
                )
            )
        )
        self.data.insert_requested.connect(self.settings.insert_text)
        self.versions.refresh_requested.connect(lambda: self.spawn(self.load_versions()))
        self.versions.use_as_draft_requested.connect(
            lambda version_id: self.spawn(self.use_as_draft(version_id))
        )

    # ---------------------------------------------------------------- showing

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
        self.undo_action.setEnabled(self.document.undo_label is not None)
        self.redo_action.setEnabled(self.document.redo_label is not None)
        self.undo_action.setText(f"Undo {self.document.undo_label or ''}".strip())
        self.redo_action.setText(f"Redo {self.document.redo_label or ''}".strip())
        selected = self.settings.step
        current = _find(flow, selected.name) if selected is not None else None
        if selected is not None and current is None:
            self.settings.show_step(None)
        elif current is not None and self._from_form:
            self.settings.step = current
        elif current is not None and current != selected:
            self.settings.show_step(current)
            self.scene.select_step(current.name)

    def select(self, name: str) -> None:
        """Selects a step on the canvas and shows its settings and the data before it."""
        step = _find(self.document.flow, name)
        self.scene.select_step(name if step is not None else None)
        self.settings.show_step(step)
        self.data.show_outputs(self._outputs_before(name))

    def selected(self) -> str | None:
        """The selected step's name."""
        return self.scene.selected_step()

    # ---------------------------------------------------------------- editing

    def apply(self, operation: DocumentOperation) -> bool:
        """Applies an edit; a refused one is explained and changes nothing."""
        try:
            self.document.edit(operation)
        except (FlowOperationError, FlowLoadError) as err:
            self._say(f"Cannot {operation.type.lower().replace('_', ' ')}: {err}")
            return False
        return True

    def choose_step_for(self, placement: Placement) -> PieceSelector:
        """Opens the piece selector for a "+"; the choice is added there."""
        selector = PieceSelector(self.catalog, parent=self)
        selector.chosen.connect(lambda choice: self.add_step(choice, placement))
        self.selector = selector
        selector.open()
        return selector

    def choose_trigger(self) -> PieceSelector:
        """Opens the piece selector on triggers."""
        selector = PieceSelector(self.catalog, triggers=True, parent=self)
        selector.chosen.connect(self.set_trigger)
        self.selector = selector
        selector.open()
        return selector

    def add_step(self, choice: StepChoice, placement: Placement) -> str | None:
        """Adds a new step made from a choice; returns its name."""
        step = new_step(choice, free_name(self.document.flow))
        if self.apply(add_operation(step, placement)):
            self.select(step.name)
            return step.name
        return None

    def set_trigger(self, choice: StepChoice) -> None:
        """Replaces the trigger with a piece trigger."""
        if self.apply(UpdateTriggerOperation(request=new_trigger(choice))):
            self.select("trigger")

    def move_step(self, name: str, placement: Placement) -> None:
        """Moves a step (dragged onto a "+")."""
        self.apply(
            MoveActionOperation(
                request=MoveActionRequest(
                    name=name,
                    new_parent_step=placement.parent,
                    step_location_relative_to_new_parent=placement.location,
                    branch_index=placement.branch_index,
                )
            )
        )

    def add_note(self) -> str | None:
        """Adds an empty note right of the flow, level with the visible part, and starts editing it."""
        top = self.view.mapToScene(self.view.viewport().rect().topLeft()).y()
        taken = {note.id for note in self.document.flow.notes}
        note_id = next(f"note_{n}" for n in range(1, len(taken) + 2) if f"note_{n}" not in taken)
        position = NotePosition(
            x=self.scene.layout_result.width, y=max(20.0, top + 20 + 30 * len(taken))
        )
        if not self.apply(AddNoteOperation(request=AddNoteRequest(id=note_id, position=position))):
            return None
        item = self.scene.note_items[note_id]
        self.scene.select_step(note_id)
        item.start_editing()
        return note_id

    def move_note(self, note_id: str, x: float, y: float) -> None:
        """Stores a note's new place (dragged on the canvas)."""
        position = NotePosition(x=max(0.0, x), y=max(0.0, y))
        self.apply(UpdateNoteOperation(request=UpdateNoteRequest(id=note_id, position=position)))

    def select_next(self, offset: int) -> None:
        """Selects the step before (-1) or after (1) the selected one, in the flow's order."""
        order = ["trigger", *(s.name for s in iter_steps(self.document.flow.steps))]
        current = self.selected()
        index = order.index(current) + offset if current in order else 0
        name = order[max(0, min(len(order) - 1, index))]
        self.select(name)
        self.view.centerOn(self.scene.step_items[name])

    def delete_selected(self) -> None:
        """Deletes the selected step (with its children) or note."""
        note = self.scene.selected_note()
        if note is not None:
            self.apply(DeleteNoteOperation(request=DeleteNoteRequest(id=note)))
            return
        name = self.selected()
        if name and name != "trigger":
            self.apply(DeleteActionOperation(request=DeleteActionRequest(names=[name])))

    def duplicate_selected(self) -> None:
        """Copies the selected step right after itself."""
        name = self.selected()
        if name and name != "trigger":
            self.apply(DuplicateActionOperation(request=DuplicateActionRequest(step_name=name)))

    def copy_selected(self) -> None:
        """Puts the selected step on the clipboard (paste it into any flow)."""
        step = self.document.flow.step(self.selected() or "")
        if step is not None:
            QGuiApplication.clipboard().setText(copied(step))
            self._say(f"Copied {step.name}")

    def paste(self) -> None:
        """Adds the clipboard's step after the selected step (or at the end)."""
        flow = self.document.flow
        step = pasted(flow, QGuiApplication.clipboard().text())
        if step is None:
            self._say("The clipboard holds no step")
            return
        after = self.selected() or (flow.steps[-1].name if flow.steps else "trigger")
        if self.apply(add_operation(step, Placement(parent=after))):
            self.select(step.name)

    def undo(self) -> None:
        """Takes back the last edit."""
        if self.document.undo():
            self._reselect()

    def redo(self) -> None:
        """Makes the last undone edit again."""
        if self.document.redo():
            self._reselect()

    def _reselect(self) -> None:
        name = self.settings.step.name if self.settings.step is not None else None
        if name is not None and _find(self.document.flow, name) is None:
            self.settings.show_step(None)

    def _apply_from_form(self, operation: DocumentOperation) -> None:
        # The form already shows the edit: rebuilding it would take the person's focus away.
        self._from_form = True
        try:
            self.apply(operation)
        finally:
            self._from_form = False

    def _branch_changed(self, router: str, index: int, name: str, conditions: Any) -> None:
        self._apply_from_form(
            UpdateBranchOperation(
                request=UpdateBranchRequest(
                    step_name=router, branch_index=index, branch_name=name, conditions=conditions
                )
            )
        )

    def _branch_added(self, router: str) -> None:
        step = self.document.flow.step(router)
        branches = getattr(step, "branches", [])
        fallback = next(
            (i for i, b in enumerate(branches) if b.branch_type == "FALLBACK"), len(branches)
        )
        self.apply(
            AddBranchOperation(
                request=AddBranchRequest(
                    step_name=router, branch_index=fallback, branch_name=f"Branch {fallback + 1}"
                )
            )
        )

    # ---------------------------------------------------------------- server

    async def publish(self) -> bool:
        """Saves, checks, then publishes the draft (LOCK_AND_PUBLISH) and turns the flow on."""
        problems = self.document.problems()
        if problems:
            self.problems.setFocus()
            self.select(problems[0].step)
            self._say(f"Fix {len(problems)} problem(s) before publishing (listed under the canvas)")
            return False
        if not await self.saves.drained():
            self._say(f"Publish waits for the draft to be saved: {self.saves.message}")
            return False
        try:
            self.flow_read = await self.client.operate(
                self.document.flow_id, "LOCK_AND_PUBLISH", {}
            )
        except ApiError as err:
            self._say(f"Not published: {err.message}")
            return False
        self._say("Published: the flow is on")
        await self.load_versions()
        return True

    def new_connection(self, piece_name: str) -> ConnectionDialog:
        """Opens the new-connection form for the selected step's piece (secrets masked; OAuth2
        pieces sign in through the browser)."""
        dialog = ConnectionDialog(self.catalog, self, sign_in=self.sign_in)
        dialog.piece.setCurrentIndex(max(0, dialog.piece.findData(piece_name)))
        dialog.external_id.setText(piece_name)
        dialog.accepted.connect(lambda: self.spawn(self.create_connection(dialog)))
        self.connection_dialog = dialog
        dialog.open()
        return dialog

    async def create_connection(self, dialog: ConnectionDialog) -> bool:
        """Saves the dialog's connection (unless its OAuth2 sign-in did) and makes the selected
        step use it."""
        external_id = dialog.external_id.text().strip()
        try:
            if dialog.connection is None:
                await self.client.save_connection(
                    self.flow_read.project_id,
                    external_id=external_id,
                    display_name=dialog.display_name.text().strip() or external_id,
                    piece_name=dialog.piece_name(),
                    value=dialog.value(),
                )
            connections = await self.client.connections(self.flow_read.project_id)
        except ApiError as err:
            self._say(f"Connection not saved: {err.message}")
            return False
        self.settings.connections[:] = connections
        step = self.settings.step
        if isinstance(step, PieceStep):
            reference = f"{{{{connections['{external_id}']}}}}"
            inputs = {**step.settings.input, "auth": reference}
            edited = step.model_copy(
                update={"settings": step.settings.model_copy(update={"input": inputs})}
            )
            if self.apply(UpdateActionOperation(request=edited)):
                self.settings.show_step(self.document.flow.step(step.name))
        self._say(f"Saved connection “{external_id}”")
        return True

    async def _load_options(
        self, step: Step | Trigger, prop: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        if not isinstance(step, PieceStep | PieceTrigger):
            return {"options": [], "disabled": True, "placeholder": ""}
        name = (
            step.settings.action_name if isinstance(step, PieceStep) else step.settings.trigger_name
        )
        return await self.client.piece_options(
            project_id=self.flow_read.project_id,
            piece_name=step.settings.piece_name,
            piece_version=step.settings.piece_version or None,
            step_name=name or "",
            property_name=prop,
            values=values,
        )

    async def load_versions(self) -> bool:
        """Reads the version history into the Versions tab."""
        try:
            versions = await self.client.versions(self.document.flow_id)
            self.flow_read = await self.client.flow(self.document.flow_id)
        except ApiError as err:
            self._say(f"Versions not loaded: {err.message}")
            return False
        self.versions.show_versions(versions, self.flow_read.published_version_id)
        return True

    async def use_as_draft(self, version_id: str) -> bool:
        """Replaces the draft with a published version, as one undoable edit (an IMPORT_FLOW)."""
        try:
            version = await self.client.flow(self.document.flow_id, version_id)
        except ApiError as err:
            self._say(f"Version not loaded: {err.message}")
            return False
        definition = version.version.definition
        document = definition.model_dump(mode="json", by_alias=True)
        if not self.apply(ImportFlowOperation(request=document)):
            return False
        self._say("The draft is now a copy of that version (Undo takes it back)")
        return True

    async def test_flow(self) -> FlowRunRead | None:
        """Runs the draft as a test (with the test body, or the trigger's sample data when it is
        empty) and shows each step's progress and result on the canvas."""
        text = self.test_body.text().strip()
        try:
            payload = json.loads(text) if text else None
        except json.JSONDecodeError as err:
            self._say(
                f"The test body is not JSON ({err.msg}); fix it or empty it to use sample data"
            )
            return None
        trigger = self.document.flow.trigger
        if text and isinstance(trigger, PieceTrigger) and trigger.settings.piece_name == "webhook":
            # A webhook trigger's data is the request; the field holds its JSON body.
            payload = {"body": payload, "headers": {}, "queryParams": {}}
        return await self._test(
            "Testing the flow…",
            lambda: self.client.test_flow(self.document.flow_id, payload=payload, given=bool(text)),
        )

    async def send_test_request(self) -> FlowRunRead | None:
        """Sends the test body to the webhook's test URL, as an outside caller would."""
        try:
            body = json.loads(self.test_body.text() or "{}")
        except json.JSONDecodeError as err:
            self._say(f"The test body is not JSON: {err.msg}")
            return None

        async def start() -> FlowRunRead:
            run_id = await self.client.send_test_webhook(self.document.flow_id, body)
            return await self.client.run(run_id)

        return await self._test("Sending a test request…", start)

    async def test_step(self) -> FlowRunRead | None:
        """Runs the draft up to and including the selected step (earlier steps from their sample data)."""
        name = self.selected()
        if not name or name == "trigger":
            self._say("Select a step to test (Test flow tests the trigger's data)")
            return None
        return await self._test(
            f"Testing {name}…", lambda: self.client.test_step(self.document.flow_id, name)
        )

    async def _test(
        self, doing: str, start: Callable[[], Coroutine[Any, Any, FlowRunRead]]
    ) -> FlowRunRead | None:
        if not await self.saves.drained():
            self._say(f"The test waits for the draft to be saved: {self.saves.message}")
            return None
        self._say(doing)
        self.scene.set_statuses({})
        try:
            started = await start()
            run = await watch_run(
                self.client, started.id, on_update=self._show_run_marks, on_event=self._run_event
            )
        except ApiError as err:
            self._say(f"Test not started: {err.message}")
            return None
        except TimeoutError:
            self._say("The test run is still going; see it in Runs")
            return None
        self.last_run = run
        self._show_run_marks(run)
        self._say(f"Test run {run.status}" + (f": {run.error}" if run.error else ""))
        self.settings.run_errors = {
            name: report.error_message
            for name, report in (run.steps or {}).items()
            if report.error_message
        }
        selected = self.selected()
        if selected:
            self.data.show_outputs(self._outputs_before(selected))
            current = _find(self.document.flow, selected)
            if current is not None and selected != "trigger" and not self._from_form:
                self.settings.show_step(current)  # shows the error line of a failed code step
        self.run_finished.emit(run.id)
        return run

    async def reload(self) -> None:
        """Drops unsaved edits and shows the server's draft."""
        try:
            flow = await self.client.flow(self.document.flow_id)
        except ApiError as err:
            self._say(err.message)
            return
        self.saves.discard()
        self.document.replace(flow.version.definition)
        self._say("Reloaded from the server")

    def _run_event(self, event: dict[str, Any]) -> None:
        step = event.get("step")
        item = self.scene.step_items.get(step) if isinstance(step, str) else None
        if event.get("type") == "STEP_STARTED" and item is not None:
            item.set_status("RUNNING")

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

    def _save_state(self, state: SaveState, message: str) -> None:
        self.save_label.setText(message)
        rejected = state == SaveState.REJECTED
        self.retry_action.setVisible(rejected or state == SaveState.RETRYING)
        self.reload_action.setVisible(rejected)
        colour = {"REJECTED": "#d92d20", "RETRYING": "#b45309"}.get(state.value, "#6b7280")
        self.save_label.setStyleSheet(f"color: {colour};")

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)


def _find(flow: Flow, name: str) -> Step | Trigger | None:
    return flow.trigger if name == "trigger" else flow.step(name)
