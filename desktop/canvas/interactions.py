"""Canvas gestures as objects (STYLE §2): dragging a step onto a "+" moves it there; dragging a note moves it."""

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsScene

from desktop.canvas.items.add_slot_item import AddSlotItem
from desktop.canvas.items.note_item import NoteItem
from desktop.canvas.items.step_item import StepItem
from desktop.document.placement import Placement

#: How far (scene units) the mouse must travel before a press becomes a drag.
DRAG_THRESHOLD = 6.0


class MoveStepInteraction:
    """A pressed step card follows the mouse; released on a "+", the step moves there."""

    def __init__(self, scene: QGraphicsScene, item: StepItem, start: QPointF) -> None:
        self.scene = scene
        self.item = item
        self.start = start
        self.origin = item.pos()
        self.dragging = False
        self._target: AddSlotItem | None = None

    def move(self, position: QPointF) -> None:
        """Follows the mouse; the "+" under it lights up."""
        delta = position - self.start
        if not self.dragging and (abs(delta.x()) + abs(delta.y())) < DRAG_THRESHOLD:
            return
        self.dragging = True
        self.item.setZValue(10)
        self.item.setOpacity(0.75)
        self.item.setPos(self.origin + delta)
        target = self._slot_at(position)
        if target is not self._target:
            if self._target is not None:
                self._target.set_highlighted(False)
            if target is not None:
                target.set_highlighted(True)
            self._target = target

    def finish(self, position: QPointF) -> Placement | None:
        """Puts the card back; returns where the step should move (None: nowhere)."""
        self.item.setPos(self.origin)
        self.item.setZValue(0)
        self.item.setOpacity(1.0)
        if not self.dragging:
            return None
        target = self._slot_at(position)
        if self._target is not None:
            self._target.set_highlighted(False)
        if target is None or target.placement.parent == self.item.name:
            return None
        return target.placement

    def _slot_at(self, position: QPointF) -> AddSlotItem | None:
        for item in self.scene.items(position):
            if isinstance(item, AddSlotItem):
                return item
        return None


class MoveNoteInteraction:
    """A pressed note follows the mouse; released, it stays where it was dropped."""

    def __init__(self, item: NoteItem, start: QPointF) -> None:
        self.item = item
        self.start = start
        self.origin = item.pos()
        self.dragging = False

    def move(self, position: QPointF) -> None:
        """Follows the mouse once it moved past the drag threshold."""
        delta = position - self.start
        if not self.dragging and (abs(delta.x()) + abs(delta.y())) < DRAG_THRESHOLD:
            return
        self.dragging = True
        self.item.setPos(self.origin + delta)

    def finish(self, position: QPointF) -> QPointF | None:
        """The note's new top-left corner (None: it was only clicked)."""
        if not self.dragging:
            return None
        self.item.setPos(self.origin + (position - self.start))
        return self.item.pos()
