"""The canvas view: zoom (Ctrl+wheel, buttons), pan (drag the background, wheel), fit to view, minimap."""

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QResizeEvent, QShowEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from desktop.canvas.minimap import Minimap
from desktop.canvas.scene import FlowScene

#: Margin between the minimap and the view's bottom-right corner.
MINIMAP_MARGIN = 10

MIN_ZOOM = 0.2
MAX_ZOOM = 2.5


class FlowView(QGraphicsView):
    """Shows a FlowScene."""

    def __init__(self, scene: FlowScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.flow_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(Qt.GlobalColor.white)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fitted = False
        self.minimap = Minimap(self, self)
        self.minimap.hide()
        scene.sceneRectChanged.connect(lambda _: self._update_minimap())
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(lambda _: self.minimap.viewport().update())

    @property
    def zoom(self) -> float:
        """The current scale (1 = 100 %)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zooms in (>1) or out (<1), within limits."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        self.scale(target / self.zoom, target / self.zoom)
        self._update_minimap()

    def reset_zoom(self) -> None:
        """Back to 100 %."""
        self.resetTransform()
        self._update_minimap()

    def fit(self) -> None:
        """Shows the whole flow (never above 100 %)."""
        rect = self.flow_scene.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1:
            self.reset_zoom()
        if self.zoom < MIN_ZOOM:
            self.zoom_by(1)
        self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / (2 * self.zoom))
        self._update_minimap()

    def flow_fits(self) -> bool:
        """True when the whole flow is visible at the current zoom."""
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        rect: QRectF = self.flow_scene.sceneRect()
        return visible.adjusted(-1, -1, 1, 1).contains(rect)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_minimap()

    def _update_minimap(self) -> None:
        """Shows the minimap in the bottom-right corner when the flow does not fit."""
        viewport = self.viewport().geometry()
        big = not self.flow_fits()
        room = (
            viewport.width() > 2 * self.minimap.width()
            and viewport.height() > self.minimap.height() + 40
        )
        self.minimap.setVisible(big and room)
        if self.minimap.isVisible():
            self.minimap.move(
                viewport.right() - self.minimap.width() - MINIMAP_MARGIN,
                viewport.bottom() - self.minimap.height() - MINIMAP_MARGIN,
            )
            self.minimap.fit()
            self.minimap.viewport().update()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first time it has its real size
            self._fitted = True
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)
