"""A run: the flow's canvas read-only with ✓/✗/paused and durations, the selected step's input and output, loop iterations."""

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QSplitter, QVBoxLayout, QWidget

from desktop.canvas.scene import FlowScene
from desktop.canvas.view import FlowView
from desktop.panels.json_tree import JsonTree
from engine.model import Flow, LoopStep, iter_steps
from engine.model.resources import FlowRunRead


class RunView(QWidget):
    """Shows one run of one flow version."""

    def __init__(
        self,
        run: FlowRunRead,
        flow: Flow,
        *,
        piece_names: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.run = run
        self.flow = flow
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
        self.retry_note = QLabel(
            "<small>Retry is not offered by this server yet; re-send the trigger to run again.</small>"
        )
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.step_title)
        side_layout.addWidget(self.iteration_row)
        side_layout.addWidget(self.tree, 1)
        side_layout.addWidget(self.retry_note)
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
        self.view.fit()

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
        values = {"input": record.get("input"), "output": record.get("output")}
        if record.get("errorMessage"):
            values["error"] = record["errorMessage"]
        self.tree.show_values(values)

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
        if run.duration is not None:
            text += f" · {run.duration / 1000:.2f} s"
        if run.error:
            text += f"<br><span style='color:#d92d20'>{run.error}</span>"
        return text
