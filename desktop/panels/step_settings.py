"""The step settings panel: a form generated from piece metadata, the code editor, the router and loop editors.

It reads a step and emits the changed step (or trigger); the builder turns that into operations.
"""

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.client import ApiError
from desktop.client.piece_catalog import PieceCatalog
from desktop.panels.code_editor import CodeEditor, error_line
from desktop.panels.loaded_editors import DynamicEditor, LoadedEditor
from desktop.panels.prop_editor import PropEditor
from desktop.panels.prop_editors import JsonEditor, make_editor
from desktop.panels.router_editor import RouterEditor
from engine.model import (
    CodeStep,
    EmptyTrigger,
    ErrorHandlingOptions,
    ErrorOption,
    LoopStep,
    PieceStep,
    PieceTrigger,
    RouterExecutionType,
    RouterStep,
    Step,
    Trigger,
)
from engine.model.pieces import PropSchema
from engine.model.resources import AppConnectionRead

_INPUTS = PropSchema(
    type="OBJECT",
    display_name="Inputs",
    description="Values passed to the code as `inputs` (JSON object; values may be {{references}}).",
)
NO_CONNECTION = "(no connection)"
NEW_CONNECTION = "New connection…"
#: The data of the picker's "New connection…" item.
NEW_CONNECTION_DATA = "__new__"


class OptionsLoader(Protocol):
    """Loads a dropdown's options: (step, prop key, the form's values) → `{options, disabled,
    placeholder}`; `within` names the DYNAMIC prop when the dropdown is one of its fields."""

    def __call__(
        self, step: Step | Trigger, prop: str, values: dict[str, Any], *, within: str | None = None
    ) -> Coroutine[Any, Any, dict[str, Any]]: ...


Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class StepSettingsPanel(QScrollArea):
    """Shows the selected step's settings; edits come out as `step_changed` / `trigger_changed`."""

    #: The edited step (UPDATE_ACTION).
    step_changed = Signal(object)
    #: The edited trigger (UPDATE_TRIGGER).
    trigger_changed = Signal(object)
    #: Open the trigger selector.
    trigger_requested = Signal()
    #: Router intents: (router, branch index, name, conditions | None).
    branch_changed = Signal(str, int, str, object)
    #: Add a branch to the router (name).
    branch_added = Signal(str)
    #: Delete branch (router, index).
    branch_deleted = Signal(str, int)
    #: Send a test request to the webhook trigger.
    test_request_requested = Signal()
    #: Make a new connection for this piece (its key) and use it in the step.
    connection_requested = Signal(str)

    def __init__(self, catalog: PieceCatalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.connections: list[AppConnectionRead] = []
        self.webhook_url = ""
        self.step: Step | Trigger | None = None
        self.editors: list[PropEditor] = []
        self.code: CodeEditor | None = None
        self.inputs: JsonEditor | None = None
        self.items_edit: QLineEdit | None = None
        self.connection: QComboBox | None = None
        self.router_editor: RouterEditor | None = None
        self.last_input: QLineEdit | QPlainTextEdit | None = None
        #: The last test run's error per step name (a code step marks the line it names).
        self.run_errors: dict[str, str] = {}
        #: Where dropdown options come from (the builder sets it; None: typed values only).
        self.options_loader: OptionsLoader | None = None
        self.spawn: Spawn | None = None
        self.setWidgetResizable(True)
        self.setMinimumWidth(340)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.show_step(None)

    def show_step(self, step: Step | Trigger | None) -> None:
        """Builds the form of a step (None: a hint to select one)."""
        self.step = step
        self.editors, self.code, self.inputs, self.items_edit = [], None, None, None
        self.connection, self.router_editor, self.last_input = None, None, None
        body = QWidget()
        self.form = QVBoxLayout(body)
        if step is None:
            self.form.addWidget(QLabel("Select a step to see its settings."))
        elif isinstance(step, EmptyTrigger):
            self._empty_trigger()
        else:
            self._header(step)
            if isinstance(step, PieceTrigger):
                self._piece_trigger(step)
            elif isinstance(step, CodeStep):
                self._code(step)
            elif isinstance(step, LoopStep):
                self._loop(step)
            elif isinstance(step, RouterStep):
                self._router(step)
            elif isinstance(step, PieceStep):
                self._piece(step)
            if isinstance(step, CodeStep | PieceStep):
                self._error_handling(step.settings.error_handling_options)
        self.form.addStretch(1)
        self.setWidget(body)

    def insert_text(self, text: str) -> bool:
        """Inserts text (a {{reference}}) at the cursor of the last focused field and saves."""
        target = self.last_input
        if target is None:
            return False
        if isinstance(target, QLineEdit):
            target.insert(text)
        else:
            target.insertPlainText(text)
        self.commit()
        return True

    def commit(self) -> None:
        """Emits the step as edited, if it changed."""
        step = self.step
        if step is None or isinstance(step, EmptyTrigger):
            return
        edited = self._edited(step)
        if edited == step:
            return
        self.step = edited
        self._reload_dependents(_inputs(step), _inputs(edited))
        if isinstance(edited, PieceTrigger):
            self.trigger_changed.emit(edited)
        else:
            self.step_changed.emit(edited)

    # ---------------------------------------------------------------- building

    def _header(self, step: Step | PieceTrigger) -> None:
        kind = "Trigger" if isinstance(step, PieceTrigger) else step.type.replace("_", " ").title()
        title = QLabel(f"<b>{kind}</b> · {step.name}")
        self.form.addWidget(title)
        self.display_name = QLineEdit(step.display_name)
        self.display_name.setObjectName("displayName")
        self.display_name.setPlaceholderText("Step name shown on the canvas")
        self.display_name.editingFinished.connect(self.commit)
        self.form.addWidget(self.display_name)
        self.skip: QCheckBox | None = None
        if not isinstance(step, PieceTrigger):
            self.skip = QCheckBox("Skip this step")
            self.skip.setChecked(step.skip)
            self.skip.toggled.connect(lambda _: self.commit())
            self.form.addWidget(self.skip)

    def _empty_trigger(self) -> None:
        self.form.addWidget(QLabel("<b>Trigger</b><br>Choose what starts this flow."))
        choose = QPushButton("Choose a trigger…")
        choose.clicked.connect(self.trigger_requested.emit)
        self.form.addWidget(choose)

    def _piece_trigger(self, trigger: PieceTrigger) -> None:
        settings = trigger.settings
        piece = self.catalog.metadata.get(settings.piece_name)
        change = QPushButton("Change trigger…")
        change.clicked.connect(self.trigger_requested.emit)
        self.form.addWidget(change)
        if settings.piece_name == "webhook" and self.webhook_url:
            self._webhook_url()
        meta = None if piece is None else piece.triggers.get(settings.trigger_name or "")
        if meta is None:
            self.form.addWidget(QLabel(f"Piece {settings.piece_name!r} is not installed."))
            return
        self._props(meta.props, settings.input)

    def _webhook_url(self) -> None:
        row = QHBoxLayout()
        self.url_field = QLineEdit(self.webhook_url)
        self.url_field.setReadOnly(True)
        self.url_field.setObjectName("webhookUrl")
        copy = QPushButton("Copy")
        copy.setObjectName("copyWebhookUrl")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.webhook_url))
        send = QPushButton("Send test request")
        send.setObjectName("sendTestRequest")
        send.setToolTip(
            "POSTs the toolbar's test body to /test: runs the draft, keeps it as sample data"
        )
        send.clicked.connect(self.test_request_requested.emit)
        row.addWidget(self.url_field, 1)
        row.addWidget(copy)
        row.addWidget(send)
        self.form.addWidget(QLabel("Webhook URL (add /sync to wait for the flow's response)"))
        self.form.addLayout(row)
        self.form.addWidget(
            QLabel(
                "<small>Local to this computer unless the server has a public URL "
                "(PW_PUBLIC_URL).</small>"
            )
        )

    def _code(self, step: CodeStep) -> None:
        self.form.addWidget(QLabel("Code (export const code = async (inputs) => …)"))
        self.code = CodeEditor(step.settings.source_code.code)
        self.code.setObjectName("codeEditor")
        self.code.setMinimumHeight(220)
        self.code.focus_lost.connect(self.commit)
        self.form.addWidget(self.code)
        message = self.run_errors.get(step.name)
        if message:
            self.code.mark_error_line(error_line(message))
            self.code_error = QLabel(f"Last test: {message}")
            self.code_error.setObjectName("codeError")
            self.code_error.setWordWrap(True)
            self.code_error.setStyleSheet("color: #d92d20;")
            self.form.addWidget(self.code_error)
        self.inputs = JsonEditor("inputs", _INPUTS, step.settings.input)
        self.inputs.committed.connect(self.commit)
        self.form.addWidget(self.inputs)

    def _loop(self, step: LoopStep) -> None:
        self.form.addWidget(QLabel("Items (a list, usually a {{reference}})"))
        self.items_edit = QLineEdit(step.settings.items)
        self.items_edit.setObjectName("loopItems")
        self.items_edit.setPlaceholderText("{{trigger.body.rows}}")
        self.items_edit.editingFinished.connect(self.commit)
        self.form.addWidget(self.items_edit)

    def _router(self, step: RouterStep) -> None:
        editor = RouterEditor(step)
        editor.execution_changed.connect(lambda _: self.commit())
        editor.branch_changed.connect(
            lambda index, name, conditions: self.branch_changed.emit(
                step.name, index, name, conditions
            )
        )
        editor.branch_added.connect(lambda: self.branch_added.emit(step.name))
        editor.branch_deleted.connect(lambda index: self.branch_deleted.emit(step.name, index))
        self.router_editor = editor
        self.form.addWidget(editor)

    def _piece(self, step: PieceStep) -> None:
        settings = step.settings
        piece = self.catalog.metadata.get(settings.piece_name)
        action = None if piece is None else piece.actions.get(settings.action_name or "")
        if piece is None or action is None:
            self.form.addWidget(
                QLabel(
                    f"Piece {settings.piece_name!r} (action {settings.action_name!r}) is not "
                    "installed on this server: the step cannot run until it is."
                )
            )
            return
        self.form.addWidget(QLabel(f"{piece.display_name} · {action.display_name}"))
        if piece.auth is not None:
            self._connection_picker(settings.piece_name, settings.input.get("auth"))
        self._props(action.props, settings.input)

    def _connection_picker(self, piece_name: str, current: Any) -> None:
        self.form.addWidget(QLabel("Connection"))
        combo = QComboBox()
        combo.setObjectName("connection")
        combo.addItem(NO_CONNECTION, None)
        for connection in self.connections:
            if connection.piece_name == piece_name:
                reference = f"{{{{connections['{connection.external_id}']}}}}"
                combo.addItem(connection.display_name, reference)
        index = combo.findData(current)
        if index < 0 and isinstance(current, str) and current:
            combo.addItem(current, current)
            index = combo.count() - 1
        combo.setCurrentIndex(max(0, index))
        combo.addItem(NEW_CONNECTION, NEW_CONNECTION_DATA)
        combo.activated.connect(lambda _: self._connection_chosen(piece_name))
        combo.setToolTip("Connections are made in the Connections tab; values are never shown")
        self.connection = combo
        self.form.addWidget(combo)

    def _props(self, props: dict[str, PropSchema], values: dict[str, Any]) -> None:
        for key, prop in props.items():
            editor = make_editor(key, prop, values.get(key), webhook_url=self.webhook_url)
            editor.committed.connect(self.commit)
            self.editors.append(editor)
            self.form.addWidget(editor)
            if isinstance(editor, DynamicEditor):
                editor.field_options_requested.connect(
                    lambda field, within=editor: self.load_options(field, within=within)
                )
            if isinstance(editor, LoadedEditor):
                editor.options_requested.connect(lambda chosen=editor: self.load_options(chosen))
                self.load_options(editor)

    def _connection_chosen(self, piece_name: str) -> None:
        combo = self.connection
        if combo is not None and combo.currentData() == NEW_CONNECTION_DATA:
            step = self.step
            current = _inputs(step).get("auth") if step is not None else None
            combo.setCurrentIndex(max(0, combo.findData(current)))
            self.connection_requested.emit(piece_name)
            return
        self.commit()

    def load_options(self, editor: LoadedEditor, *, within: DynamicEditor | None = None) -> None:
        """Starts loading a dropdown's options or a dynamic prop's fields (its state line says
        how it went); `within`: the dynamic prop the dropdown is a field of."""
        if self.options_loader is None or self.spawn is None or self.step is None:
            editor.set_unavailable()
            return
        editor.set_loading()
        self.spawn(self._load(editor, self.step, within))

    async def _load(
        self, editor: LoadedEditor, step: Step | Trigger, within: DynamicEditor | None
    ) -> None:
        assert self.options_loader is not None
        values = _inputs(self._edited(step)) if isinstance(step, PieceStep | PieceTrigger) else {}
        parent = None if within is None else within.key
        try:
            answer = await self.options_loader(step, editor.key, values, within=parent)
        except ApiError as err:
            if self._shown(editor, within):  # the form may have been rebuilt meanwhile
                editor.set_error(err.message)
            return
        if self._shown(editor, within):
            editor.set_loaded(answer)

    def _shown(self, editor: LoadedEditor, within: DynamicEditor | None) -> bool:
        if within is None:
            return editor in self.editors
        return within in self.editors and editor in within.fields

    def _reload_dependents(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        changed = {key for key in {*before, *after} if before.get(key) != after.get(key)}
        for editor in self.editors:
            if not isinstance(editor, LoadedEditor):
                continue
            refreshers = set(editor.prop.refreshers or []) | {"auth"}
            if changed & refreshers - {editor.key}:
                self.load_options(editor)  # a dynamic prop's rebuilt fields load their own
            elif isinstance(editor, DynamicEditor) and editor.key in changed:
                key = editor.key
                for field in editor.fields_to_reload(changed, before.get(key), after.get(key)):
                    self.load_options(field, within=editor)

    def _error_handling(self, options: ErrorHandlingOptions) -> None:
        self.form.addWidget(QLabel("<b>When this step fails</b>"))
        self.continue_box = QCheckBox("Continue the flow (the output carries the error)")
        self.continue_box.setChecked(options.continue_on_failure.value)
        self.retry_box = QCheckBox("Retry with backoff first (4 attempts)")
        self.retry_box.setChecked(options.retry_on_failure.value)
        for box in (self.continue_box, self.retry_box):
            box.toggled.connect(lambda _: self.commit())
            self.form.addWidget(box)

    # ---------------------------------------------------------------- reading back

    def _edited(self, step: Step | PieceTrigger) -> Step | PieceTrigger:
        common: dict[str, Any] = {"display_name": self.display_name.text()}
        if self.skip is not None:
            common["skip"] = self.skip.isChecked()
        if isinstance(step, PieceTrigger):
            inputs = self._prop_values(step.settings.input)
            return step.model_copy(
                update={**common, "settings": step.settings.model_copy(update={"input": inputs})}
            )
        if isinstance(step, CodeStep):
            settings = step.settings
            source = settings.source_code
            if self.code is not None:
                source = source.model_copy(update={"code": self.code.toPlainText()})
            inputs = self.inputs.value() if self.inputs is not None else settings.input
            update = {
                "source_code": source,
                "input": inputs if isinstance(inputs, dict) else settings.input,
                "error_handling_options": self._errors(),
            }
            return step.model_copy(
                update={**common, "settings": settings.model_copy(update=update)}
            )
        if isinstance(step, LoopStep):
            items = self.items_edit.text() if self.items_edit is not None else step.settings.items
            loop_settings = step.settings.model_copy(update={"items": items})
            return step.model_copy(update={**common, "settings": loop_settings})
        if isinstance(step, RouterStep):
            router_settings = step.settings
            if self.router_editor is not None:
                mode = RouterExecutionType(self.router_editor.mode.currentData())
                router_settings = router_settings.model_copy(update={"execution_type": mode})
            return step.model_copy(update={**common, "settings": router_settings})
        inputs = self._prop_values(step.settings.input)
        if self.connection is not None:
            reference = self.connection.currentData()
            if reference:
                inputs["auth"] = reference
            else:
                inputs.pop("auth", None)
        update = {"input": inputs, "error_handling_options": self._errors()}
        return step.model_copy(
            update={**common, "settings": step.settings.model_copy(update=update)}
        )

    def _prop_values(self, current: dict[str, Any]) -> dict[str, Any]:
        values = dict(current)
        for editor in self.editors:
            value = editor.value()
            if value is None:
                values.pop(editor.key, None)
            else:
                values[editor.key] = value
        return values

    def _errors(self) -> ErrorHandlingOptions:
        return ErrorHandlingOptions(
            continue_on_failure=ErrorOption(value=self.continue_box.isChecked()),
            retry_on_failure=ErrorOption(value=self.retry_box.isChecked()),
        )

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        editable = isinstance(new, QPlainTextEdit) or (
            isinstance(new, QLineEdit) and not new.isReadOnly()
        )
        if editable and new is not None and self.isAncestorOf(new):
            self.last_input = new  # type: ignore[assignment]


def _inputs(step: Step | Trigger) -> dict[str, Any]:
    settings = getattr(step, "settings", None)
    found = getattr(settings, "input", None)
    return dict(found) if isinstance(found, dict) else {}
