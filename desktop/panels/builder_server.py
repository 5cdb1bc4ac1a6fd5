"""The builder's server calls: publish, new connections, dropdown options, versions and reload."""

from typing import Any

from desktop.client import ApiError
from desktop.panels.builder_core import BuilderCore
from desktop.panels.connection_dialog import ConnectionDialog
from engine.model import PieceStep, PieceTrigger, Step, Trigger
from engine.model.operations import ImportFlowOperation, UpdateActionOperation


class BuilderServer(BuilderCore):
    """The builder's server calls besides test runs: publish, connections, dropdown options,
    versions, reloading the draft."""

    async def publish(self) -> bool:
        """Saves, checks, then publishes the draft (LOCK_AND_PUBLISH) and turns the flow on."""
        problems = self.document.problems()
        if problems:
            self.problems.setFocus()
            self.select(problems[0].step)
            self._say(f"Fix {len(problems)} problem(s) before publishing (listed under the canvas)")
            return False
        if not await self.saves.drained():
            self._say(f"Publish waits for the draft to be saved: {self.saves.message}")
            return False
        try:
            self.flow_read = await self.client.operate(
                self.document.flow_id, "LOCK_AND_PUBLISH", {}
            )
        except ApiError as err:
            self._say(f"Not published: {err.message}")
            return False
        self._say("Published: the flow is on")
        await self.load_versions()
        return True

    def new_connection(self, piece_name: str) -> ConnectionDialog:
        """Opens the new-connection form for the selected step's piece (secrets masked; OAuth2
        pieces sign in through the browser)."""
        dialog = ConnectionDialog(self.catalog, self, sign_in=self.sign_in)
        dialog.piece.setCurrentIndex(max(0, dialog.piece.findData(piece_name)))
        dialog.external_id.setText(piece_name)
        dialog.accepted.connect(lambda: self.spawn(self.create_connection(dialog)))
        self.connection_dialog = dialog
        dialog.finished.connect(self.reactivate)
        dialog.open()
        return dialog

    async def create_connection(self, dialog: ConnectionDialog) -> bool:
        """Saves the dialog's connection (unless its OAuth2 sign-in did) and makes the selected
        step use it."""
        external_id = dialog.external_id.text().strip()
        try:
            if dialog.connection is None:
                await self.client.save_connection(
                    self.flow_read.project_id,
                    external_id=external_id,
                    display_name=dialog.display_name.text().strip() or external_id,
                    piece_name=dialog.piece_name(),
                    value=dialog.value(),
                )
            connections = await self.client.connections(self.flow_read.project_id)
        except ApiError as err:
            self._say(f"Connection not saved: {err.message}")
            return False
        self.settings.connections[:] = connections
        step = self.settings.step
        if isinstance(step, PieceStep):
            reference = f"{{{{connections['{external_id}']}}}}"
            inputs = {**step.settings.input, "auth": reference}
            edited = step.model_copy(
                update={"settings": step.settings.model_copy(update={"input": inputs})}
            )
            if self.apply(UpdateActionOperation(request=edited)):
                self.settings.show_step(self.document.flow.step(step.name))
        self._say(f"Saved connection “{external_id}”")
        return True

    async def _load_options(
        self, step: Step | Trigger, prop: str, values: dict[str, Any], *, within: str | None = None
    ) -> dict[str, Any]:
        if not isinstance(step, PieceStep | PieceTrigger):
            return {"options": [], "disabled": True, "placeholder": ""}
        name = (
            step.settings.action_name if isinstance(step, PieceStep) else step.settings.trigger_name
        )
        return await self.client.piece_options(
            project_id=self.flow_read.project_id,
            piece_name=step.settings.piece_name,
            piece_version=step.settings.piece_version or None,
            step_name=name or "",
            property_name=prop,
            values=values,
            dynamic_property_name=within,
        )

    async def load_versions(self) -> bool:
        """Reads the version history into the Versions tab."""
        try:
            versions = await self.client.versions(self.document.flow_id)
            self.flow_read = await self.client.flow(self.document.flow_id)
        except ApiError as err:
            self._say(f"Versions not loaded: {err.message}")
            return False
        self.versions.show_versions(versions, self.flow_read.published_version_id)
        return True

    async def use_as_draft(self, version_id: str) -> bool:
        """Replaces the draft with a published version, as one undoable edit (an IMPORT_FLOW)."""
        try:
            version = await self.client.flow(self.document.flow_id, version_id)
        except ApiError as err:
            self._say(f"Version not loaded: {err.message}")
            return False
        definition = version.version.definition
        document = definition.model_dump(mode="json", by_alias=True)
        if not self.apply(ImportFlowOperation(request=document)):
            return False
        self._say("The draft is now a copy of that version (Undo takes it back)")
        return True

    async def reload(self) -> None:
        """Drops unsaved edits and shows the server's draft."""
        try:
            flow = await self.client.flow(self.document.flow_id)
        except ApiError as err:
            self._say(err.message)
            return
        self.saves.discard()
        self.document.replace(flow.version.definition)
        self._say("Reloaded from the server")
