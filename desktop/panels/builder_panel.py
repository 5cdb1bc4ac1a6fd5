"""The flow builder: canvas, step settings, data to insert, problems, and the toolbar (undo, publish, test).

Intents from the canvas and panels become operations on the FlowDocument; server calls go
through desktop.client as tasks, so the GUI thread never waits on them. The parts are mixed in
from one module each: `builder_core` (shared state, drawing, selecting), `builder_edits`,
`builder_server`, `builder_tests`, and `builder_toolbar`.
"""

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.canvas.scene import FlowScene
from desktop.canvas.view import FlowView
from desktop.client import ApiClient, PieceCatalog
from desktop.client.operations import send_operation
from desktop.document import FlowDocument, SaveQueue, SaveState
from desktop.panels.builder_core import Spawn
from desktop.panels.builder_edits import BuilderEdits
from desktop.panels.builder_server import BuilderServer
from desktop.panels.builder_tests import BuilderTests
from desktop.panels.builder_toolbar import BuilderToolbar
from desktop.panels.connection_dialog import SignIn
from desktop.panels.data_panel import DataPanel
from desktop.panels.piece_selector import PieceSelector
from desktop.panels.problems_list import ProblemsList
from desktop.panels.step_settings import StepSettingsPanel
from desktop.panels.versions_panel import VersionsPanel
from engine.model.operation_requests import UpdateNoteRequest
from engine.model.operations import (
    DeleteBranchOperation,
    DeleteBranchRequest,
    UpdateActionOperation,
    UpdateNoteOperation,
    UpdateTriggerOperation,
)
from engine.model.resources import AppConnectionRead, FlowRead, FlowRunRead

__all__ = ["BuilderPanel", "Spawn"]


class BuilderPanel(BuilderEdits, BuilderTests, BuilderServer):
    """One open flow."""

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
        # Edits made while signed out are sent once the client has a working token again.
        self._stop_resuming = client.on_token_changed(saves.resume)
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
        self.toolbar = BuilderToolbar(self)
        self._build_layout()
        self._connect()
        self.document.subscribe(lambda _: self.refresh())
        self.refresh()
        self.view.fit()

    def _build_layout(self) -> None:
        toolbar = self.toolbar
        # Kept as the builder's own attributes: the window and the tests use them.
        self.undo_action, self.redo_action = toolbar.undo_action, toolbar.redo_action
        self.test_action, self.test_step_action = toolbar.test_action, toolbar.test_step_action
        self.publish_action, self.test_body = toolbar.publish_action, toolbar.test_body
        self.save_label = toolbar.save_label
        self.retry_action, self.reload_action = toolbar.retry_action, toolbar.reload_action
        self.add_canvas_shortcuts()
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

    def _connect(self) -> None:
        toolbar = self.toolbar
        toolbar.undo_action.triggered.connect(lambda: self.undo())
        toolbar.redo_action.triggered.connect(lambda: self.redo())
        toolbar.zoom_in_action.triggered.connect(lambda: self.view.zoom_by(1.2))
        toolbar.zoom_out_action.triggered.connect(lambda: self.view.zoom_by(1 / 1.2))
        toolbar.fit_action.triggered.connect(lambda: self.view.fit())
        toolbar.test_action.triggered.connect(lambda: self.spawn(self.test_flow()))
        toolbar.test_step_action.triggered.connect(lambda: self.spawn(self.test_step()))
        toolbar.publish_action.triggered.connect(lambda: self.spawn(self.publish()))
        toolbar.retry_button.clicked.connect(self.saves.retry)
        toolbar.reload_button.clicked.connect(lambda: self.spawn(self.reload()))
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

    def stop_saving(self) -> None:
        """The tab closes: stops sending (and resuming after a sign-in); pending edits stay."""
        self._stop_resuming()
        self.saves.close()

    def _save_state(self, state: SaveState, message: str) -> None:
        self.toolbar.show_save_state(state, message)
