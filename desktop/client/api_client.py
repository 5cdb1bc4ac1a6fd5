"""The HTTP client of the Piecework API, returning engine.model resources."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from desktop.client._http import httpx
from engine.model.pieces import PieceMetadata, PieceSummary
from engine.model.resources import (
    AppConnectionRead,
    ErrorBody,
    FlowRead,
    FlowRunRead,
    FlowVersionRead,
    FolderRead,
    Page,
    ProjectRead,
)


class ApiError(Exception):
    """The server answered with an error body; `message` is for the person."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(message)


class ServerUnavailableError(ApiError):
    """The server cannot be reached."""


class ClientClosedError(ApiError):
    """The connection was closed (the app switched servers or is quitting) before the request."""


class SessionExpiredError(ApiError):
    """The sign-in expired and could not be renewed: the person has to sign in again."""


#: Gets a new access token (a team server's refresh); raises ApiError when it cannot.
TokenRenewal = Callable[[], Awaitable[str]]


class ApiClient:
    """One httpx.AsyncClient per server connection; the GUI thread never blocks on it."""

    def __init__(self, base_url: str, token: str, *, timeout_s: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        #: The bearer token (for the live-updates WebSocket); never logged or shown.
        self.token = token
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_s,
        )
        #: Renews the token when the server answers 401 (team servers; None: no renewal).
        self.renew_token: TokenRenewal | None = None
        #: Told (with the message) when the token could not be renewed.
        self.on_session_expired: Callable[[str], None] | None = None
        self._renewing = asyncio.Lock()
        self._unrenewable: tuple[str, str] | None = None
        self._token_listeners: list[Callable[[], None]] = []

    def retarget(self, base_url: str, token: str) -> None:
        """Points the client at the same server's new address and token (a restarted local
        server, a renewed token, or the same account signed in again)."""
        changed = token != self.token
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http.base_url = httpx.URL(self.base_url + "/api/v1")
        self._http.headers["Authorization"] = f"Bearer {token}"
        if changed:
            for listener in list(self._token_listeners):
                listener()

    def on_token_changed(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Calls `listener` each time the token changes (work that waited for a sign-in can go
        on); returns what stops that."""
        self._token_listeners.append(listener)

        def stop() -> None:
            if listener in self._token_listeners:
                self._token_listeners.remove(listener)

        return stop

    async def close(self) -> None:
        """Closes the connection pool."""
        await self._http.aclose()

    async def health(self, *, timeout_s: float | None = None) -> bool:
        """True when the server and its database answer (within `timeout_s`, if given)."""
        extra: dict[str, Any] = {} if timeout_s is None else {"timeout": timeout_s}
        try:
            body = await self._request("GET", "/health", **extra)
        except ApiError:
            return False
        return bool(body.get("status") == "ok")

    async def projects(self) -> list[ProjectRead]:
        """The projects the signed-in user belongs to."""
        return Page[ProjectRead].model_validate(await self._request("GET", "/projects")).data

    async def flows(self, project_id: str, *, limit: int = 100) -> list[FlowRead]:
        """Every flow of the project, newest first (following the pages)."""
        flows: list[FlowRead] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"projectId": project_id, "limit": limit}
            if cursor:
                params["cursor"] = cursor
            page = Page[FlowRead].model_validate(
                await self._request("GET", "/flows", params=params)
            )
            flows.extend(page.data)
            cursor = page.next
            if not cursor:
                return flows

    async def create_flow(
        self, project_id: str, display_name: str, *, folder_id: str | None = None
    ) -> FlowRead:
        """Creates an empty flow (in a folder, if given)."""
        body = {"displayName": display_name, "projectId": project_id, "folderId": folder_id}
        return FlowRead.model_validate(await self._request("POST", "/flows", json=body))

    async def folders(self, project_id: str) -> list[FolderRead]:
        """The project's folders by name, with their number of flows."""
        body = await self._request("GET", "/folders", params={"projectId": project_id})
        return Page[FolderRead].model_validate(body).data

    async def create_folder(self, project_id: str, display_name: str) -> FolderRead:
        """Creates a folder."""
        body = {"displayName": display_name, "projectId": project_id}
        return FolderRead.model_validate(await self._request("POST", "/folders", json=body))

    async def rename_folder(self, folder_id: str, display_name: str) -> FolderRead:
        """Renames a folder."""
        body = {"displayName": display_name}
        return FolderRead.model_validate(
            await self._request("POST", f"/folders/{folder_id}", json=body)
        )

    async def delete_folder(self, folder_id: str) -> None:
        """Deletes a folder; its flows stay, outside any folder."""
        await self._request("DELETE", f"/folders/{folder_id}")

    async def operate(self, flow_id: str, operation_type: str, request: dict[str, Any]) -> FlowRead:
        """Applies one flow operation `{type, request}` and returns the flow after it."""
        body = {"type": operation_type, "request": request}
        return FlowRead.model_validate(await self._request("POST", f"/flows/{flow_id}", json=body))

    async def duplicate_flow(self, flow_id: str) -> FlowRead:
        """A disabled copy of the flow."""
        return FlowRead.model_validate(await self._request("POST", f"/flows/{flow_id}/duplicate"))

    async def delete_flow(self, flow_id: str) -> None:
        """Deletes the flow with its runs."""
        await self._request("DELETE", f"/flows/{flow_id}")

    async def export_flow(self, flow_id: str) -> dict[str, Any]:
        """The flow's draft as a document that IMPORT_FLOW takes back."""
        return await self._request("GET", f"/flows/{flow_id}/export")

    async def flow(self, flow_id: str, version_id: str | None = None) -> FlowRead:
        """The flow with its draft (or with the version `version_id`)."""
        params = {"versionId": version_id} if version_id else {}
        body = await self._request("GET", f"/flows/{flow_id}", params=params)
        return FlowRead.model_validate(body)

    async def versions(self, flow_id: str) -> list[FlowVersionRead]:
        """The draft and every published version, newest first."""
        body = await self._request("GET", f"/flows/{flow_id}/versions")
        return Page[FlowVersionRead].model_validate(body).data

    async def pieces(self) -> list[PieceSummary]:
        """Every installed piece (newest version)."""
        return Page[PieceSummary].model_validate(await self._request("GET", "/pieces")).data

    async def piece(self, name: str, version: str | None = None) -> PieceMetadata:
        """A piece's metadata (props, auth, actions, triggers) at a version (default newest)."""
        params = {"version": version} if version else {}
        body = await self._request("GET", f"/pieces/{name}", params=params)
        return PieceMetadata.model_validate(body)

    async def piece_options(
        self,
        *,
        project_id: str,
        piece_name: str,
        piece_version: str | None,
        step_name: str,
        property_name: str,
        values: dict[str, Any],
        dynamic_property_name: str | None = None,
    ) -> dict[str, Any]:
        """A dropdown's options `{options, disabled, placeholder}` (or a DYNAMIC prop's `{props}`)
        for the form's current values; `dynamic_property_name`: the DYNAMIC prop the dropdown is
        a field of (its values are in `values`, under its key)."""
        body = {
            "projectId": project_id,
            "pieceName": piece_name,
            "pieceVersion": piece_version,
            "actionOrTriggerName": step_name,
            "propertyName": property_name,
            "input": values,
        }
        if dynamic_property_name is not None:
            body["dynamicPropertyName"] = dynamic_property_name
        return await self._request("POST", "/pieces/options", json=body)

    async def runs(
        self,
        project_id: str,
        *,
        flow_id: str | None = None,
        statuses: list[str] | None = None,
        created_after: datetime | None = None,
        limit: int = 50,
    ) -> list[FlowRunRead]:
        """The newest runs of the project, optionally of one flow, with some statuses, since a time."""
        params: dict[str, Any] = {"projectId": project_id, "limit": limit}
        if created_after is not None:
            params["createdAfter"] = created_after.isoformat()
        if flow_id:
            params["flowId"] = flow_id
        if statuses:
            params["status"] = statuses
        body = await self._request("GET", "/flow-runs", params=params)
        return Page[FlowRunRead].model_validate(body).data

    async def run(self, run_id: str, *, rehydrate: bool = True) -> FlowRunRead:
        """One run with every step's input, output, status and duration (`rehydrate=False`:
        outputs too large for the run log stay `{"$offloaded": ref, "size"}`; see `run_output`)."""
        params = {} if rehydrate else {"rehydrate": "false"}
        body = await self._request("GET", f"/flow-runs/{run_id}", params=params)
        return FlowRunRead.model_validate(body)

    async def run_output(self, run_id: str, ref: str) -> Any:
        """One offloaded output of a run, parsed in a worker thread (it can be megabytes)."""
        response = await self._response("GET", f"/flow-runs/{run_id}/output", params={"ref": ref})
        return await asyncio.to_thread(json.loads, response.content)

    async def test_flow(
        self, flow_id: str, *, payload: Any = None, given: bool = True
    ) -> FlowRunRead:
        """Starts a test run of the draft with this trigger payload (`given=False`: the
        trigger's sample data); each step's output becomes its sample data."""
        body = {"payload": payload} if given else {}
        return FlowRunRead.model_validate(
            await self._request("POST", f"/flows/{flow_id}/test", json=body)
        )

    async def test_step(self, flow_id: str, step_name: str) -> FlowRunRead:
        """Starts a test run of the draft up to and including this step."""
        body = {"stepName": step_name}
        return FlowRunRead.model_validate(
            await self._request("POST", f"/flows/{flow_id}/test-step", json=body)
        )

    async def retry_run(self, run_id: str, strategy: str) -> FlowRunRead:
        """Retries a run as a new run (FROM_FAILED_STEP or ON_LATEST_VERSION)."""
        body = await self._request(
            "POST", f"/flow-runs/{run_id}/retry", json={"strategy": strategy}
        )
        return FlowRunRead.model_validate(body)

    async def cancel_run(self, run_id: str) -> FlowRunRead:
        """Cancels a queued or paused run."""
        return FlowRunRead.model_validate(
            await self._request("POST", f"/flow-runs/{run_id}/cancel")
        )

    def webhook_url(self, flow_id: str, *, sync: bool = False) -> str:
        """The URL that starts the flow (its published version) when called."""
        return f"{self.base_url}/api/v1/webhooks/{flow_id}" + ("/sync" if sync else "")

    async def send_test_webhook(self, flow_id: str, body: Any) -> str:
        """POSTs a JSON body to the flow's test webhook (runs the draft, keeps the request as the
        trigger's sample data); returns the test run's id."""
        response = await self._send_renewing("POST", f"/webhooks/{flow_id}/test", json=body)
        run_id = response.headers.get("x-piecework-run-id")
        if run_id is None:
            raise ApiError(
                response.status_code, "HTTP_ERROR", f"The test request got {response.status_code}"
            )
        return str(run_id)

    def live_url(self) -> str:
        """The WebSocket URL of live updates (send `live_auth()` first)."""
        scheme = "wss" if self.base_url.startswith("https") else "ws"
        return f"{scheme}://{self.base_url.split('://', 1)[-1]}/api/v1/ws"

    def live_auth(self) -> str:
        """The first WebSocket message: the token in the message, never in the URL (server logs)."""
        return json.dumps({"type": "AUTH", "token": self.token})

    async def send_webhook(self, flow_id: str, body: Any) -> str:
        """POSTs a JSON body to the flow's webhook; returns the id of the queued run.

        Raises:
            ApiError: the flow's trigger ignored the body (e.g. not a signed event), no run started.
        """
        answer = await self._request("POST", f"/webhooks/{flow_id}", json=body)
        if answer.get("runId") is None:
            raise ApiError(
                200,
                "TRIGGER_IGNORED",
                "The flow's trigger ignored this request, so no run started; "
                "send what its service would send",
            )
        return str(answer["runId"])

    async def connections(self, project_id: str) -> list[AppConnectionRead]:
        """The project's connections (never their values)."""
        params = {"projectId": project_id, "limit": 100}
        body = await self._request("GET", "/app-connections", params=params)
        return Page[AppConnectionRead].model_validate(body).data

    async def save_connection(
        self,
        project_id: str,
        *,
        external_id: str,
        display_name: str,
        piece_name: str,
        value: dict[str, Any],
    ) -> AppConnectionRead:
        """Creates or replaces the connection with this external id; the value goes in encrypted."""
        body = {
            "projectId": project_id,
            "externalId": external_id,
            "displayName": display_name,
            "pieceName": piece_name,
            "type": value["type"],
            "value": value,
        }
        return AppConnectionRead.model_validate(
            await self._request("POST", "/app-connections", json=body)
        )

    async def start_oauth2(
        self,
        project_id: str,
        *,
        piece_name: str,
        external_id: str,
        display_name: str,
        client_id: str,
        client_secret: str,
        redirect_url: str,
        props: dict[str, Any],
    ) -> tuple[str, str]:
        """The piece's authorization URL for a new OAuth2 connection, and its state."""
        body = {
            "projectId": project_id,
            "pieceName": piece_name,
            "externalId": external_id,
            "displayName": display_name,
            "clientId": client_id,
            "clientSecret": client_secret,
            "redirectUrl": redirect_url,
            "props": props,
        }
        answer = await self._request("POST", "/app-connections/oauth2/authorize", json=body)
        return str(answer["authorizationUrl"]), str(answer["state"])

    async def claim_oauth2(self, *, state: str, code: str) -> AppConnectionRead:
        """Hands the redirect's code to the server, which saves the connection."""
        body = {"state": state, "code": code}
        return AppConnectionRead.model_validate(
            await self._request("POST", "/app-connections/oauth2/claim", json=body)
        )

    async def delete_connection(self, connection_id: str) -> None:
        """Deletes a connection."""
        await self._request("DELETE", f"/app-connections/{connection_id}")

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._response(method, path, **kwargs)
        body: dict[str, Any] = response.json() if response.content else {}
        return body

    async def _response(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self._send_renewing(method, path, **kwargs)
        if response.is_success:
            return response
        try:
            error = ErrorBody.model_validate(response.json())
        except ValueError:
            raise ApiError(
                response.status_code, "HTTP_ERROR", f"The server answered {response.status_code}"
            ) from None
        message = error.message
        problems = error.params.get("problems")
        if isinstance(problems, list):
            message += "".join(
                f"\n• {p.get('path')}: {p.get('message')}" for p in problems if isinstance(p, dict)
            )
        raise ApiError(response.status_code, error.code, message)

    async def _send_renewing(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Sends the request; a 401 renews the token (when it can) and sends it once more."""
        sent_with = self.token
        response = await self._send(method, path, **kwargs)
        if response.status_code == 401 and self.renew_token is not None:
            await self._renew(sent_with)
            response = await self._send(method, path, **kwargs)
        return response

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._http.is_closed:  # work left over from a connection the window has left
            raise ClientClosedError(
                0, "CLOSED", f"The connection to {self.base_url} was closed; nothing was sent"
            )
        try:
            return await self._http.request(method, path, **kwargs)
        except httpx.TransportError as err:
            raise ServerUnavailableError(
                0, "UNAVAILABLE", f"Cannot reach the server at {self.base_url}"
            ) from err

    async def _renew(self, sent_with: str) -> None:
        """Renews the token once for all the requests that got 401 with it."""
        assert self.renew_token is not None
        async with self._renewing:
            if self.token != sent_with:
                return  # another request renewed it meanwhile
            if self._unrenewable is not None and self._unrenewable[0] == sent_with:
                raise SessionExpiredError(401, "SESSION_EXPIRED", self._unrenewable[1])
            try:
                token = await self.renew_token()
            except ServerUnavailableError:
                raise
            except ApiError as err:
                message = f"Your sign-in to {self.base_url} has expired ({err.message})"
                self._unrenewable = (sent_with, message)
                if self.on_session_expired is not None:
                    self.on_session_expired(message)
                raise SessionExpiredError(401, "SESSION_EXPIRED", message) from err
            self.retarget(self.base_url, token)
