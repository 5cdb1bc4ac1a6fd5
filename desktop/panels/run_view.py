"""A run: the flow's canvas read-only with ✓/✗/paused and durations, the selected step's input and output
(large outputs loaded on click), loop iterations, retry and cancel, and live updates while the run goes on."""

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.canvas.scene import FlowScene
from desktop.canvas.view import FlowView
from desktop.client import ApiClient, ApiError
from desktop.client.run_watcher import watch_run
from desktop.panels.json_tree import JsonTree, offloaded_ref
from engine.model import TERMINAL, Flow, LoopStep, RetryStrategy, RunStatus, iter_steps
from engine.model.resources import FlowRunRead

Spawn = Callable[[Coroutine[Any, Any, Any]], None]
#: Statuses the server can cancel.
CANCELABLE = (RunStatus.QUEUED, RunStatus.PAUSED)


class RunView(QWidget):
    """Shows one run of one flow version."""

    def __init__(
        self,
        run: FlowRunRead,
        flow: Flow,
        *,
        piece_names: dict[str, str] | None = None,
        client: ApiClient | None = None,
        spawn: Spawn | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.run = run
        self.flow = flow
        self.client = client
        self.spawn = spawn
        #: True while live updates of an unfinished run are being followed.
        self.following = False
        #: Live events received (the WebSocket worked).
        self.live_events = 0
        self.scene = FlowScene(self, read_only=True)
        self.scene.show_flow(flow, piece_names=piece_names)
        self.view = FlowView(self.scene)
        self.header = QLabel(self._summary())
        self.header.setWordWrap(True)
        self.step_title = QLabel("Select a step to see its input and output.")
        self.iteration = QSpinBox()
        self.iteration.setPrefix("Iteration ")
        self.iteration.valueChanged.connect(lambda _: self._show_iteration())
        self.iteration_row = QWidget()
        row = QHBoxLayout(self.iteration_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Loop"))
        row.addWidget(self.iteration, 1)
        self.iteration_row.hide()
        self.tree = JsonTree()
        self.tree.load_requested.connect(lambda _path, ref: self._start(self.load_output(ref)))
        #: Offloaded outputs loaded so far, by reference (shown again without a request).
        self.loaded_outputs: dict[str, Any] = {}
        self._loading: set[str] = set()
        self.retry_failed = QPushButton("Retry from the failed step")
        self.retry_failed.setToolTip("A new run of the same version that keeps what succeeded")
        self.retry_latest = QPushButton("Retry on the latest version")
        self.retry_latest.setToolTip(
            "A new run of the published version with the same trigger data"
        )
        self.cancel_button = QPushButton("Cancel run")
        self.retry_failed.clicked.connect(
            lambda: self._start(self.retry(RetryStrategy.FROM_FAILED_STEP))
        )
        self.retry_latest.clicked.connect(
            lambda: self._start(self.retry(RetryStrategy.ON_LATEST_VERSION))
        )
        self.cancel_button.clicked.connect(lambda: self._start(self.cancel()))
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("runNotice")
        buttons = QHBoxLayout()
        for button in (self.retry_failed, self.retry_latest, self.cancel_button):
            buttons.addWidget(button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.step_title)
        side_layout.addWidget(self.iteration_row)
        side_layout.addWidget(self.tree, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.notice)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(side)
        split.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(split, 1)
        self.loop: str | None = None
        self.scene.step_clicked.connect(self.select)
        self._mark(self._records())
        self._update_buttons()
        self.view.fit()
        if not self._ended() and client is not None and spawn is not None:
            self._start(self.follow())

    # ---------------------------------------------------------------- server

    async def follow(self) -> FlowRunRead | None:
        """Shows the run's progress live until it ends (or pauses)."""
        if self.client is None or self.following:
            return None
        self.following = True
        self._update_buttons()
        try:
            run = await watch_run(
                self.client,
                self.run.id,
                on_update=self.show_run,
                on_event=self._event,
                timeout_s=3600,
                rehydrate=False,
            )
        except ApiError as err:
            self._say(f"Live updates stopped: {err.message}")
            return None
        except TimeoutError:
            self._say("Still running after an hour; reopen the run to follow it")
            return None
        finally:
            self.following = False
            self._update_buttons()
        self.show_run(run)
        return run

    async def load_output(self, ref: str) -> bool:
        """Fetches an output the run log keeps apart and shows it in place of its "Load value" row
        (parsed in a worker thread; the GUI keeps going meanwhile)."""
        if self.client is None or ref in self._loading:
            return False
        self._loading.add(ref)
        try:
            value = await self.client.run_output(self.run.id, ref)
        except ApiError as err:
            self.tree.show_load_error(ref, err.message)
            return False
        finally:
            self._loading.discard(ref)
        self.loaded_outputs[ref] = value
        self.tree.show_loaded(ref, value)
        return True

    async def retry(self, strategy: RetryStrategy) -> FlowRunRead | None:
        """Retries the run as a new run, shown here and followed live."""
        if self.client is None:
            return None
        try:
            retried = await self.client.retry_run(self.run.id, strategy.value)
        except ApiError as err:
            self._say(f"Not retried: {err.message}")
            return None
        self._say(f"Retrying as run {retried.id}")
        self.show_run(retried)
        return await self.follow()

    async def cancel(self) -> bool:
        """Cancels a queued or paused run."""
        if self.client is None:
            return False
        try:
            run = await self.client.cancel_run(self.run.id)
        except ApiError as err:
            self._say(f"Not canceled: {err.message}")
            return False
        self.show_run(run)
        self._say("Canceled")
        return True

    def show_run(self, run: FlowRunRead) -> None:
        """Shows a newer state of the run (or a new run of the same flow version)."""
        self.run = run
        self.header.setText(self._summary())
        self._mark(self._records())
        self._update_buttons()
        selected = self.scene.selected_step()
        if selected is not None:
            self.select(selected)

    def _event(self, event: dict[str, Any]) -> None:
        self.live_events += 1
        step = event.get("step")
        item = self.scene.step_items.get(step) if isinstance(step, str) else None
        if event.get("type") == "STEP_STARTED" and item is not None:
            item.set_status("RUNNING")

    def _ended(self) -> bool:
        return self.run.status in TERMINAL

    def _update_buttons(self) -> None:
        connected = self.client is not None and self.spawn is not None
        failed = self.run.status in TERMINAL and self.run.status != RunStatus.SUCCEEDED
        self.retry_failed.setEnabled(connected and failed and not self.following)
        self.retry_latest.setEnabled(connected and self._ended() and not self.following)
        self.cancel_button.setEnabled(connected and self.run.status in CANCELABLE)

    def _start(self, work: Coroutine[Any, Any, Any]) -> None:
        if self.spawn is None:
            work.close()
            return
        self.spawn(work)

    def _say(self, text: str) -> None:
        self.notice.setText(text)

    def select(self, name: str) -> None:
        """Shows a step's input, output and error (inside a loop: of the chosen iteration)."""
        self.scene.select_step(name)
        step = self.flow.step(name)
        if isinstance(step, LoopStep):
            self._enter_loop(step)
        record = self._records().get(name)
        self.step_title.setText(
            f"<b>{name}</b> · {record.get('status', 'did not run')}"
            if record
            else f"<b>{name}</b> · did not run"
        )
        if record is None:
            self.tree.show_values({})
            return
        values = {"input": record.get("input"), "output": self._with_loaded(record.get("output"))}
        if record.get("errorMessage"):
            values["error"] = record["errorMessage"]
        self.tree.show_values(values)

    def _with_loaded(self, value: Any) -> Any:
        ref = offloaded_ref(value)
        return value if ref is None else self.loaded_outputs.get(ref, value)

    def _enter_loop(self, step: LoopStep) -> None:
        iterations = self._iterations(step.name)
        self.loop = step.name if iterations else None
        self.iteration_row.setVisible(bool(iterations))
        if iterations:
            self.iteration.setRange(1, len(iterations))
            self.iteration.setSuffix(f" of {len(iterations)}")
            self._show_iteration()

    def _iterations(self, loop: str) -> list[dict[str, Any]]:
        report = (self.run.steps or {}).get(loop)
        output = report.output if report is not None else None
        found = output.get("iterations") if isinstance(output, dict) else None
        return found if isinstance(found, list) else []

    def _records(self) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {
            name: {
                "status": report.status.value,
                "input": report.input,
                "output": report.output,
                "errorMessage": report.error_message,
                "duration": report.duration,
            }
            for name, report in (self.run.steps or {}).items()
        }
        if self.loop is not None:
            iterations = self._iterations(self.loop)
            index = self.iteration.value() - 1
            if 0 <= index < len(iterations):
                for name, record in iterations[index].items():
                    if isinstance(record, dict):
                        records[name] = {**record, "duration": record.get("durationMs")}
        return records

    def _show_iteration(self) -> None:
        self._mark(self._records())

    def _mark(self, records: dict[str, dict[str, Any]]) -> None:
        self.scene.set_statuses(
            {name: (str(r.get("status")), r.get("duration")) for name, r in records.items()}
        )

    def _summary(self) -> str:
        run = self.run
        ran = len(run.steps or {})
        total = 1 + len(list(iter_steps(self.flow.steps)))
        text = f"<b>Run {run.status.value}</b> · {ran} of {total} steps recorded"
        if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            text += " · updating live"
        if run.duration is not None:
            text += f" · {run.duration / 1000:.2f} s"
        if run.error:
            text += f"<br><span style='color:#d92d20'>{run.error}</span>"
        return text
