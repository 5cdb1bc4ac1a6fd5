"""The flow scene: draws a layout and turns clicks and drags into intents (signals)."""

from collections.abc import Mapping

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent, QWidget

from desktop.canvas import style
from desktop.canvas.interactions import MoveNoteInteraction, MoveStepInteraction
from desktop.canvas.items.add_slot_item import AddSlotItem
from desktop.canvas.items.branch_label_item import BranchLabelItem
from desktop.canvas.items.loop_frame_item import LoopFrameItem
from desktop.canvas.items.note_item import NOTE_HEIGHT, NOTE_WIDTH, NoteItem
from desktop.canvas.items.step_item import StepItem
from desktop.canvas.layout import Layout, layout
from desktop.canvas.titles import card_text
from engine.model import Flow


class FlowScene(QGraphicsScene):
    """Draws one flow; the builder decides what the intents do."""

    #: A step card was clicked (its name; `trigger` for the trigger).
    step_clicked = Signal(str)
    #: A "+" was clicked: add a step at this Placement.
    slot_clicked = Signal(object)
    #: A step (name) was dropped on a "+" (Placement).
    step_dropped = Signal(str, object)
    #: A branch name (router name, branch index) was clicked.
    branch_clicked = Signal(str, int)
    #: A note (id) was dragged to a new top-left corner (x, y).
    note_moved = Signal(str, float, float)
    #: A note's (id) text was edited (new text).
    note_edited = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.read_only = read_only
        self.layout_result = Layout()
        self.step_items: dict[str, StepItem] = {}
        self.slot_items: list[AddSlotItem] = []
        self.label_items: list[BranchLabelItem] = []
        self.note_items: dict[str, NoteItem] = {}
        self._interaction: MoveStepInteraction | MoveNoteInteraction | None = None
        self._flow: Flow | None = None

    def show_flow(
        self,
        flow: Flow,
        *,
        problems: Mapping[str, list[str]] | None = None,
        piece_names: Mapping[str, str] | None = None,
    ) -> None:
        """Draws the flow again (keeping the selection)."""
        selected = self.selected_step() or self.selected_note()
        self.clear()
        self.step_items, self.slot_items, self.label_items, self.note_items = {}, [], [], {}
        self._interaction = None
        # The layout depends on the steps only: an edit of a note or a step's settings that
        # changes no name and no structure keeps it (flows are immutable, so equality is exact).
        if self._flow is None or not _same_shape(self._flow, flow):
            self.layout_result = layout(flow)
        self._flow = flow
        result = self.layout_result
        # All edges are one path item: hundreds of line items cost more to create and index.
        path = QPainterPath()
        for (x1, y1), (x2, y2) in result.edges:
            path.moveTo(x1, y1)
            path.lineTo(x2, y2)
        self.addPath(path, QPen(style.EDGE, 1.5)).setZValue(-0.5)
        for frame in result.frames:
            frame_item = LoopFrameItem(name=frame.name, width=frame.width, height=frame.height)
            frame_item.setPos(frame.x, frame.y)
            self.addItem(frame_item)
        for label in result.labels:
            label_item = BranchLabelItem(
                router=label.router,
                branch_index=label.branch_index,
                text=label.text,
                fallback=label.fallback,
            )
            label_item.setPos(label.x, label.y)
            self.addItem(label_item)
            self.label_items.append(label_item)
        for node in result.nodes:
            kind, title, subtitle = card_text(node.step, piece_names=piece_names)
            item = StepItem(
                name=node.name,
                kind=kind,
                title=title,
                subtitle=subtitle,
                width=node.width,
                height=node.height,
            )
            item.skipped = bool(getattr(node.step, "skip", False))
            item.setPos(node.x, node.y)
            item.set_problems((problems or {}).get(node.name, []))
            self.addItem(item)
            self.step_items[node.name] = item
        if not self.read_only:
            for slot in result.slots:
                slot_item = AddSlotItem(slot.placement)
                slot_item.setPos(slot.x, slot.y)
                self.addItem(slot_item)
                self.slot_items.append(slot_item)
        width, height = result.width, result.height
        for note in flow.notes:
            note_item = NoteItem(
                note_id=note.id,
                content=note.content,
                on_edited=None if self.read_only else self.note_edited.emit,
            )
            note_item.setPos(note.x, note.y)
            self.addItem(note_item)
            self.note_items[note.id] = note_item
            width = max(width, note.x + NOTE_WIDTH + 20)
            height = max(height, note.y + NOTE_HEIGHT + 20)
        self.setSceneRect(QRectF(0, 0, width, height))
        if selected is not None:
            self.select_step(selected)

    def set_statuses(self, statuses: Mapping[str, tuple[str, float | None]]) -> None:
        """Shows each step's run status and duration (ms); steps not listed are cleared."""
        for name, item in self.step_items.items():
            status, duration = statuses.get(name, (None, None))
            item.set_status(status, duration)

    def selected_step(self) -> str | None:
        """The selected step's name."""
        for item in self.selectedItems():
            if isinstance(item, StepItem):
                return item.name
        return None

    def selected_note(self) -> str | None:
        """The selected note's id."""
        for item in self.selectedItems():
            if isinstance(item, NoteItem):
                return item.note_id
        return None

    def select_step(self, name: str | None) -> None:
        """Selects one step or note (None: nothing)."""
        self.clearSelection()
        item = self.step_items.get(name or "") or self.note_items.get(name or "")
        if item is not None:
            item.setSelected(True)

    def slot_for(
        self, parent: str, location: str = "AFTER", branch_index: int | None = None
    ) -> AddSlotItem:
        """The "+" with this placement (tests and keyboard use)."""
        for slot in self.slot_items:
            p = slot.placement
            if (p.parent, p.location, p.branch_index) == (parent, location, branch_index):
                return slot
        raise KeyError(f"no slot {location} {parent} {branch_index}")

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        item = self._item_at(event.scenePos())
        editing = self.focusItem()
        if editing is not None and editing.parentItem() is not item:
            editing.clearFocus()  # a click elsewhere ends editing a note
        if isinstance(item, AddSlotItem):
            self.slot_clicked.emit(item.placement)
            event.accept()
            return
        if isinstance(item, BranchLabelItem):
            self.branch_clicked.emit(item.router, item.branch_index)
            event.accept()
            return
        if isinstance(item, NoteItem):
            if item.text.hasFocus():  # editing: the text item places the cursor
                super().mousePressEvent(event)
                return
            self.select_step(item.note_id)
            if not self.read_only:
                self._interaction = MoveNoteInteraction(item, event.scenePos())
            event.accept()
            return
        if isinstance(item, StepItem):
            self.select_step(item.name)
            self.step_clicked.emit(item.name)
            if not self.read_only and item.name != "trigger":
                self._interaction = MoveStepInteraction(self, item, event.scenePos())
            event.accept()
            return
        self.clearSelection()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._interaction is not None:
            self._interaction.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        interaction, self._interaction = self._interaction, None
        if isinstance(interaction, MoveNoteInteraction):
            corner = interaction.finish(event.scenePos())
            if corner is not None:
                self.note_moved.emit(interaction.item.note_id, corner.x(), corner.y())
            event.accept()
            return
        if interaction is not None:
            target = interaction.finish(event.scenePos())
            if target is not None:
                self.step_dropped.emit(interaction.item.name, target)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _item_at(self, position: QPointF) -> object | None:
        for item in self.items(position):
            if isinstance(item, AddSlotItem | BranchLabelItem | StepItem | NoteItem):
                return item
            parent = item.parentItem()
            if isinstance(parent, NoteItem):
                return parent
        return None


def _same_shape(before: Flow, after: Flow) -> bool:
    """True when two flows lay out the same: same trigger, steps, branches and nesting."""
    return before.trigger is after.trigger and before.steps is after.steps
