"""The flow scene: draws a layout and turns clicks and drags into intents (signals)."""

from collections.abc import Mapping

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent, QWidget

from desktop.canvas import style
from desktop.canvas.interactions import MoveStepInteraction
from desktop.canvas.items.add_slot_item import AddSlotItem
from desktop.canvas.items.branch_label_item import BranchLabelItem
from desktop.canvas.items.loop_frame_item import LoopFrameItem
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

    def __init__(self, parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.read_only = read_only
        self.layout_result = Layout()
        self.step_items: dict[str, StepItem] = {}
        self.slot_items: list[AddSlotItem] = []
        self.label_items: list[BranchLabelItem] = []
        self._interaction: MoveStepInteraction | None = None

    def show_flow(
        self,
        flow: Flow,
        *,
        problems: Mapping[str, list[str]] | None = None,
        piece_names: Mapping[str, str] | None = None,
    ) -> None:
        """Draws the flow again (keeping the selection)."""
        selected = self.selected_step()
        self.clear()
        self.step_items, self.slot_items, self.label_items = {}, [], []
        self._interaction = None
        result = layout(flow)
        self.layout_result = result
        pen = QPen(style.EDGE, 1.5)
        for (x1, y1), (x2, y2) in result.edges:
            self.addLine(x1, y1, x2, y2, pen).setZValue(-0.5)
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
        self.setSceneRect(QRectF(0, 0, result.width, result.height))
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

    def select_step(self, name: str | None) -> None:
        """Selects one step (None: nothing)."""
        self.clearSelection()
        item = self.step_items.get(name or "")
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
        if isinstance(item, AddSlotItem):
            self.slot_clicked.emit(item.placement)
            event.accept()
            return
        if isinstance(item, BranchLabelItem):
            self.branch_clicked.emit(item.router, item.branch_index)
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
        if interaction is not None:
            target = interaction.finish(event.scenePos())
            if target is not None:
                self.step_dropped.emit(interaction.item.name, target)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _item_at(self, position: QPointF) -> object | None:
        for item in self.items(position):
            if isinstance(item, AddSlotItem | BranchLabelItem | StepItem):
                return item
        return None
