"""OAuth2 connections from the desktop: system browser, loopback redirect, the server's claim.

A real server with the test_oauth piece installed, a local OAuth2 provider (authorize + token on
127.0.0.1), and a scripted "browser" that GETs the authorization URL and follows the provider's
redirect to the desktop's loopback listener, as a real browser would.
"""

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop.client.loopback_redirect import LoopbackRedirect
from desktop.main_window import MainWindow
from desktop.panels.connection_dialog import WAITING, ConnectionDialog
from desktop.panels.step_settings import NEW_CONNECTION_DATA
from tests.conftest import ServerProcess, fresh_data_dir, start_server_process, stop_server_process
from tests.desktop.builder_helpers import main_window, open_new_flow
from tests.desktop.gui_helpers import click, run, until
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server
from tests.server.piece_wheels import crm_wheel


class Provider:
    """A local OAuth2 provider: `mode` says how /authorize answers (allow, deny, mismatch)."""

    def __init__(self) -> None:
        self.mode = "allow"
        self.exchanged: list[dict[str, str]] = []

    def answer(self, request: Received) -> Reply:
        url = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/authorize":
            back = {"code": "the-code", "state": query["state"]}
            if self.mode == "deny":
                back = {"error": "access_denied", "error_description": "The user said no"}
            elif self.mode == "mismatch":
                back["state"] = "someone-elses-state"
            location = f"{query['redirect_uri']}?{urlencode(back)}"
            return Reply(status=302, headers={"Location": location})
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("code") != "the-code" or form.get("client_secret") != "app-secret":
            return Reply.json({"error": "invalid_grant"}, status=400)
        self.exchanged.append(form)
        return Reply.json({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600})


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[Provider, LocalServer]]:
    fake = Provider()
    with local_http_server(fake.answer) as server:
        yield fake, server


@pytest.fixture(scope="module")
def oauth_server(provider: tuple[Provider, LocalServer]) -> Iterator[ServerProcess]:
    """A personal server that knows the provider's URLs and may call 127.0.0.1."""
    _, http = provider
    env = {
        "PW_TEST_OAUTH_AUTH_URL": f"{http.url}/authorize",
        "PW_TEST_OAUTH_TOKEN_URL": f"{http.url}/token",
        "PW_SSRF_ALLOW_LIST": "127.0.0.1",
    }
    with fresh_data_dir() as data_dir:
        server = start_server_process(data_dir, env=env)
        try:
            installed = httpx.post(
                f"{server.url}/api/v1/pieces",
                content=crm_wheel(),
                headers={
                    "Authorization": f"Bearer {server.token}",
                    "Content-Type": "application/octet-stream",
                },
                timeout=60,
            )
            assert installed.status_code == 201, installed.text
            yield server
        finally:
            stop_server_process(server)


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, oauth_server: ServerProcess
) -> Iterator[MainWindow]:
    with main_window(qtbot, qt_loop, oauth_server) as main:
        yield main


def browser(opened: list[str], *, follow: bool = True) -> Callable[[str], bool]:
    """Opens a URL the way a browser would: in another process (here a thread), following redirects."""

    def open_url(url: str) -> bool:
        opened.append(url)
        if follow:
            threading.Thread(
                target=lambda: httpx.get(url, follow_redirects=True, timeout=10), daemon=True
            ).start()
        return True

    return open_url


def oauth_dialog(window: MainWindow) -> ConnectionDialog:
    dialog = window.workspace.connections_panel.ask_new()
    dialog.piece.setCurrentIndex(dialog.piece.findData("test_oauth"))
    dialog.external_id.setText("crm_account")
    dialog.display_name.setText("My CRM account")
    dialog.client_id.setText("app-id")
    dialog.client_secret.setText("app-secret")
    return dialog


def connect(dialog: ConnectionDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_connect_opens_the_browser_and_saves_the_connection_from_the_redirect(
    window: MainWindow,
    qt_loop: asyncio.AbstractEventLoop,
    provider: tuple[Provider, LocalServer],
) -> None:
    fake, http = provider
    opened: list[str] = []
    window.workspace.open_url = browser(opened)
    dialog = oauth_dialog(window)
    assert dialog.kind.currentText() == "OAUTH2"  # preset from the piece's auth
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Connect"
    assert dialog.client_secret.echoMode() == dialog.client_secret.EchoMode.Password
    connect(dialog)
    assert dialog.status.text() == WAITING
    until(qt_loop, lambda: window.workspace.connections_panel.names() == ["My CRM account"])
    assert not dialog.isVisible()
    assert dialog.connection is not None
    assert (dialog.connection.type, dialog.connection.piece_name) == ("OAUTH2", "test_oauth")
    authorize = urlsplit(opened[0])
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{http.url}/authorize"
    redirect = urlsplit(query["redirect_uri"])
    assert (redirect.hostname, redirect.path) == ("127.0.0.1", "/callback")
    assert redirect.port
    assert [form["code"] for form in fake.exchanged] == ["the-code"]
    # The loopback listener is closed once the redirect arrived.
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", redirect.port), 1),
    ):
        pass


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("deny", "The sign-in was declined in the browser (The user said no)"),
        (
            "mismatch",
            "The browser came back from a different sign-in (state mismatch); connect again",
        ),
    ],
)
def test_a_declined_or_foreign_redirect_is_a_clear_error(
    window: MainWindow,
    qt_loop: asyncio.AbstractEventLoop,
    provider: tuple[Provider, LocalServer],
    mode: str,
    message: str,
) -> None:
    fake, _ = provider
    fake.mode = mode
    fake.exchanged.clear()
    run(qt_loop, window.workspace.refresh_connections())
    before = window.workspace.connections_panel.names()
    try:
        window.workspace.open_url = browser([])
        dialog = oauth_dialog(window)
        connect(dialog)
        until(qt_loop, lambda: bool(dialog.error.text()))
    finally:
        fake.mode = "allow"
    assert dialog.error.text() == message
    assert dialog.isVisible()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert fake.exchanged == []
    run(qt_loop, window.workspace.refresh_connections())
    assert window.workspace.connections_panel.names() == before


def test_waiting_can_be_cancelled_and_times_out(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    opened: list[str] = []
    window.workspace.open_url = browser(opened, follow=False)
    dialog = oauth_dialog(window)
    connect(dialog)
    until(qt_loop, lambda: bool(opened))
    assert dialog.waiting()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert dialog.grab().save(str(artifacts_dir / "desktop-oauth2-waiting.png"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    until(qt_loop, lambda: not dialog.waiting())
    assert dialog.error.text() == "Sign-in cancelled; Connect to try again"
    assert dialog.isVisible()

    window.workspace.oauth2_timeout_s = 0.3
    connect(dialog)
    until(qt_loop, lambda: bool(dialog.error.text()))
    assert dialog.error.text() == "The browser did not come back within 1 min; connect again"
    window.workspace.open_url = lambda url: False
    connect(dialog)
    until(qt_loop, lambda: dialog.error.text().startswith("Could not open the system browser"))
    assert "http://127.0.0.1" in dialog.error.text()


def test_new_connection_from_a_step_signs_in_and_the_step_uses_it(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    window.workspace.open_url = browser([])
    builder = open_new_flow(window, qt_loop, "OAuth step")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Test OAuth: Add contact")
    picker = builder.settings.connection
    assert picker is not None
    picker.setCurrentIndex(picker.findData(NEW_CONNECTION_DATA))
    picker.activated.emit(picker.currentIndex())
    dialog = builder.connection_dialog
    assert dialog.kind.currentText() == "OAUTH2"
    dialog.external_id.setText("oauth_step")
    dialog.client_id.setText("app-id")
    dialog.client_secret.setText("app-secret")
    connect(dialog)

    def auth() -> object:
        step = builder.document.flow.step("step_1")
        return step.settings.input.get("auth") if step is not None else None  # type: ignore[union-attr]

    until(qt_loop, lambda: auth() == "{{connections['oauth_step']}}")
    assert not dialog.isVisible()
    assert builder.status.text() == "Saved connection “oauth_step”"


def test_the_loopback_ignores_other_paths_and_keeps_waiting(
    qt_loop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> tuple[int, dict[str, str]]:
        async with LoopbackRedirect() as loopback, httpx.AsyncClient() as http:
            stray = await http.get(f"http://127.0.0.1:{loopback.port}/favicon.ico")
            await http.get(f"{loopback.url}?code=c&state=s")
            return stray.status_code, await loopback.received()

    assert run(qt_loop, scenario()) == (404, {"code": "c", "state": "s"})
