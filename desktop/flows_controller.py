"""What the flows list's buttons do: create, import, rename, duplicate, turn on/off, move, export, delete, folders."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.client import ApiClient, ApiError, ServerUnavailableError

log = logging.getLogger(__name__)


class FlowsController:
    """Carries out flow-list requests against the server; reports the outcome as a status message."""

    def __init__(
        self,
        *,
        client: Callable[[], ApiClient | None],
        project_id: Callable[[], str | None],
        refresh: Callable[[], Awaitable[bool]],
        report: Callable[[str], None],
        alert: Callable[[str, str], None] = lambda title, message: None,
    ) -> None:
        self._client = client
        self._project_id = project_id
        self._refresh = refresh
        self._report = report
        self._alert = alert

    async def create(self, name: str, *, folder_id: str | None = None) -> bool:
        """Creates an empty flow (in a folder, if given)."""
        return await self._do(
            f"Created “{name}”", lambda c, p: c.create_flow(p, name, folder_id=folder_id)
        )

    async def import_file(self, path: Path) -> bool:
        """Creates a flow from a Piecework or Activepieces JSON file; says what is wrong with others."""
        read = await _read_document(path)
        if isinstance(read, str):
            self._report(read)
            self._alert("Cannot import this file", read)
            return False
        client, project_id = self._client(), self._project_id()
        if client is None or project_id is None:
            self._report("Not connected to a server")
            return False
        name = _document_name(read.document) or path.stem
        try:
            flow = await client.create_flow(project_id, name)
            try:
                await client.operate(flow.id, "IMPORT_FLOW", read.document)
            except ApiError:
                await client.delete_flow(flow.id)  # no half-imported, empty flow left behind
                raise
        except ServerUnavailableError as err:
            self._report(err.message)
            return False
        except ApiError as err:
            self._report(err.message)
            self._alert(
                "Cannot import this file",
                f"{path.name} is not a flow Piecework can import:\n{err.message}",
            )
            return False
        await self._refresh()
        self._report(f"Imported “{name}” from {path.name}")
        return True

    async def move(self, flow_id: str, folder_id: str | None) -> bool:
        """Moves a flow into a folder (None: out of any folder)."""
        return await self._do(
            "Moved",
            lambda c, _: c.operate(flow_id, "CHANGE_FOLDER", {"folderId": folder_id}),
        )

    async def create_folder(self, name: str) -> bool:
        """Creates a folder."""
        return await self._do(f"Created the folder “{name}”", lambda c, p: c.create_folder(p, name))

    async def rename_folder(self, folder_id: str, name: str) -> bool:
        """Renames a folder."""
        return await self._do(
            f"Renamed the folder to “{name}”", lambda c, _: c.rename_folder(folder_id, name)
        )

    async def delete_folder(self, folder_id: str) -> bool:
        """Deletes a folder (its flows stay, outside any folder)."""
        return await self._do("Deleted the folder", lambda c, _: c.delete_folder(folder_id))

    async def rename(self, flow_id: str, name: str) -> bool:
        """Renames a flow."""
        return await self._do(
            f"Renamed to “{name}”",
            lambda c, _: c.operate(flow_id, "CHANGE_NAME", {"displayName": name}),
        )

    async def duplicate(self, flow_id: str) -> bool:
        """Copies a flow."""
        return await self._do("Duplicated", lambda c, _: c.duplicate_flow(flow_id))

    async def set_enabled(self, flow_id: str, enabled: bool) -> bool:
        """Turns a published flow on or off."""
        status = "ENABLED" if enabled else "DISABLED"
        message = "Turned on" if enabled else "Turned off"
        return await self._do(
            message, lambda c, _: c.operate(flow_id, "CHANGE_STATUS", {"status": status})
        )

    async def export(self, flow_id: str, path: Path) -> bool:
        """Saves a flow's draft as a JSON file that can be imported again."""
        client = self._client()
        if client is None:
            return False
        try:
            document = await client.export_flow(flow_id)
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        except ApiError as err:
            self._report(err.message)
            return False
        except OSError as err:
            self._report(f"Cannot write {path}: {err.strerror}")
            return False
        self._report(f"Exported to {path.name}")
        return True

    async def delete(self, flow_id: str) -> bool:
        """Deletes a flow (the view asked for confirmation)."""
        return await self._do("Deleted", lambda c, _: c.delete_flow(flow_id))

    async def _do(self, done: str, call: Callable[[ApiClient, str], Awaitable[Any]]) -> bool:
        client, project_id = self._client(), self._project_id()
        if client is None or project_id is None:
            self._report("Not connected to a server")
            return False
        try:
            await call(client, project_id)
        except ApiError as err:
            self._report(err.message)
            return False
        await self._refresh()
        self._report(done)
        return True


@dataclass(frozen=True, slots=True)
class _Read:
    document: Any


async def _read_document(path: Path) -> "_Read | str":
    """The file's JSON document, or what is wrong with the file."""
    try:
        document = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    except UnicodeDecodeError:
        return f"{path.name} is not a text file: a flow file is JSON (Piecework or Activepieces)."
    except OSError as err:
        return f"Cannot read {path.name}: {err.strerror or err}"
    except json.JSONDecodeError as err:
        return f"{path.name} is not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}"
    if not isinstance(document, dict):
        return (
            f"{path.name} is JSON but not a flow: a flow file holds one object with a trigger "
            "and steps (as Piecework or Activepieces export it)."
        )
    return _Read(document)


def _document_name(document: object) -> str | None:
    if not isinstance(document, dict):
        return None
    for holder in (document, document.get("template"), document.get("version")):
        if (
            isinstance(holder, dict)
            and isinstance(holder.get("displayName"), str)
            and holder["displayName"]
        ):
            return str(holder["displayName"])
    return None
