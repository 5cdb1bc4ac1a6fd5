"""The canvas layout as a pure function of the flow: boxes, "+" slots, edges, branch labels, loop frames.

Vertical: the trigger on top, each step below the one before; a router's branches side by side
under it with their names; a loop's steps inside a frame under it. Every edge has a "+" slot
that knows where a step dropped there goes (the Placement of ADD_ACTION / MOVE_ACTION).
"""

from dataclasses import dataclass, field

from desktop.document.placement import Placement
from engine.model import Flow, LoopStep, RouterStep, Step, Trigger

NODE_WIDTH = 232.0
NODE_HEIGHT = 56.0
#: Vertical distance between two boxes; the "+" sits in the middle.
GAP = 56.0
COLUMN_GAP = 40.0
FRAME_PADDING = 20.0
LABEL_HEIGHT = 26.0
MARGIN = 40.0

Point = tuple[float, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeBox:
    """A step (or the trigger) and the rectangle it is drawn in."""

    name: str
    step: Step | Trigger
    x: float
    y: float
    width: float = NODE_WIDTH
    height: float = NODE_HEIGHT


@dataclass(frozen=True, slots=True, kw_only=True)
class AddSlot:
    """A "+" on an edge or in an empty branch or loop, centred at (x, y)."""

    x: float
    y: float
    placement: Placement


@dataclass(frozen=True, slots=True, kw_only=True)
class BranchLabel:
    """A router branch's name over its column."""

    router: str
    branch_index: int
    text: str
    fallback: bool
    x: float
    y: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopFrame:
    """The frame around a loop's steps."""

    name: str
    x: float
    y: float
    width: float
    height: float


@dataclass(slots=True)
class Layout:
    """Everything the canvas draws, in scene coordinates."""

    nodes: list[NodeBox] = field(default_factory=list)
    slots: list[AddSlot] = field(default_factory=list)
    edges: list[tuple[Point, Point]] = field(default_factory=list)
    labels: list[BranchLabel] = field(default_factory=list)
    frames: list[LoopFrame] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    def node(self, name: str) -> NodeBox | None:
        """The box of the named step."""
        return next((node for node in self.nodes if node.name == name), None)


def layout(flow: Flow) -> Layout:
    """Lays the flow out top to bottom."""
    builder = _Builder()
    width = max(NODE_WIDTH, builder.sequence_width(flow.steps))
    centre = MARGIN + width / 2
    result = builder.result
    result.nodes.append(
        NodeBox(name="trigger", step=flow.trigger, x=centre - NODE_WIDTH / 2, y=MARGIN)
    )
    bottom = builder.sequence(flow.steps, centre, MARGIN + NODE_HEIGHT, Placement(parent="trigger"))
    result.width = width + 2 * MARGIN
    result.height = bottom + MARGIN
    return result


class _Builder:
    def __init__(self) -> None:
        self.result = Layout()
        self._widths: dict[str, float] = {}

    def sequence_width(self, steps: list[Step]) -> float:
        return max([NODE_WIDTH, *(self.step_width(step) for step in steps)])

    def step_width(self, step: Step) -> float:
        known = self._widths.get(step.name)
        if known is not None:
            return known
        width = NODE_WIDTH
        if isinstance(step, LoopStep):
            width = self.sequence_width(step.steps) + 2 * FRAME_PADDING
        elif isinstance(step, RouterStep) and step.branches:
            columns = [self.sequence_width(branch.steps) for branch in step.branches]
            width = max(NODE_WIDTH, sum(columns) + COLUMN_GAP * (len(columns) - 1))
        self._widths[step.name] = width
        return width

    def sequence(self, steps: list[Step], centre: float, top: float, first: Placement) -> float:
        """Lays out a step list hanging below `top`; returns the y where its last edge ends."""
        y = self._edge_with_slot(centre, top, first)
        for step in steps:
            y = self._step(step, centre, y)
            y = self._edge_with_slot(centre, y, Placement(parent=step.name))
        return y

    def _edge_with_slot(self, x: float, top: float, placement: Placement) -> float:
        self.result.edges.append(((x, top), (x, top + GAP)))
        self.result.slots.append(AddSlot(x=x, y=top + GAP / 2, placement=placement))
        return top + GAP

    def _step(self, step: Step, centre: float, top: float) -> float:
        self.result.nodes.append(
            NodeBox(name=step.name, step=step, x=centre - NODE_WIDTH / 2, y=top)
        )
        bottom = top + NODE_HEIGHT
        if isinstance(step, LoopStep):
            return self._loop(step, centre, bottom)
        if isinstance(step, RouterStep):
            return self._router(step, centre, bottom)
        return bottom

    def _loop(self, step: LoopStep, centre: float, top: float) -> float:
        end = self.sequence(
            step.steps, centre, top, Placement(parent=step.name, location="INSIDE_LOOP")
        )
        width = self.step_width(step)
        frame_top = top + FRAME_PADDING / 2
        self.result.frames.append(
            LoopFrame(
                name=step.name,
                x=centre - width / 2,
                y=frame_top,
                width=width,
                height=end - frame_top,
            )
        )
        return end + FRAME_PADDING / 2

    def _router(self, step: RouterStep, centre: float, top: float) -> float:
        if not step.branches:
            return top
        bar = top + GAP / 2
        self.result.edges.append(((centre, top), (centre, bar)))
        columns = [self.sequence_width(branch.steps) for branch in step.branches]
        left = centre - (sum(columns) + COLUMN_GAP * (len(columns) - 1)) / 2
        ends: list[tuple[float, float]] = []
        for index, (branch, width) in enumerate(zip(step.branches, columns, strict=True)):
            x = left + width / 2
            left += width + COLUMN_GAP
            self.result.labels.append(
                BranchLabel(
                    router=step.name,
                    branch_index=index,
                    text=branch.branch_name,
                    fallback=branch.branch_type == "FALLBACK",
                    x=x,
                    y=bar + LABEL_HEIGHT / 2,
                )
            )
            self.result.edges.append(((x, bar), (x, bar + LABEL_HEIGHT)))
            inside = Placement(parent=step.name, location="INSIDE_BRANCH", branch_index=index)
            ends.append((x, self.sequence(branch.steps, x, bar + LABEL_HEIGHT, inside)))
        merge = max(end for _, end in ends)
        first_x, last_x = ends[0][0], ends[-1][0]
        self.result.edges.append(((first_x, bar), (last_x, bar)))
        for x, end in ends:
            if end < merge:
                self.result.edges.append(((x, end), (x, merge)))
        self.result.edges.append(((first_x, merge), (last_x, merge)))
        return merge
