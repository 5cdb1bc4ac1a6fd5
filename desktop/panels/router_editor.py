"""The router branch editor: execution type, branches with names and condition groups (OR of ANDs), every operator."""

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.model import Branch, BranchType, Condition, ConditionOperator, RouterStep

#: Operators that compare nothing (no second value).
UNARY = frozenset(
    {
        ConditionOperator.BOOLEAN_IS_TRUE,
        ConditionOperator.BOOLEAN_IS_FALSE,
        ConditionOperator.LIST_IS_EMPTY,
        ConditionOperator.LIST_IS_NOT_EMPTY,
        ConditionOperator.EXISTS,
        ConditionOperator.DOES_NOT_EXIST,
    }
)


def operator_label(operator: ConditionOperator) -> str:
    """`TEXT_DOES_NOT_CONTAIN` → `Text does not contain`."""
    return operator.value.replace("_", " ").capitalize()


class ConditionRow(QWidget):
    """First value, operator, second value, case sensitivity, remove."""

    #: The row changed (editing finished).
    changed = Signal()
    #: Remove this row.
    removed = Signal()

    def __init__(self, condition: Condition) -> None:
        super().__init__()
        self.first = QLineEdit(_text(condition.first_value))
        self.first.setPlaceholderText("Value, e.g. {{trigger.body.n}}")
        self.operator = QComboBox()
        for operator in ConditionOperator:
            self.operator.addItem(operator_label(operator), operator.value)
        self.operator.setCurrentIndex(self.operator.findData(condition.operator.value))
        self.second = QLineEdit(_text(condition.second_value))
        self.second.setPlaceholderText("Compared with")
        self.case = QCheckBox("Aa")
        self.case.setToolTip("Case sensitive")
        self.case.setChecked(condition.case_sensitive)
        remove = QPushButton("✕")
        remove.setFixedWidth(28)
        remove.setToolTip("Remove this condition")
        remove.clicked.connect(self.removed.emit)
        self.first.editingFinished.connect(self.changed.emit)
        self.second.editingFinished.connect(self.changed.emit)
        self.operator.activated.connect(lambda _: self._operator_changed())
        self.case.toggled.connect(lambda _: self.changed.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.first, 1)
        top.addWidget(remove)
        bottom = QHBoxLayout()
        bottom.addWidget(self.operator, 1)
        bottom.addWidget(self.case)
        layout.addLayout(top)
        layout.addLayout(bottom)
        layout.addWidget(self.second)
        self._show_fields()

    def condition(self) -> Condition:
        """The condition as edited."""
        operator = ConditionOperator(self.operator.currentData())
        return Condition(
            first_value=self.first.text(),
            operator=operator,
            second_value=None if operator in UNARY else self.second.text(),
            case_sensitive=self.case.isChecked(),
        )

    def set_operator(self, operator: ConditionOperator) -> None:
        """Chooses an operator (keyboard and tests)."""
        self.operator.setCurrentIndex(self.operator.findData(operator.value))
        self._operator_changed()

    def _operator_changed(self) -> None:
        self._show_fields()
        self.changed.emit()

    def _show_fields(self) -> None:
        operator = ConditionOperator(self.operator.currentData())
        self.second.setVisible(operator not in UNARY)
        self.case.setVisible(operator.value.startswith("TEXT_"))


class BranchEditor(QGroupBox):
    """One branch: its name and its condition groups (rows AND-ed, groups OR-ed)."""

    #: (branch name, conditions) after an edit.
    changed = Signal()
    #: Delete this branch.
    deleted = Signal()

    def __init__(self, branch: Branch, index: int) -> None:
        super().__init__(f"Branch {index + 1}")
        self.index = index
        self.fallback = branch.branch_type == BranchType.FALLBACK
        self.name = QLineEdit(branch.branch_name)
        self.name.editingFinished.connect(self.changed.emit)
        self.groups: list[list[ConditionRow]] = []
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.name)
        if self.fallback:
            self.setTitle("Otherwise (fallback)")
            self.body.addWidget(QLabel("Runs when no other branch matches."))
            return
        self.rows_box = QVBoxLayout()
        self.body.addLayout(self.rows_box)
        for group in branch.conditions or [[]]:
            self._add_group(group)
        buttons = QHBoxLayout()
        self.or_button = QPushButton("+ Or")
        self.or_button.clicked.connect(lambda: self._new_group())
        delete = QPushButton("Delete branch")
        delete.clicked.connect(self.deleted.emit)
        buttons.addWidget(self.or_button)
        buttons.addStretch(1)
        buttons.addWidget(delete)
        self.body.addLayout(buttons)

    def branch_name(self) -> str:
        """The name typed (never empty)."""
        return self.name.text().strip() or f"Branch {self.index + 1}"

    def conditions(self) -> list[list[Condition]]:
        """The condition groups as edited (empty groups left out)."""
        return [[row.condition() for row in group] for group in self.groups if group]

    def _new_group(self) -> None:
        self._add_group([Condition(operator=ConditionOperator.TEXT_EXACTLY_MATCHES)])
        self.changed.emit()

    def _add_group(self, group: list[Condition]) -> None:
        rows: list[ConditionRow] = []
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(frame)
        if self.groups:
            self.rows_box.addWidget(QLabel("OR"))
        self.groups.append(rows)
        and_button = QPushButton("+ And")

        def add_row(condition: Condition) -> None:
            row = ConditionRow(condition)
            row.changed.connect(self.changed.emit)
            row.removed.connect(lambda: self._remove(rows, row))
            rows.append(row)
            box.insertWidget(box.count() - 1, row)

        box.addWidget(and_button)
        for condition in group:
            add_row(condition)

        def new_row() -> None:
            add_row(Condition(operator=ConditionOperator.TEXT_EXACTLY_MATCHES))
            self.changed.emit()

        and_button.clicked.connect(new_row)
        self.rows_box.addWidget(frame)

    def _remove(self, rows: list[ConditionRow], row: ConditionRow) -> None:
        rows.remove(row)
        row.hide()
        row.deleteLater()
        self.changed.emit()


class RouterEditor(QWidget):
    """Edits a router; emits intents the builder turns into operations."""

    #: The execution type changed (EXECUTE_FIRST_MATCH / EXECUTE_ALL_MATCH).
    execution_changed = Signal(str)
    #: Branch (index) renamed or its conditions changed: (index, name, conditions | None).
    branch_changed = Signal(int, str, object)
    #: Add a branch before the fallback.
    branch_added = Signal()
    #: Delete the branch (index).
    branch_deleted = Signal(int)

    def __init__(self, router: RouterStep) -> None:
        super().__init__()
        self.mode = QComboBox()
        self.mode.addItem("Run the first matching branch", "EXECUTE_FIRST_MATCH")
        self.mode.addItem("Run every matching branch", "EXECUTE_ALL_MATCH")
        self.mode.setCurrentIndex(self.mode.findData(router.settings.execution_type.value))
        self.mode.activated.connect(lambda _: self.execution_changed.emit(self.mode.currentData()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        self.branches: list[BranchEditor] = []
        for index, branch in enumerate(router.branches):
            editor = BranchEditor(branch, index)
            editor.changed.connect(lambda e=editor: self._emit_branch(e))
            editor.deleted.connect(lambda e=editor: self.branch_deleted.emit(e.index))
            self.branches.append(editor)
            layout.addWidget(editor)
        add = QPushButton("+ Add branch")
        add.clicked.connect(self.branch_added.emit)
        layout.addWidget(add)

    def _emit_branch(self, editor: BranchEditor) -> None:
        conditions: Any = None if editor.fallback else editor.conditions()
        self.branch_changed.emit(editor.index, editor.branch_name(), conditions)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
