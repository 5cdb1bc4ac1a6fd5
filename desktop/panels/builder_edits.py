"""Editing a flow in the builder: adding, moving, deleting, copying steps and notes, branches, undo."""

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence

from desktop.document.clipboard import copied, pasted
from desktop.document.placement import Placement
from desktop.document.step_factory import (
    StepChoice,
    add_operation,
    free_name,
    new_step,
    new_trigger,
)
from desktop.panels.builder_core import BuilderCore, find_step
from desktop.panels.piece_selector import PieceSelector
from engine.model import iter_steps
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
    DeleteNoteOperation,
    DocumentOperation,
    DuplicateActionOperation,
    DuplicateActionRequest,
    MoveActionOperation,
    MoveActionRequest,
    UpdateBranchOperation,
    UpdateBranchRequest,
    UpdateNoteOperation,
    UpdateTriggerOperation,
)


class BuilderEdits(BuilderCore):
    """Editing the flow from the canvas and the settings form: every intent becomes a document
    operation (undoable, saved in order)."""

    def add_canvas_shortcuts(self) -> None:
        """Editing shortcuts that act on the canvas selection. They live on the view so that
        typing in a settings field (Delete, Ctrl+C) keeps its usual meaning there."""
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

    def choose_step_for(self, placement: Placement) -> PieceSelector:
        """Opens the piece selector for a "+"; the choice is added there."""
        selector = PieceSelector(self.catalog, parent=self)
        selector.chosen.connect(lambda choice: self.add_step(choice, placement))
        self.selector = selector
        selector.finished.connect(self.reactivate)
        selector.open()
        return selector

    def choose_trigger(self) -> PieceSelector:
        """Opens the piece selector on triggers."""
        selector = PieceSelector(self.catalog, triggers=True, parent=self)
        selector.chosen.connect(self.set_trigger)
        self.selector = selector
        selector.finished.connect(self.reactivate)
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
        if name is not None and find_step(self.document.flow, name) is None:
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
