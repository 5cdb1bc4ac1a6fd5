"""The builder without a server: failed saves are kept and shown, every prop type has an editor, big flows open fast."""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.client import ApiClient, ClientClosedError, PieceCatalog
from desktop.document import SaveState
from desktop.panels.builder_panel import BuilderPanel
from desktop.panels.code_editor import CodeEditor
from desktop.panels.prop_editors import make_editor
from desktop.panels.step_settings import StepSettingsPanel
from engine.model import Flow, PieceSettings, PieceStep
from engine.model.pieces import ActionMetadata, AuthSchema, OptionSchema, PieceMetadata, PropSchema
from engine.model.resources import AppConnectionRead, FlowRead, FlowVersionRead
from tests.desktop.big_flow import big_flow
from tests.desktop.gui_helpers import run, until
from tests.engine.builders import flow

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def flow_read(definition: Flow) -> FlowRead:
    version = FlowVersionRead(
        id="v1",
        flow_id="f1",
        display_name=definition.display_name,
        state="DRAFT",
        definition=definition,
        created=NOW,
        updated=NOW,
    )
    return FlowRead(
        id="f1",
        project_id="p1",
        status="DISABLED",
        published_version_id=None,
        version=version,
        created=NOW,
        updated=NOW,
    )


@pytest.fixture
def dead_client(qt_loop: asyncio.AbstractEventLoop) -> Any:
    client = ApiClient("http://127.0.0.1:9", "token", timeout_s=1)
    yield client
    run(qt_loop, client.close())


def make_builder(
    qtbot: QtBot, client: ApiClient, definition: Flow, catalog: PieceCatalog | None = None
) -> BuilderPanel:
    tasks: list[asyncio.Future[Any]] = []
    builder = BuilderPanel(
        client=client,
        flow=flow_read(definition),
        catalog=catalog or PieceCatalog(),
        connections=[],
        spawn=lambda work: tasks.append(asyncio.ensure_future(work)),
    )
    qtbot.addWidget(builder)
    builder.resize(1200, 760)
    builder.show()
    return builder


def test_a_request_on_a_closed_connection_is_an_api_error_not_a_crash(
    qt_loop: asyncio.AbstractEventLoop,
) -> None:
    """Work left over from a server the window has left (a list refreshing as it switched)."""
    client = ApiClient("http://127.0.0.1:9", "token", timeout_s=1)
    run(qt_loop, client.close())
    with pytest.raises(ClientClosedError, match="was closed; nothing was sent"):
        run(qt_loop, client.connections("project"))


def test_edits_made_while_the_server_is_away_are_kept_and_retried(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, dead_client: ApiClient
) -> None:
    builder = make_builder(qtbot, dead_client, flow())
    builder.add_step(_choice("CODE"), _first())
    assert builder.document.flow.steps[0].name == "step_1"
    until(qt_loop, lambda: builder.saves.state == SaveState.RETRYING)
    assert "Not saved yet (Cannot reach the server" in builder.save_label.text()
    assert builder.retry_action.isVisible()
    assert [op.type for op in builder.saves.pending] == ["ADD_ACTION"]
    builder.undo()
    assert [op.type for op in builder.saves.pending] == ["ADD_ACTION", "DELETE_ACTION"]
    builder.saves.close()


def test_two_hundred_step_flow_opens_and_draws_quickly(
    qtbot: QtBot, dead_client: ApiClient
) -> None:
    big = big_flow(200)
    start = time.perf_counter()
    builder = make_builder(qtbot, dead_client, big)
    elapsed = time.perf_counter() - start
    assert len(builder.scene.step_items) > 200
    assert elapsed < 2.0  # the benchmark (bench/desktop.py) measures it properly
    builder.view.zoom_by(0.5)
    builder.view.fit()
    assert builder.view.zoom <= 1


PROPS = {
    "short": PropSchema(type="SHORT_TEXT", display_name="Short", required=True),
    "long": PropSchema(type="LONG_TEXT", display_name="Long"),
    "number": PropSchema(type="NUMBER", display_name="Number"),
    "check": PropSchema(type="CHECKBOX", display_name="Check"),
    "date": PropSchema(type="DATE_TIME", display_name="Date"),
    "choice": PropSchema(
        type="STATIC_DROPDOWN",
        display_name="Choice",
        options=[OptionSchema(label="A", value="a"), OptionSchema(label="B", value="b")],
    ),
    "multi": PropSchema(
        type="STATIC_MULTI_SELECT_DROPDOWN",
        display_name="Multi",
        options=[OptionSchema(label="A", value="a"), OptionSchema(label="B", value="b")],
    ),
    "json": PropSchema(type="JSON", display_name="Json"),
    "object": PropSchema(type="OBJECT", display_name="Object"),
    "array": PropSchema(type="ARRAY", display_name="Array"),
    "file": PropSchema(type="FILE", display_name="File"),
    "dropdown": PropSchema(type="DROPDOWN", display_name="Dropdown", refreshers=["x"]),
    "dynamic": PropSchema(type="DYNAMIC", display_name="Dynamic"),
    "custom": PropSchema(type="CUSTOM", display_name="Custom"),
    "markdown": PropSchema(type="MARKDOWN", display_name="", value="Call {{webhookUrl}}"),
}
VALUES: dict[str, Any] = {
    "short": "hi {{trigger.body.name}}",
    "long": "many\nlines",
    "number": 3,
    "check": True,
    "date": "2026-01-01T00:00:00Z",
    "choice": "b",
    "multi": ["a"],
    "json": {"x": [1, 2]},
    "object": {"k": "v"},
    "array": ["one", "two"],
    "file": "{{step_1.file}}",
    "dropdown": "chosen",
    "dynamic": {"a": 1},
    "custom": "anything",
}


def test_every_prop_type_has_an_editor_that_gives_its_value_back(qtbot: QtBot) -> None:
    for key, prop in PROPS.items():
        editor = make_editor(key, prop, VALUES.get(key), webhook_url="http://x/hook")
        qtbot.addWidget(editor)
        assert editor.value() == VALUES.get(key), key
        assert editor.check(), key


def test_wrong_values_get_inline_messages(qtbot: QtBot) -> None:
    number = make_editor("n", PROPS["number"], None)
    qtbot.addWidget(number)
    number.line.setText("twelve")  # type: ignore[attr-defined]
    assert not number.check()
    assert number.error.text() == "Number must be a number or a {{reference}}"
    required = make_editor("s", PROPS["short"], None)
    qtbot.addWidget(required)
    assert not required.check()
    assert required.error.text() == "Short is required"
    broken = make_editor("j", PROPS["json"], None)
    qtbot.addWidget(broken)
    broken.text.setPlainText("{oops")  # type: ignore[attr-defined]
    assert not broken.check()
    assert broken.error.text().startswith("Not valid JSON (line 1, column 2)")


def test_piece_step_form_edits_inputs_and_picks_a_connection(qtbot: QtBot) -> None:
    piece = PieceMetadata(
        name="crm",
        display_name="CRM",
        version="1.0.0",
        minimum_supported_release="0.1.0",
        auth=AuthSchema(type="SECRET_TEXT", display_name="API key"),
        actions={"add": ActionMetadata(name="add", display_name="Add contact", props=PROPS)},
        triggers={},
    )
    catalog = PieceCatalog()
    catalog.metadata = {"crm": piece}
    panel = StepSettingsPanel(catalog)
    qtbot.addWidget(panel)
    panel.connections = [
        AppConnectionRead(
            id="c1",
            project_id="p",
            external_id="crm_key",
            display_name="CRM key",
            piece_name="crm",
            type="SECRET_TEXT",
            status="ACTIVE",
            created=NOW,
            updated=NOW,
        )
    ]
    step = PieceStep(
        name="step_1",
        settings=PieceSettings(
            piece_name="crm", piece_version="1.0.0", action_name="add", input=VALUES
        ),
    )
    emitted: list[Any] = []
    panel.step_changed.connect(emitted.append)
    panel.show_step(step)
    assert len(panel.editors) == len(PROPS)
    assert panel.connection is not None
    panel.connection.setCurrentIndex(panel.connection.findText("CRM key"))
    panel.retry_box.setChecked(True)
    changed = emitted[-1]
    assert changed.settings.input["auth"] == "{{connections['crm_key']}}"
    assert changed.settings.error_handling_options.retry_on_failure.value
    assert {k: v for k, v in changed.settings.input.items() if k != "auth"} == VALUES


def test_code_editor_numbers_lines_and_marks_the_error_line(qtbot: QtBot) -> None:
    editor = CodeEditor("const a = 1;\n// note\nthrow new Error('x');\n")
    qtbot.addWidget(editor)
    editor.show()
    assert editor.line_number_width() > 10
    editor.mark_error_line(3)
    assert len(editor.extraSelections()) == 1
    block = editor.document().findBlockByNumber(0)
    formats = block.layout().formats()
    assert formats, "keywords are highlighted"


def _choice(kind: str) -> Any:
    from desktop.document.step_factory import StepChoice

    return StepChoice(kind=kind, display_name=kind)  # type: ignore[arg-type]


def _first() -> Any:
    from desktop.document.placement import Placement

    return Placement(parent="trigger")


def test_copy_a_step_in_one_flow_and_paste_it_into_another(
    qtbot: QtBot, dead_client: ApiClient
) -> None:
    from tests.engine.builders import code, loop

    source = make_builder(
        qtbot, dead_client, flow(loop("step_1", "{{trigger.body}}", code("step_2", "x")))
    )
    target = make_builder(qtbot, dead_client, flow(code("step_1", "y")))
    source.select("step_1")
    source.copy_selected()
    target.select("step_1")
    target.paste()
    pasted = target.document.flow.steps[1]
    assert pasted.name == "step_2"
    assert [s.name for s in pasted.steps] == ["step_3"]  # type: ignore[union-attr]
    assert target.selected() == "step_2"
    target.undo()
    assert [s.name for s in target.document.flow.steps] == ["step_1"]
    source.saves.close()
    target.saves.close()


def test_dropdown_options_that_cannot_load_say_why_and_keep_typed_values(
    qtbot: QtBot, dead_client: ApiClient, qt_loop: asyncio.AbstractEventLoop
) -> None:
    from desktop.panels.loaded_editors import OptionsEditor

    catalog = PieceCatalog()
    catalog.metadata["chat"] = PieceMetadata(
        name="chat",
        display_name="Chat",
        version="0.1.0",
        minimum_supported_release="0.1.0",
        triggers={},
        actions={
            "send": ActionMetadata(
                name="send",
                display_name="Send",
                props={
                    "channel": PropSchema(type="DROPDOWN", display_name="Channel", required=True)
                },
            )
        },
    )
    step = PieceStep(
        name="step_1",
        settings=PieceSettings(piece_name="chat", piece_version="0.1.0", action_name="send"),
    )
    builder = make_builder(qtbot, dead_client, flow(step), catalog)
    builder.select("step_1")
    editor = builder.settings.editors[0]
    assert isinstance(editor, OptionsEditor)
    assert editor.state.text() == "Loading options…"
    until(qt_loop, lambda: editor.state.text().startswith("Options not loaded"))
    assert "Cannot reach the server" in editor.state.text()
    assert editor.reload.isEnabled()
    editor.combo.setEditText("{{trigger.body.channel}}")
    assert editor.value() == "{{trigger.body.channel}}"
    builder.saves.close()


def test_error_line_is_read_from_step_errors() -> None:
    from desktop.panels.code_editor import error_line

    assert error_line("boom (line 3 of the code)") == 3
    assert error_line("Unexpected token (line 2, column 5)") == 2
    assert error_line("no line here") is None
    assert error_line(None) is None
