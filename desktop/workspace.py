"""What the main window's tabs do beyond the flows list: open builders and runs, list runs and connections."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QTabWidget, QWidget

from desktop.browser import open_in_browser
from desktop.client import ApiClient, ApiError, PieceCatalog
from desktop.client.oauth2_sign_in import DEFAULT_TIMEOUT_S, OAuth2Request, connect_oauth2
from desktop.panels.connections_panel import ConnectionsPanel
from desktop.panels.runs_panel import RunsPanel
from engine.model.resources import AppConnectionRead

if TYPE_CHECKING:
    # Imported when first used: the builder and run view (canvas, editors) are not needed for
    # the first screen, and importing them delayed the flows list.
    from desktop.panels.builder_panel import BuilderPanel
    from desktop.panels.run_view import RunView

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class Workspace:
    """Builders and run views as tabs, the runs list and the connections list."""

    def __init__(
        self,
        *,
        tabs: QTabWidget,
        client: Callable[[], ApiClient | None],
        project_id: Callable[[], str | None],
        report: Callable[[str], None],
        spawn: Spawn,
    ) -> None:
        self.tabs = tabs
        self._client = client
        self._project_id = project_id
        self._report = report
        self._spawn = spawn
        self.catalog = PieceCatalog()
        self._catalog_task: asyncio.Future[None] | None = None
        self.connections: list[AppConnectionRead] = []
        #: Opens a URL in the system browser (tests put a scripted browser here).
        self.open_url: Callable[[str], bool] = open_in_browser
        #: Seconds an OAuth2 sign-in waits for the browser to come back.
        self.oauth2_timeout_s = DEFAULT_TIMEOUT_S
        self.runs_panel = RunsPanel()
        self.connections_panel = ConnectionsPanel(self.catalog)
        self.connections_panel.sign_in = self.sign_in_oauth2
        self.builders: dict[str, BuilderPanel] = {}
        self.run_views: dict[str, RunView] = {}
        self.runs_panel.refresh_requested.connect(
            lambda flow_id, status: spawn(self.refresh_runs(flow_id or None, status or None))
        )
        self.runs_panel.open_requested.connect(lambda run_id: spawn(self.open_run(run_id)))
        self.connections_panel.refresh_requested.connect(lambda: spawn(self.refresh_connections()))
        self.connections_panel.save_requested.connect(
            lambda ext, name, piece, value: spawn(self.save_connection(ext, name, piece, value))
        )
        self.connections_panel.delete_requested.connect(
            lambda connection_id: spawn(self.delete_connection(connection_id))
        )
        self.connections_panel.connection_created.connect(self._signed_in)
        tabs.setTabsClosable(True)
        tabs.tabCloseRequested.connect(self.close_tab)

    def reset(self) -> None:
        """Forgets the server: closes builder and run tabs, empties the catalog and the lists.

        The window calls it when switching servers, after checking no builder has unsaved edits.
        """
        for builder in self.builders.values():
            builder.stop_saving()
        for widget in [*self.builders.values(), *self.run_views.values()]:
            self.tabs.removeTab(self.tabs.indexOf(widget))
            widget.deleteLater()
        self.builders.clear()
        self.run_views.clear()
        if self._catalog_task is not None:
            self._catalog_task.cancel()
            self._catalog_task = None
        self.catalog.summaries = []
        self.catalog.metadata = {}
        self.connections.clear()
        self.connections_panel.show_connections([])
        self.runs_panel.show_runs([])
        self.runs_panel.set_flows([])

    def start_loading_pieces(self) -> None:
        """Loads the piece catalog in the background (builders wait for it)."""
        client = self._client()
        if client is not None and self._catalog_task is None:
            self._catalog_task = asyncio.ensure_future(self.catalog.load(client))

    async def pieces_ready(self) -> None:
        """Waits for the catalog; a failure is reported and leaves it empty."""
        self.start_loading_pieces()
        if self._catalog_task is None:
            return
        try:
            await asyncio.shield(self._catalog_task)
        except ApiError as err:
            self._report(f"Cannot load the pieces: {err.message}")
            self._catalog_task = None

    async def open_flow(self, flow_id: str) -> "BuilderPanel | None":
        """Opens (or shows) the builder of a flow."""
        if flow_id in self.builders:
            self.tabs.setCurrentWidget(self.builders[flow_id])
            return self.builders[flow_id]
        client = self._client()
        if client is None:
            return None
        await self.pieces_ready()
        try:
            flow, _ = await asyncio.gather(client.flow(flow_id), self.refresh_connections())
        except ApiError as err:
            self._report(err.message)
            return None
        from desktop.panels.builder_panel import BuilderPanel

        builder = BuilderPanel(
            client=client,
            flow=flow,
            catalog=self.catalog,
            connections=self.connections,
            spawn=self._spawn,
            sign_in=self.sign_in_oauth2,
        )
        builder.message.connect(self._report)
        builder.run_finished.connect(lambda _: self._spawn(self.refresh_runs()))
        self.builders[flow_id] = builder
        index = self.tabs.addTab(builder, flow.version.display_name)
        self.tabs.setCurrentIndex(index)
        return builder

    async def refresh_runs(self, flow_id: str | None = None, status: str | None = None) -> bool:
        """Loads the runs list with these filters."""
        client, project_id = self._client(), self._project_id()
        if client is None or project_id is None:
            return False
        try:
            runs = await client.runs(
                project_id,
                flow_id=flow_id,
                statuses=[status] if status else None,
                created_after=self.runs_panel.created_after(),
            )
        except ApiError as err:
            self._report(err.message)
            return False
        self.runs_panel.show_runs(runs)
        return True

    async def open_run(self, run_id: str) -> "RunView | None":
        """Opens the run view of a run."""
        client = self._client()
        if client is None:
            return None
        await self.pieces_ready()
        try:
            run = await client.run(run_id, rehydrate=False)
            flow = await client.flow(run.flow_id, run.flow_version_id)
        except ApiError as err:
            self._report(err.message)
            return None
        from desktop.panels.run_view import RunView

        view = RunView(
            run,
            flow.version.definition,
            piece_names=self.catalog.display_names(),
            client=client,
            spawn=self._spawn,
        )
        old = self.run_views.pop(run_id, None)
        if old is not None:
            self.tabs.removeTab(self.tabs.indexOf(old))
        self.run_views[run_id] = view
        index = self.tabs.addTab(view, f"Run · {flow.version.display_name}")
        self.tabs.setCurrentIndex(index)
        return view

    async def refresh_connections(self) -> bool:
        """Loads the connections list."""
        client, project_id = self._client(), self._project_id()
        if client is None or project_id is None:
            return False
        try:
            self.connections[:] = await client.connections(project_id)
        except ApiError as err:
            self._report(err.message)
            return False
        self.connections_panel.show_connections(self.connections)
        return True

    async def save_connection(
        self, external_id: str, display_name: str, piece_name: str, value: dict[str, Any]
    ) -> bool:
        """Creates or replaces a connection."""
        client, project_id = self._client(), self._project_id()
        if client is None or project_id is None:
            return False
        try:
            await client.save_connection(
                project_id,
                external_id=external_id,
                display_name=display_name,
                piece_name=piece_name,
                value=value,
            )
        except ApiError as err:
            self._report(f"Connection not saved: {err.message}")
            return False
        self._report(f"Saved connection “{display_name}”")
        return await self.refresh_connections()

    async def sign_in_oauth2(self, request: OAuth2Request) -> AppConnectionRead:
        """Makes an OAuth2 connection through the system browser (the dialog shows progress).

        Raises:
            OAuth2SignInError: declined, state mismatch, timeout, or no browser.
            ApiError: the server refused, or there is no server connection.
        """
        client, project_id = self._client(), self._project_id()
        if client is None or project_id is None:
            raise ApiError(0, "NOT_CONNECTED", "Not connected to a server")
        return await connect_oauth2(
            client,
            request,
            project_id=project_id,
            open_url=lambda url: self.open_url(url),
            timeout_s=self.oauth2_timeout_s,
        )

    def _signed_in(self, display_name: str) -> None:
        self._report(f"Saved connection “{display_name}”")
        self._spawn(self.refresh_connections())

    async def delete_connection(self, connection_id: str) -> bool:
        """Deletes a connection."""
        client = self._client()
        if client is None:
            return False
        try:
            await client.delete_connection(connection_id)
        except ApiError as err:
            self._report(err.message)
            return False
        return await self.refresh_connections()

    def close_tab(self, index: int) -> None:
        """Closes a builder or run tab (the list tabs stay)."""
        widget: QWidget | None = self.tabs.widget(index)
        for flow_id, builder in list(self.builders.items()):
            if builder is widget:
                if builder.saves.pending:
                    self._report("This flow still has unsaved changes; they keep being sent")
                    return
                builder.stop_saving()
                del self.builders[flow_id]
        for run_id, view in list(self.run_views.items()):
            if view is widget:
                del self.run_views[run_id]
        if widget is not None and (widget in self.builders.values() or index >= 3):
            self.tabs.removeTab(index)
            widget.deleteLater()
