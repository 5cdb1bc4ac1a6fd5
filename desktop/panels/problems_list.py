"""The flow's validation problems; clicking one selects its step."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from engine.model import ValidationProblem


class ProblemsList(QListWidget):
    """One row per problem: `step · field: message`."""

    #: The person clicked a problem of this step.
    step_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemClicked.connect(
            lambda item: self.step_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )

    def show_problems(self, problems: list[ValidationProblem]) -> None:
        """Replaces the rows."""
        self.clear()
        for problem in problems:
            item = QListWidgetItem(f"⚠ {problem.step} · {problem.field}: {problem.message}")
            item.setData(Qt.ItemDataRole.UserRole, problem.step)
            self.addItem(item)
        if not problems:
            self.addItem(QListWidgetItem("✓ No problems: ready to publish"))

    def texts(self) -> list[str]:
        """The rows shown."""
        return [item.text() for item in (self.item(i) for i in range(self.count())) if item]
