"""The canvas view: zoom (Ctrl+wheel, buttons), pan (drag the background, wheel), fit to view."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QShowEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from desktop.canvas.scene import FlowScene

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

    @property
    def zoom(self) -> float:
        """The current scale (1 = 100 %)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zooms in (>1) or out (<1), within limits."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        self.scale(target / self.zoom, target / self.zoom)

    def reset_zoom(self) -> None:
        """Back to 100 %."""
        self.resetTransform()

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
